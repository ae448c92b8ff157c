// SPDX-License-Identifier: MIT
/*
 * mmngr alloc, and mmngr shell: buffers for quick experiments.
 *
 * Buffers belong to the process that allocated them (they go when it
 * exits), so "alloc" either frees at once, which shows that an allocation
 * works and where it lands, or with --hold keeps the buffer until its
 * standard input ends.  "shell" reads commands from standard input, one per
 * line, so that a script can allocate, export, look at users and free
 * within one process:
 *
 *	printf 'alloc 1M pool=multimedia\nexport 1\nusers 1\nfree 1\n' |
 *		mmngr --format=kv shell
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define MAX_BUFS	256
#define MAX_EXPORTS	8

struct slot {
	struct mmngr2_buf *buf;
	char pool[32];
	int nfds;
	int fds[MAX_EXPORTS];
	unsigned long inos[MAX_EXPORTS];
};

static struct slot slots[MAX_BUFS + 1];	/* 1-based, as users see them */

struct alloc_req {
	uint64_t size, align;
	const char *pool;
	int caching;
};

static int do_alloc(struct mmngr2 *mm, const struct alloc_req *r)
{
	static const char *const cols[] = {
		"buf", "handle", "pool", "size", "dev_addr",
	};
	char id[16], handle[16], size[32], addr[24];
	const char *vals[] = { id, handle, NULL, size, addr };
	struct mmngr2_pool pool;
	struct mmngr2_buf *buf;
	struct table *t;
	int i, p, ret;

	for (i = 1; i <= MAX_BUFS && (slots[i].buf || slots[i].nfds); i++)
		;
	if (i > MAX_BUFS) {
		err_msg("alloc: at most %d buffers", MAX_BUFS);
		return -1;
	}
	p = pick_pool(mm, r->pool);
	if (p < 0)
		return -1;
	ret = mmngr2_alloc(mm, p, r->size, r->align, r->caching, &buf);
	if (ret) {
		err_msg("alloc: %s", strerror(-ret));
		return -1;
	}
	mmngr2_pool_get(mm, p, &pool, sizeof(pool));
	slots[i].buf = buf;
	snprintf(slots[i].pool, sizeof(slots[i].pool), "%s", pool.name);

	snprintf(id, sizeof(id), "%d", i);
	snprintf(handle, sizeof(handle), "%u", mmngr2_buf_handle(buf));
	fmt_size(size, sizeof(size), mmngr2_buf_size(buf));
	snprintf(addr, sizeof(addr), "%#llx",
		 (unsigned long long)mmngr2_buf_dev_addr(buf));
	vals[2] = slots[i].pool;
	t = table_begin(cols, 5);
	table_row(t, vals);
	table_end(t);
	return i;
}

static struct slot *get_slot(const char *arg, bool need_buf)
{
	char *end;
	long i = strtol(arg, &end, 10);

	if (*arg && !*end && i >= 1 && i <= MAX_BUFS &&
	    (slots[i].buf || (!need_buf && slots[i].nfds)))
		return &slots[i];
	err_msg("no buffer %s", arg);
	return NULL;
}

static int do_export(struct slot *s, int fd_flags)
{
	static const char *const cols[] = { "fd", "ino", "size" };
	char fd[16], ino[24], size[32];
	const char *vals[] = { fd, ino, size };
	struct table *t;
	struct stat st;
	int dfd;

	if (s->nfds == MAX_EXPORTS) {
		err_msg("export: at most %d per buffer", MAX_EXPORTS);
		return -1;
	}
	dfd = mmngr2_export(s->buf, 0, 0, fd_flags);
	if (dfd < 0) {
		err_msg("export: %s", strerror(-dfd));
		return -1;
	}
	fstat(dfd, &st);
	s->fds[s->nfds] = dfd;
	s->inos[s->nfds++] = st.st_ino;

	snprintf(fd, sizeof(fd), "%d", dfd);
	snprintf(ino, sizeof(ino), "%lu", (unsigned long)st.st_ino);
	fmt_size(size, sizeof(size), mmngr2_buf_size(s->buf));
	t = table_begin(cols, 3);
	table_row(t, vals);
	table_end(t);
	return 0;
}

static void do_unexport(struct slot *s)
{
	while (s->nfds)
		close(s->fds[--s->nfds]);
}

static int do_fill(struct slot *s, const char *byte)
{
	uint64_t size = mmngr2_buf_size(s->buf);
	void *p;
	int ret;

	ret = mmngr2_map(s->buf, &p);
	if (!ret)
		ret = mmngr2_sync_begin(s->buf, 0, size, MMNGR2_WRITE);
	if (!ret) {
		memset(p, (int)strtol(byte, NULL, 0), size);
		ret = mmngr2_sync_end(s->buf, 0, size, MMNGR2_WRITE);
	}
	if (ret)
		err_msg("fill: %s", strerror(-ret));
	return ret ? -1 : 0;
}

/* "key=value" arguments of alloc. */
static bool alloc_args(struct alloc_req *r, int argc, char **argv)
{
	int i;

	if (argc < 2 || !parse_size(argv[1], &r->size)) {
		err_msg("alloc: SIZE expected (4096, 64K, 1M, 0x1000...)");
		return false;
	}
	for (i = 2; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (v)
			*v++ = '\0';
		if (v && !strcmp(argv[i], "pool")) {
			r->pool = v;
		} else if (v && !strcmp(argv[i], "align") &&
			   parse_size(v, &r->align)) {
			continue;
		} else if (v && !strcmp(argv[i], "caching") &&
			   (r->caching = parse_caching(v)) >= 0) {
			continue;
		} else {
			err_msg("alloc: bad argument %s%s%s", argv[i],
				v ? "=" : "", v ? v : "");
			return false;
		}
	}
	return true;
}

