// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resource limits: per-user limits on each pool (bytes and buffers, EDQUOT,
 * counted in quota_refused; users with CAP_SYS_RESOURCE are exempt) and the
 * per-file limit on /dev/mmngr handles (ENOSPC, counted in
 * handles_refused).  The user is "nobody", using files opened as root.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mmngr.h>
#include <linux/rgnmm.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define POOL_DIR	"/sys/class/misc/mmngr/device/pools/kernelheap/"
#define PARAMS		"/sys/module/mmngr/parameters/"
#define NOBODY		65534

static int alloc(int fd, int pool, __u64 size, __u32 *handle)
{
	struct mmngr_alloc a = { .size = size, .pool = pool,
				 .caching = MMNGR_CACHING_CACHED };
	int ret = ioctl(fd, MMNGR_IOCTL_ALLOC, &a);

	if (!ret && handle)
		*handle = a.handle;
	return ret;
}

/* In a child: become nobody, run fn(fd, pool), exit with its result. */
static int as_nobody(int (*fn)(int fd, int pool), int fd, int pool)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(fn(fd, pool));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(limits) {
	int fd;
	int pool;
	long long max_bytes;
	long long max_buffers;
};

FIXTURE_SETUP(limits)
{
	self->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->pool = find_pool(self->fd, "kernelheap");
	ASSERT_LE(0, self->pool);
	self->max_bytes = sysfs_read(POOL_DIR "user_max_bytes");
	self->max_buffers = sysfs_read(POOL_DIR "user_max_buffers");
	ASSERT_LT(0, self->max_bytes);
	ASSERT_LT(0, self->max_buffers);
}

FIXTURE_TEARDOWN(limits)
{
	EXPECT_EQ(0, sysfs_write(POOL_DIR "user_max_bytes", self->max_bytes));
	EXPECT_EQ(0, sysfs_write(POOL_DIR "user_max_buffers", self->max_buffers));
	close(self->fd);
}

/* 1 MiB may be held, in any pieces; a byte more may not. */
static int fill_one_mib(int fd, int pool)
{
	struct mmngr_free f = { 0 };

	if (alloc(fd, pool, 512 * 1024, NULL) ||
	    alloc(fd, pool, 512 * 1024, &f.handle))
		return 1;
	if (!alloc(fd, pool, 4096, NULL) || errno != EDQUOT)
		return 2;
	/* More than the whole limit at once: the same. */
	if (!alloc(fd, pool, 2 << 20, NULL) || errno != EDQUOT)
		return 3;
	/* What is given back may be taken again. */
	if (ioctl(fd, MMNGR_IOCTL_FREE, &f))
		return 4;
	if (alloc(fd, pool, 512 * 1024, NULL))
		return 5;
	return 0;
}

TEST_F(limits, user_bytes)
{
	long long refused = sysfs_read(POOL_DIR "quota_refused");
	long long used = sysfs_read(POOL_DIR "used");
	int fd;

	ASSERT_EQ(0, sysfs_write(POOL_DIR "user_max_bytes", 1 << 20));
	/* A file of its own: closing it frees what the child allocated. */
	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(fill_one_mib, fd, self->pool));
	EXPECT_EQ(refused + 2, sysfs_read(POOL_DIR "quota_refused"));
	close(fd);
	EXPECT_EQ(used, sysfs_read(POOL_DIR "used"));
	/* root (CAP_SYS_RESOURCE) is counted but not refused. */
	EXPECT_EQ(0, alloc(self->fd, self->pool, 2 << 20, NULL));
}

static int three_buffers(int fd, int pool)
{
	if (alloc(fd, pool, 4096, NULL) || alloc(fd, pool, 4096, NULL))
		return 1;
	if (!alloc(fd, pool, 4096, NULL) || errno != EDQUOT)
		return 2;
	return 0;
}

TEST_F(limits, user_buffers)
{
	int fd;

	ASSERT_EQ(0, sysfs_write(POOL_DIR "user_max_buffers", 2));
	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(three_buffers, fd, self->pool));
	close(fd);
	/* Freed with the file: the user may start again. */
	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(three_buffers, fd, self->pool));
	close(fd);
}

/* The Renesas ABI allocates from the same pool: the same limits. */
static int renesas_alloc(int rfd, int pool)
{
	struct MM_PARAM p = { .size = 2 << 20, .flag = MM_KERNELHEAP };

	(void)pool;
	if (!ioctl(rfd, MM_IOC_ALLOC, &p) || errno != EDQUOT)
		return 1;
	p.size = 4096;
	return ioctl(rfd, MM_IOC_ALLOC, &p) ? 2 : 0;
}

TEST_F(limits, renesas_abi_is_limited_too)
{
	int rfd;

	ASSERT_EQ(0, sysfs_write(POOL_DIR "user_max_bytes", 1 << 20));
	rfd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(0, as_nobody(renesas_alloc, rfd, self->pool));
	close(rfd);
}

TEST_F(limits, sysfs_needs_a_number)
{
	EXPECT_EQ(-1, sysfs_write(POOL_DIR "user_max_bytes", -1));
	EXPECT_EQ(self->max_bytes, sysfs_read(POOL_DIR "user_max_bytes"));
}

/* A file holds at most file_max_buffers handles. */
TEST_F(limits, file_handles)
{
	long long max = sysfs_read(PARAMS "file_max_buffers");
	long long refused = sysfs_read("/sys/class/misc/mmngr/device/handles_refused");
	int fd, i;

	ASSERT_LT(0, max);
	ASSERT_LE(0, refused);
	ASSERT_EQ(0, sysfs_write(PARAMS "file_max_buffers", 3));
	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, alloc(fd, self->pool, 4096, NULL));
	EXPECT_EQ(-1, alloc(fd, self->pool, 4096, NULL));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(refused + 1,
		  sysfs_read("/sys/class/misc/mmngr/device/handles_refused"));
	close(fd);
	EXPECT_EQ(0, sysfs_write(PARAMS "file_max_buffers", max));
}

TEST_HARNESS_MAIN
