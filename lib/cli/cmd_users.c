// SPDX-License-Identifier: MIT
/*
 * mmngr users: who uses mmngrbuf's dma-bufs.  For each dma-buf exported by
 * mmngrbuf: the devices attached to it and their fences (debugfs
 * dma_buf/bufinfo) and the processes that hold a descriptor or a mapping
 * of it (/proc/PID/fd, /proc/PID/maps), matched by inode number.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define EXPORTER	"mmngrbuf"

struct dmabuf {
	unsigned long ino;
	char size[24], count[24], name[64];
	char *devices;		/* comma-separated */
	char *fences;
	char *procs;
};

static void append(char **list, const char *item)
{
	size_t old = *list ? strlen(*list) : 0;
	char *s = realloc(*list, old + strlen(item) + 2);

	if (!s) {
		err_msg("out of memory");
		exit(1);
	}
	if (old)
		s[old++] = ',';
	strcpy(s + old, item);
	*list = s;
}

static bool wanted(unsigned long ino, const unsigned long *inos, size_t n)
{
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (inos[i] == ino)
			return true;
	return false;
}

/*
 * bufinfo: a line "size flags mode count exp_name ino name" per dma-buf
 * (numbers zero-padded), then tab-indented lines: its fences, "Attached
 * Devices:" and one device per line, closed by "Total N devices attached".
 */
static size_t read_bufinfo(FILE *f, struct dmabuf **out,
			   const unsigned long *inos, size_t ninos)
{
	char *line = NULL, exp[64], name[64];
	unsigned long long size, count;
	unsigned long ino;
	struct dmabuf *v = NULL, *cur = NULL;
	size_t n = 0, cap = 0;
	bool in_devices = false;
	unsigned int flags, mode;
	char *s;

	while (getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		name[0] = '\0';
		if (isdigit((unsigned char)line[0]) &&
		    sscanf(line, "%llu %x %x %llu %63s %lu %63s", &size, &flags,
			   &mode, &count, exp, &ino, name) >= 6) {
			in_devices = false;
			cur = NULL;
			if (strcmp(exp, EXPORTER) || !wanted(ino, inos, ninos))
				continue;
			v = realloc(v, (n + 1) * sizeof(*v));
			if (!v) {
				err_msg("out of memory");
				exit(1);
			}
			cur = &v[n++];
			memset(cur, 0, sizeof(*cur));
			cur->ino = ino;
			snprintf(cur->size, sizeof(cur->size), "%llu", size);
			snprintf(cur->count, sizeof(cur->count), "%llu", count);
			snprintf(cur->name, sizeof(cur->name), "%s",
				 strcmp(name, "<none>") ? name : "");
			continue;
		}
		if (!cur || line[0] != '\t')
			continue;
		s = line + 1;
		if (!strcmp(s, "Attached Devices:"))
			in_devices = true;
		else if (in_devices)
			append(&cur->devices, s);
		else if (strstr(s, "fence"))
			append(&cur->fences, s);
	}
	free(line);
	*out = v;
	return n;
}

/* Whether /proc/PID/fd/NAME or a maps path is a dma-buf: "/dmabuf:...". */
static bool is_dmabuf_link(const char *target)
{
	return !strncmp(target, "/dmabuf:", 8) ||
	       !strncmp(target, "anon_inode:dmabuf", 17);
}

static void scan_fds(const char *pid, const char *comm, struct dmabuf *v,
		     size_t n)
{
	char path[560], target[256], item[640];
	struct dirent *e;
	struct stat st;
	ssize_t len;
	size_t i;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (!is_dmabuf_link(target) || stat(path, &st))
			continue;
		for (i = 0; i < n; i++)
			if (v[i].ino == st.st_ino) {
				snprintf(item, sizeof(item), "%s/%s:fd%s", pid,
					 comm, e->d_name);
				append(&v[i].procs, item);
			}
	}
	closedir(d);
}

static void scan_maps(const char *pid, const char *comm, struct dmabuf *v,
		      size_t n)
{
	char path[300], *line = NULL, item[640];
	unsigned long ino;
	size_t cap = 0, i;
	int off;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	/* "start-end perms offset dev inode path" */
	while (getline(&line, &cap, f) >= 0) {
		if (sscanf(line, "%*s %*s %*s %*s %lu %n", &ino, &off) < 1 ||
		    !is_dmabuf_link(line + off))
			continue;
		for (i = 0; i < n; i++)
			if (v[i].ino == ino) {
				snprintf(item, sizeof(item), "%s/%s:map", pid,
					 comm);
				append(&v[i].procs, item);
			}
	}
	free(line);
	fclose(f);
}

static void scan_procs(struct dmabuf *v, size_t n)
{
	char path[300], comm[64];
	struct dirent *e;
	DIR *d = opendir("/proc");
	FILE *f;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f || !fgets(comm, sizeof(comm), f))
			snprintf(comm, sizeof(comm), "?");
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		scan_fds(e->d_name, comm, v, n);
		scan_maps(e->d_name, comm, v, n);
	}
	closedir(d);
}

int show_users(const unsigned long *inos, size_t ninos)
{
	static const char *const cols[] = {
		"ino", "size", "refs", "name", "devices", "fences", "processes",
	};
	struct dmabuf *v;
	struct table *t;
	char ino[24];
	size_t n, i;
	FILE *f;

	f = fopen(BUFINFO, "re");
	if (!f) {
		err_msg("%s: %s (needs root and debugfs mounted)", BUFINFO,
			strerror(errno));
		return 1;
	}
	n = read_bufinfo(f, &v, inos, ninos);
	fclose(f);
	scan_procs(v, n);

	t = table_begin(cols, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < n; i++) {
		const char *vals[] = {
			ino, v[i].size, v[i].count, v[i].name, v[i].devices,
			v[i].fences, v[i].procs,
		};

		snprintf(ino, sizeof(ino), "%lu", v[i].ino);
		table_row(t, vals);
		free(v[i].devices);
		free(v[i].fences);
		free(v[i].procs);
	}
	table_end(t);
	free(v);
	return 0;
}

int cmd_users(int argc, char **argv)
{
	unsigned long *inos = NULL;
	size_t n = 0;
	char *end;
	int i, ret;

	for (i = 1; i < argc; i++) {
		inos = realloc(inos, (n + 1) * sizeof(*inos));
		if (!inos)
			return 1;
		inos[n++] = strtoul(argv[i], &end, 10);
		if (!*argv[i] || *end) {
			err_msg("users: %s is not a dma-buf inode number",
				argv[i]);
			free(inos);
			return 2;
		}
	}
	ret = show_users(inos, n);
	free(inos);
	return ret;
}
