/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the mmngr kselftests. */
#ifndef _MMNGR_TEST_H
#define _MMNGR_TEST_H

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mmngr.h>

/* Each pool's statistics and limits, one value per file. */
#define POOLS	"/sys/class/misc/rgnmm/device/pools"

/* Whether all @len bytes at @p are @c. */
static inline int all_bytes(const void *p, int c, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

/* A text file's contents (at most @len - 1 bytes) in @buf; 0 or -1. */
static inline int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * The /dev/mmngr index of the pool called @name, or -1; its
 * MMNGR_IOCTL_POOL_INFO in @out unless NULL.
 */
static inline int find_pool_info(int fd, const char *name,
				 struct mmngr_pool_info *out)
{
	struct mmngr_pool_info info;
	int i;

	for (i = 0; i < 64; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &info))
			return -1;
		if (!strcmp(info.name, name)) {
			if (out)
				*out = info;
			return i;
		}
	}
	return -1;
}

/* The /dev/mmngr index of the pool called @name, or -1. */
static inline int find_pool(int fd, const char *name)
{
	return find_pool_info(fd, name, NULL);
}

/* The number in a sysfs or procfs file, or -1. */
static inline long long sysfs_read(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoll(buf) : -1;
}

/* Write a number to a sysfs or procfs file: 0, or -1 if refused. */
static inline int sysfs_write(const char *path, long long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY);
	int n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%lld\n", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

/* Module @mod's parameter @param, without the newline; "" if unreadable. */
static inline void param_read(const char *mod, const char *param, char *val,
			      size_t len)
{
	char path[320];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, param);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, val, len - 1);
		close(fd);
	}
	val[n > 0 ? n : 0] = '\0';
	val[strcspn(val, "\n")] = '\0';
}

/* Set module @mod's parameter @param to the string @val: 0, or -1. */
static inline int param_write(const char *mod, const char *param, const char *val)
{
	char path[320];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, param);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* A pool's sysfs value @stat ("used", "size", ...), or -1. */
static inline long long pool_stat(const char *pool, const char *stat)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), POOLS "/%s/%s", pool, stat);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoll(buf);
}

#endif /* _MMNGR_TEST_H */
