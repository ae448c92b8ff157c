/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the fuzzer and the fault rounds share: TAP output, the pools' and
 * buffers' baseline from sysfs and debugfs, whether the kernel is a debug
 * build, and a reader of new kernel log records that recognises what the
 * lanes' verdict fails on.
 */
#ifndef _MMNGR_FUZZ_H
#define _MMNGR_FUZZ_H

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFFERS_DEBUGFS	"/sys/kernel/debug/mmngr/buffers"

static int tap_n;
static int tap_failed;

static inline void tap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void tap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline long long read_ll(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoll(buf);
}

/*
 * Bytes used in every pool of every mmngr device, from sysfs; -1 if none.
 * The files are looked up once (a glob over every platform device costs
 * more than the rest of a kill round on a debug kernel), and again if one
 * of them goes away (the modules were reloaded).
 */
static inline long long pools_used(void)
{
	static glob_t g;
	static int found;
	long long sum = 0, v;
	size_t i;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!found || tries) {
			if (found)
				globfree(&g);
			found = !glob("/sys/bus/platform/devices/*/pools/*/used", 0, NULL, &g);
			if (!found)
				return -1;
		}
		for (sum = 0, i = 0; i < g.gl_pathc; i++) {
			v = read_ll(g.gl_pathv[i]);
			if (v < 0)
				break;
			sum += v;
		}
		if (i == g.gl_pathc)
			return sum;
	}
	return -1;
}

/* Live buffers listed in debugfs (lines after the header); -1 if unreadable. */
static inline int debugfs_buffers(void)
{
	FILE *f = fopen(BUFFERS_DEBUGFS, "re");
	int c, lines = 0;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	return lines ? lines - 1 : -1;
}

/*
 * Wait up to @timeout_s for the pools and the buffer list to come back to
 * @used / @bufs (the last users of a buffer may let go just after a
 * process is reaped).  1 if they did.
 */
static inline int back_to_baseline(long long used, int bufs, double timeout_s,
				   long long *now_used, int *now_bufs)
{
	double end = now_s() + timeout_s;

	for (;;) {
		*now_used = pools_used();
		*now_bufs = debugfs_buffers();
		if (*now_used == used && *now_bufs == bufs)
			return 1;
		if (now_s() > end)
			return 0;
		usleep(2000);
	}
}

/* A kernel with the DMA API or kmemleak debugging: the debug lanes. */
static inline int debug_kernel(void)
{
	return !access("/sys/kernel/debug/dma-api", F_OK) ||
	       !access("/sys/kernel/debug/kmemleak", F_OK);
}

/*
 * What fails a lane in the guest's kernel log: the same expression as
 * BAD_DMESG in tests/vm/verdict.sh (keep them alike).
 */
#define BAD_KMSG "WARNING:|BUG:|Oops|Call [Tt]race:|Unable to handle kernel|" \
	"general protection fault|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|" \
	"possible circular locking|possible recursive locking|" \
	"inconsistent lock state|suspicious RCU usage|" \
	"sleeping function called from invalid context|" \
	"scheduling while atomic|DMA-API: .*device driver|refcount_t:|" \
	"list_(add|del) corruption|stack-protector|hung_task|soft lockup|" \
	"rcu_sched detected stall|Kernel panic"

struct kmsg {
	int fd;
	regex_t bad;
};

/* Start reading the kernel log from its current end; 0 or -1. */
static inline int kmsg_open(struct kmsg *k)
{
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -1;
	lseek(k->fd, 0, SEEK_END);
	return regcomp(&k->bad, BAD_KMSG, REG_EXTENDED | REG_NOSUB) ? -1 : 0;
}

/*
 * The next new record's text in @line, without its prefix; 1 if it is one
 * that fails a lane, 0 if not, -1 when there is nothing new.
 */
static inline int kmsg_next(struct kmsg *k, char *line, size_t len)
{
	char rec[2048], *msg, *nl;
	ssize_t n;

	for (;;) {
		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			return -1;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		n = strlen(msg);
		if ((size_t)n >= len)
			n = len - 1;
		memcpy(line, msg, n);
		line[n] = '\0';
		return !regexec(&k->bad, line, 0, NULL, 0);
	}
}

#endif /* _MMNGR_FUZZ_H */
