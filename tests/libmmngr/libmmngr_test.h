/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers the libmmngr tests share.  Only the C library and the kernel's
 * sysfs: the drop-in test must see no header of ours but the original's.
 */
#ifndef _LIBMMNGR_TEST_H
#define _LIBMMNGR_TEST_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MiB	(1024 * 1024)
#define POOLS	"/sys/class/misc/rgnmm/device/pools"

/* A pool's figure from sysfs, -1 if the board has no such pool. */
static inline long long pool_stat(const char *pool, const char *stat)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), POOLS "/%s/%s", pool, stat);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoll(buf);
}

static inline int all_bytes(const void *p, int c, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

#endif /* _LIBMMNGR_TEST_H */
