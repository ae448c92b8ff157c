// SPDX-License-Identifier: GPL-2.0-only
/*
 * A no-map pool (the R-Car lossy-decompression region: memory Linux never
 * maps) through both ABIs: zeroed buffers, CPU access through a
 * write-combined mapping, range syncs and FLUSH/INVAL that succeed and
 * keep the data (there is no cache to maintain), no cached mappings.
 * Boards without such a pool skip.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmngr.h>
#include <linux/rgnmm.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define SIZE	(16 * 4096)

/* Index of the first no-map pool, or -1. */
static int nomap_pool(int fd)
{
	struct mmngr_pool_info info;
	unsigned int i;

	for (i = 0; i < 64; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &info))
			return -1;
		if (info.kind == MMNGR_POOL_KIND_NOMAP)
			return i;
	}
	return -1;
}

static int do_sync(int fd, __u32 handle, __u32 flags, __u64 off, __u64 len)
{
	struct mmngr_sync s = { .handle = handle, .flags = flags,
				.offset = off, .len = len };

	return ioctl(fd, MMNGR_IOCTL_SYNC, &s);
}

TEST(modern_abi)
{
	struct mmngr_alloc a;
	unsigned char *p;
	int fd, pool;

	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	pool = nomap_pool(fd);
	if (pool < 0)
		SKIP(return, "no no-map pool on this board");

	/* Never cached: the kernel has no mapping to keep coherent. */
	memset(&a, 0, sizeof(a));
	a.pool = pool;
	a.size = SIZE;
	a.caching = MMNGR_CACHING_CACHED;
	EXPECT_EQ(-1, ioctl(fd, MMNGR_IOCTL_ALLOC, &a));
	EXPECT_EQ(EINVAL, errno);

	a.caching = MMNGR_CACHING_WRITECOMBINE;
	ASSERT_EQ(0, ioctl(fd, MMNGR_IOCTL_ALLOC, &a));
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes(p, 0, SIZE));

	EXPECT_EQ(0, do_sync(fd, a.handle, MMNGR_SYNC_START | MMNGR_SYNC_WRITE, 0, SIZE));
	memset(p, 0xa5, SIZE);
	EXPECT_EQ(0, do_sync(fd, a.handle, MMNGR_SYNC_END | MMNGR_SYNC_WRITE, 0, SIZE));
	EXPECT_EQ(0, do_sync(fd, a.handle, MMNGR_SYNC_START | MMNGR_SYNC_READ,
			     4096, 8192));
	EXPECT_TRUE(all_bytes(p, 0xa5, SIZE));
	EXPECT_EQ(0, do_sync(fd, a.handle, MMNGR_SYNC_END | MMNGR_SYNC_READ,
			     4096, 8192));
	/* Still checked against the buffer. */
	EXPECT_EQ(-1, do_sync(fd, a.handle, MMNGR_SYNC_START | MMNGR_SYNC_READ,
			      SIZE, 4096));
	EXPECT_EQ(EINVAL, errno);
	munmap(p, SIZE);

	/* An uncached buffer behaves the same. */
	a.caching = MMNGR_CACHING_UNCACHED;
	a.handle = 0;
	a.mmap_offset = 0;
	a.dev_addr = 0;
	ASSERT_EQ(0, ioctl(fd, MMNGR_IOCTL_ALLOC, &a));
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(all_bytes(p, 0, SIZE));
	p[SIZE - 1] = 7;
	EXPECT_EQ(0, do_sync(fd, a.handle, MMNGR_SYNC_END | MMNGR_SYNC_WRITE,
			     SIZE - 1, 1));
	EXPECT_EQ(7, p[SIZE - 1]);
	munmap(p, SIZE);
	close(fd);
}

TEST(renesas_abi)
{
	struct MM_PARAM p = { .size = SIZE, .flag = MM_LOSSY_FLAG(1) };
	struct MM_CACHE_PARAM c = { .offset = 0, .len = SIZE };
	unsigned char *map;
	int fd, mfd;

	mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mfd);
	if (nomap_pool(mfd) < 0)
		SKIP(return, "no no-map pool on this board");
	close(mfd);

	fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MM_IOC_ALLOC_CO, &p));
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	EXPECT_TRUE(all_bytes(map, 0, SIZE));
	memset(map, 0x3c, SIZE);
	EXPECT_EQ(0, ioctl(fd, MM_IOC_FLUSH, &c));
	EXPECT_EQ(0, ioctl(fd, MM_IOC_INVAL, &c));
	EXPECT_TRUE(all_bytes(map, 0x3c, SIZE));
	c.offset = SIZE;
	c.len = 1;
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_FLUSH, &c));
	EXPECT_EQ(EINVAL, errno);
	munmap(map, SIZE);
	EXPECT_EQ(0, ioctl(fd, MM_IOC_FREE_CO, &p));
	close(fd);
}

TEST_HARNESS_MAIN
