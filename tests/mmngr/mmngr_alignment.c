// SPDX-License-Identifier: GPL-2.0-only
/*
 * Aligned allocations through /dev/mmngr.  The kernel heap gets alignment
 * from the DMA API by asking for a buffer as large as the alignment, so
 * the buffer grows to it.  A carve-out pool fragmented into holes just as
 * large as a request (so that no hole is "size + alignment" large) must
 * still find the lowest hole where an aligned block fits, and refuse when
 * none does.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "kselftest_harness.h"

#define KiB	1024ULL
#define MiB	(1024ULL * 1024)
#define NR	8	/* 512 KiB blocks in the fragmented region */

static int pool_by_name(int fd, const char *name, struct mmngr_pool_info *info)
{
	unsigned int i;

	for (i = 0; i < 64; i++) {
		memset(info, 0, sizeof(*info));
		info->index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, info))
			return -1;
		if (!strcmp(info->name, name))
			return i;
	}
	return -1;
}

static int pool_now(int fd, unsigned int index, struct mmngr_pool_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = index;
	return ioctl(fd, MMNGR_IOCTL_POOL_INFO, info);
}

static int do_alloc(int fd, struct mmngr_alloc *a, unsigned int pool,
		    __u64 size, __u64 align)
{
	memset(a, 0, sizeof(*a));
	a->pool = pool;
	a->size = size;
	a->align = align;
	a->caching = MMNGR_CACHING_WRITECOMBINE;
	return ioctl(fd, MMNGR_IOCTL_ALLOC, a);
}

static int do_free(int fd, __u32 handle)
{
	struct mmngr_free f = { .handle = handle };

	return ioctl(fd, MMNGR_IOCTL_FREE, &f);
}

TEST(kernelheap_grows_to_alignment)
{
	const __u64 aligns[] = { 64 * KiB, 256 * KiB, 1 * MiB };
	struct mmngr_pool_info before, after;
	struct mmngr_alloc a;
	unsigned int i;
	int fd, heap;

	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	heap = pool_by_name(fd, "kernelheap", &before);
	ASSERT_LE(0, heap);

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		ASSERT_EQ(0, pool_now(fd, heap, &before));
		ASSERT_EQ(0, do_alloc(fd, &a, heap, 4096, aligns[i]));
		EXPECT_EQ(0, a.dev_addr % aligns[i]);
		ASSERT_EQ(0, pool_now(fd, heap, &after));
		/* One buffer, the alignment's size. */
		EXPECT_EQ(before.buffers + 1, after.buffers);
		EXPECT_EQ(before.used + aligns[i], after.used);
		EXPECT_EQ(0, do_free(fd, a.handle));
		ASSERT_EQ(0, pool_now(fd, heap, &after));
		EXPECT_EQ(before.used, after.used);
	}
	close(fd);
}

/*
 * The pool's first (size - 4 MiB) in one buffer, its last 4 MiB in eight
 * 512 KiB blocks, some freed again to leave holes; the holes' offsets are
 * relative to the first block, which is 1 MiB aligned like the pool's end.
 */
FIXTURE(frag) {
	int fd;
	int pool;
	struct mmngr_pool_info info;
	struct mmngr_alloc bulk;
	struct mmngr_alloc blk[NR];
	__u64 region;
};

FIXTURE_SETUP(frag)
{
	int i;

	self->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->pool = pool_by_name(self->fd, "multimedia", &self->info);
	if (self->pool < 0)
		SKIP(return, "no multimedia pool");
	/* Empty, and one extent: nothing else runs meanwhile. */
	ASSERT_EQ(0, self->info.used);
	ASSERT_EQ(self->info.size, self->info.largest_free);
	ASSERT_LE(8 * MiB, self->info.size);
	ASSERT_EQ(0, self->info.size % MiB);

	ASSERT_EQ(0, do_alloc(self->fd, &self->bulk, self->pool,
			      self->info.size - 4 * MiB, 0));
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(0, do_alloc(self->fd, &self->blk[i], self->pool,
				      512 * KiB, 0));
		/* First fit: one after the other. */
		ASSERT_EQ(self->blk[0].dev_addr + i * 512 * KiB,
			  self->blk[i].dev_addr);
	}
	self->region = self->blk[0].dev_addr;
	ASSERT_EQ(0, self->region % MiB);
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &self->info));
	ASSERT_EQ(self->info.size, self->info.used);
}

