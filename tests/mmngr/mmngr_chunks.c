// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pools of reusable memory (kind "cma", a reusable device-tree region, and
 * "movable", the ZONE_MOVABLE carve-out) claim their memory from the page
 * allocator in chunks, as buffers need it (sysfs "claimed").  A chunk whose
 * last buffer is gone goes back after an idle period of one to two
 * seconds, and at once when the system reclaims memory (the pool's
 * shrinker; drop_caches with 2 runs every shrinker).
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

/* The index of the first cma or movable pool, its name in @name; or -1. */
static int contig_pool(int fd, char *name, size_t len)
{
	struct mmngr_pool_info info;
	char path[96], kind[16];
	int i, k;

	for (i = 0; i < 16; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &info))
			return -1;
		snprintf(path, sizeof(path), POOLS "/%.32s/kind", info.name);
		k = open(path, O_RDONLY);
		if (k < 0)
			continue;
		memset(kind, 0, sizeof(kind));
		if (read(k, kind, sizeof(kind) - 1) < 0)
			kind[0] = '\0';
		close(k);
		if (!strcmp(kind, "cma\n") || !strcmp(kind, "movable\n")) {
			snprintf(name, len, "%s", info.name);
			return i;
		}
	}
	return -1;
}

/* Allocate 4 KiB from the pool and free it: its chunk is left idle. */
static int touch(int fd, int pool)
{
	struct mmngr_alloc a = { .size = 4096, .pool = pool,
				 .caching = MMNGR_CACHING_CACHED };
	struct mmngr_free f = { 0 };

	if (ioctl(fd, MMNGR_IOCTL_ALLOC, &a))
		return -errno;
	f.handle = a.handle;
	return ioctl(fd, MMNGR_IOCTL_FREE, &f) ? -errno : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(chunks) {
	const char *skip;	/* why the cases cannot run here, or NULL */
	int fd;
	int pool;
	char name[32];
	long long base;		/* claimed with no buffer of ours */
};

FIXTURE_SETUP(chunks)
{
	double t0 = now_s();

	self->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->pool = contig_pool(self->fd, self->name, sizeof(self->name));
	if (self->pool < 0) {
		self->skip = "no cma or movable pool on this machine";
		return;
	}
	/* Earlier tests' chunks may still be idling. */
	while ((self->base = pool_stat(self->name, "claimed")) > 0 && now_s() - t0 < 5)
		usleep(100 * 1000);
	ASSERT_EQ(0, self->base);
}

FIXTURE_TEARDOWN(chunks)
{
	close(self->fd);
}

/*
 * Claimed for a buffer, kept a moment after it, given back within 4 s (two
 * idle periods, and a margin for an emulated guest's clock).
 */
TEST_F(chunks, idle_chunk_goes_back)
{
	long long kept;
	double t0;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	ASSERT_EQ(0, touch(self->fd, self->pool));
	t0 = now_s();
	kept = pool_stat(self->name, "claimed");
	TH_LOG("%s: %lld bytes claimed for a 4 KiB buffer, kept after its free", self->name, kept);
	EXPECT_LT(0, kept);
	while (pool_stat(self->name, "claimed") > 0 && now_s() - t0 < 5)
		usleep(50 * 1000);
	TH_LOG("given back after %.2f s", now_s() - t0);
	EXPECT_EQ(0, pool_stat(self->name, "claimed"));
	EXPECT_GT(4.0, now_s() - t0);
}

/*
 * Reclaim takes idle chunks at once.  The idle work may come first: then
 * try again, a few times.
 */
TEST_F(chunks, reclaim_takes_idle_chunks)
{
	long long before = 0, after = -1;
	int tries;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	for (tries = 0; tries < 5; tries++) {
		ASSERT_EQ(0, touch(self->fd, self->pool));
		before = pool_stat(self->name, "claimed");
		ASSERT_EQ(0, sysfs_write("/proc/sys/vm/drop_caches", 2));
		after = pool_stat(self->name, "claimed");
		if (before > 0)
			break;
	}
	TH_LOG("%s: %lld bytes claimed idle, %lld after drop_caches", self->name, before, after);
	ASSERT_LT(0, before);
	EXPECT_EQ(0, after);
}

TEST_HARNESS_MAIN