static void usage_shell(void)
{
	fputs("commands:\n"
	      "  alloc SIZE [pool=NAME|INDEX] [align=N] [caching=MODE]\n"
	      "  export BUF [ro]     a dma-buf of the buffer\n"
	      "  unexport BUF        close its dma-bufs\n"
	      "  fill BUF BYTE       write BYTE all over it (mapped, synced)\n"
	      "  free BUF\n"
	      "  pools | buffers | users [BUF]\n"
	      "  help | quit\n", stdout);
}

/* One command line; 0, or -1 after an error message. */
static int run_line(struct mmngr2 *mm, int argc, char **argv)
{
	struct alloc_req r = { .pool = "0", .caching = MMNGR2_WRITECOMBINE };
	const char *cmd = argv[0];
	struct slot *s;

	if (!strcmp(cmd, "alloc"))
		return alloc_args(&r, argc, argv) && do_alloc(mm, &r) > 0 ? 0 : -1;
	if (!strcmp(cmd, "pools"))
		return show_pools(mm) ? -1 : 0;
	if (!strcmp(cmd, "buffers"))
		return show_buffers() ? -1 : 0;
	if (!strcmp(cmd, "help")) {
		usage_shell();
		return 0;
	}
	if (!strcmp(cmd, "users")) {
		if (argc < 2)
			return show_users(NULL, 0) ? -1 : 0;
		s = get_slot(argv[1], false);
		if (!s)
			return -1;
		if (!s->nfds) {
			err_msg("users: buffer %s has no dma-buf", argv[1]);
			return -1;
		}
		return show_users(s->inos, s->nfds) ? -1 : 0;
	}
	if (argc < 2) {
		err_msg("%s: BUF expected", cmd);
		return -1;
	}
	s = get_slot(argv[1], !strcmp(cmd, "unexport") ? false : true);
	if (!s)
		return -1;
	if (!strcmp(cmd, "export"))
		return do_export(s, argc > 2 && !strcmp(argv[2], "ro") ?
				    O_RDONLY : O_RDWR);
	if (!strcmp(cmd, "unexport")) {
		do_unexport(s);
		return 0;
	}
	if (!strcmp(cmd, "fill") && argc > 2)
		return do_fill(s, argv[2]);
	if (!strcmp(cmd, "free")) {
		mmngr2_free(s->buf);
		s->buf = NULL;
		return 0;
	}
	err_msg("unknown command %s (try help)", cmd);
	return -1;
}

int cmd_shell(int argc, char **argv)
{
	char *line = NULL, *args[16], *save;
	struct mmngr2 *mm;
	size_t cap = 0;
	int n, ret, status = 0;

	if (argc > 1) {
		err_msg("shell takes no arguments; commands come on stdin");
		return 2;
	}
	ret = mmngr2_open(&mm);
	if (ret) {
		err_msg("/dev/mmngr: %s", strerror(-ret));
		return 1;
	}
	while (getline(&line, &cap, stdin) >= 0) {
		n = 0;
		for (args[n] = strtok_r(line, " \t\n", &save);
		     args[n] && n < 15; args[n] = strtok_r(NULL, " \t\n", &save))
			n++;
		if (!n || args[0][0] == '#')
			continue;
		if (!strcmp(args[0], "quit"))
			break;
		if (run_line(mm, n, args))
			status = 1;
	}
	free(line);
	for (n = 1; n <= MAX_BUFS; n++) {
		do_unexport(&slots[n]);
		mmngr2_free(slots[n].buf);
	}
	mmngr2_close(mm);
	return status;
}

int cmd_alloc(int argc, char **argv)
{
	struct alloc_req r = { .pool = "0", .caching = MMNGR2_WRITECOMBINE };
	char *args[5] = { argv[0], NULL }, opt[3][64];
	static const char *const keys[3] = { "pool", "align", "caching" };
	bool export = false, hold = false;
	int i, k, n = 2, id, ret;
	struct mmngr2 *mm;
	size_t len;
	char c;

	/* --pool=P etc. become the shell's pool=P; SIZE comes first. */
	for (i = 1; i < argc; i++) {
		for (k = 0; k < 3; k++) {
			len = strlen(keys[k]);
			if (!strncmp(argv[i], "--", 2) &&
			    !strncmp(argv[i] + 2, keys[k], len) &&
			    argv[i][2 + len] == '=')
				break;
		}
		if (k < 3) {
			snprintf(opt[k], sizeof(opt[k]), "%s", argv[i] + 2);
			args[n++] = opt[k];
		} else if (!strcmp(argv[i], "--export")) {
			export = true;
		} else if (!strcmp(argv[i], "--hold")) {
			hold = true;
		} else if (argv[i][0] != '-' && !args[1]) {
			args[1] = argv[i];
		} else {
			err_msg("alloc: bad argument %s", argv[i]);
			return 2;
		}
		if (n > 4) {
			err_msg("alloc: an option given twice");
			return 2;
		}
	}
	if (!args[1] || !alloc_args(&r, n, args)) {
		if (!args[1])
			err_msg("alloc: SIZE expected");
		return 2;
	}
	ret = mmngr2_open(&mm);
	if (ret) {
		err_msg("/dev/mmngr: %s", strerror(-ret));
		return 1;
	}
	id = do_alloc(mm, &r);
	ret = id < 0 || (export && do_export(&slots[id], O_RDWR));
	if (!ret && hold) {
		/* Until stdin ends: "mmngr alloc 1M --hold <fifo &". */
		while (read(0, &c, 1) > 0)
			;
	}
	if (id > 0) {
		do_unexport(&slots[id]);
		mmngr2_free(slots[id].buf);
	}
	mmngr2_close(mm);
	return ret;
}