FIXTURE_TEARDOWN(frag)
{
	/* Closing frees what is left. */
	close(self->fd);
}

/* FREE the blocks named in @which; 0, or -1 at the first failure. */
static int free_blocks(int fd, struct mmngr_alloc *blk, const int *which, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (do_free(fd, blk[which[i]].handle))
			return -1;
	return 0;
}

TEST_F(frag, exact_fit_in_holes)
{
	/* Holes: [0.5, 2) MiB, [2.5, 3) MiB and [3.5, 4) MiB. */
	const int holes[] = { 1, 2, 3, 5, 7 };
	struct mmngr_pool_info info;
	struct mmngr_alloc a, b, c;

	if (self->pool < 0)
		SKIP(return, "no multimedia pool");
	ASSERT_EQ(0, free_blocks(self->fd, self->blk, holes, ARRAY_SIZE(holes)));
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &info));
	EXPECT_EQ(1536 * KiB, info.largest_free);

	/* 1 MiB at 1 MiB: only [1, 2) MiB, the tail of the largest hole. */
	ASSERT_EQ(0, do_alloc(self->fd, &a, self->pool, MiB, MiB));
	EXPECT_EQ(self->region + MiB, a.dev_addr);
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &info));
	EXPECT_EQ(512 * KiB, info.largest_free);

	/* 512 KiB at 1 MiB: every hole left starts half-way. */
	EXPECT_EQ(-1, do_alloc(self->fd, &b, self->pool, 512 * KiB, MiB));
	EXPECT_EQ(ENOMEM, errno);

	/* 512 KiB at 512 KiB: the lowest hole, exactly. */
	ASSERT_EQ(0, do_alloc(self->fd, &b, self->pool, 512 * KiB, 512 * KiB));
	EXPECT_EQ(self->region + 512 * KiB, b.dev_addr);
	ASSERT_EQ(0, do_alloc(self->fd, &c, self->pool, 512 * KiB, 512 * KiB));
	EXPECT_EQ(self->region + 2560 * KiB, c.dev_addr);

	/* Nothing is larger than what is left. */
	EXPECT_EQ(-1, do_alloc(self->fd, &c, self->pool, MiB, 0));
	EXPECT_EQ(ENOMEM, errno);
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &info));
	EXPECT_EQ(info.size - 512 * KiB, info.used);
}

TEST_F(frag, holes_merge_back)
{
	const int first[] = { 0, 4, 5, 6, 7 }, then[] = { 2, 1, 3 };
	struct mmngr_pool_info info;
	struct mmngr_alloc a;

	if (self->pool < 0)
		SKIP(return, "no multimedia pool");
	/* A 512 KiB hole, then [2, 4) MiB: 1 MiB fits only in the second. */
	ASSERT_EQ(0, free_blocks(self->fd, self->blk, first, ARRAY_SIZE(first)));
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &info));
	EXPECT_EQ(2 * MiB, info.largest_free);
	ASSERT_EQ(0, do_alloc(self->fd, &a, self->pool, MiB, 0));
	EXPECT_EQ(self->region + 2 * MiB, a.dev_addr);
	EXPECT_EQ(0, do_free(self->fd, a.handle));

	/* Alone, then joining both neighbours, twice: one extent again. */
	ASSERT_EQ(0, free_blocks(self->fd, self->blk, then, ARRAY_SIZE(then)));
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &info));
	EXPECT_EQ(4 * MiB, info.largest_free);
	ASSERT_EQ(0, do_alloc(self->fd, &a, self->pool, 4 * MiB, MiB));
	EXPECT_EQ(self->region, a.dev_addr);
	EXPECT_EQ(0, do_free(self->fd, a.handle));
	EXPECT_EQ(0, do_free(self->fd, self->bulk.handle));
	ASSERT_EQ(0, pool_now(self->fd, self->pool, &info));
	EXPECT_EQ(0, info.used);
	EXPECT_EQ(info.size, info.largest_free);
}

TEST_HARNESS_MAIN
