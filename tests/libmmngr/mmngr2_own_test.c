// SPDX-License-Identifier: GPL-2.0-only
/*
 * What mmngr2.h promises about ownership and ABI evolution: unmap, adopting
 * a descriptor, who closes what, what outlives mmngr2_close() and
 * mmngr2_free(), and the size-tagged structures.
 */

#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/types.h>

#include <mmngr2.h>

#include "kselftest_harness.h"
#include "libmmngr_test.h"

/* Whether [p, p + len) is mapped at all: mincore() says ENOMEM if not. */
static int mapped(void *p, size_t len)
{
	unsigned char vec[64];

	return len / getpagesize() <= sizeof(vec) && !mincore(p, len, vec);
}

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* A write fence pending on fd: readers (POLLIN) wait. */
static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

FIXTURE(own) {
	struct mmngr2 *mm;
	int heap;
	size_t page;
};

FIXTURE_SETUP(own)
{
	ASSERT_EQ(0, mmngr2_open(&self->mm));
	self->heap = mmngr2_pool_find(self->mm, "kernelheap");
	ASSERT_LE(0, self->heap);
	self->page = getpagesize();
}

FIXTURE_TEARDOWN(own)
{
	mmngr2_close(self->mm);
}

/* unmap undoes map, once; the memory stays; map maps it again. */
TEST_F(own, unmap)
{
	size_t len = 4 * self->page;
	struct mmngr2_buf *buf;
	unsigned char *p, *q;

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->heap, len, 0,
				  MMNGR2_CACHED, &buf));
	EXPECT_EQ(-EINVAL, mmngr2_unmap(buf));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&p));
	EXPECT_TRUE(mapped(p, len));
	memset(p, 0x5a, len);
	EXPECT_EQ(0, mmngr2_sync_end(buf, 0, len, MMNGR2_WRITE));
	EXPECT_EQ(0, mmngr2_unmap(buf));
	EXPECT_FALSE(mapped(p, len));
	EXPECT_EQ(-EINVAL, mmngr2_unmap(buf));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&q));
	EXPECT_TRUE(mapped(q, len));
	EXPECT_EQ(0, mmngr2_sync_begin(buf, 0, len, MMNGR2_READ));
	EXPECT_TRUE(all_bytes(q, 0x5a, len));
	EXPECT_EQ(0, mmngr2_sync_end(buf, 0, len, MMNGR2_READ));
	/* mmngr2_free() takes the mapping with it. */
	mmngr2_free(buf);
	EXPECT_FALSE(mapped(q, len));
}

/* An adopted descriptor is the session's: used, returned, closed by it. */
TEST_F(own, adopt)
{
	long long base = pool_stat("kernelheap", "used");
	struct mmngr2_buf *buf;
	struct mmngr2 *mm;
	int fd;

	fd = open("/dev/mmngr", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mmngr2_adopt(fd, &mm));
	EXPECT_EQ(fd, mmngr2_fd(mm));
	/* Its descriptor flags are the caller's: no O_CLOEXEC added. */
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, mmngr2_alloc(mm, self->heap, self->page, 0,
				  MMNGR2_CACHED, &buf));
	EXPECT_EQ(base + (long long)self->page, pool_stat("kernelheap", "used"));
	mmngr2_free(buf);
	EXPECT_EQ(base, pool_stat("kernelheap", "used"));
	EXPECT_TRUE(fd_open(fd));
	mmngr2_close(mm);
	EXPECT_FALSE(fd_open(fd));
	EXPECT_EQ(EBADF, errno);
}

/* What adopt refuses stays the caller's, still open. */
TEST_F(own, adopt_refused)
{
	struct mmngr2 *mm = NULL;
	int fd, p[2];

	EXPECT_EQ(-EBADF, mmngr2_adopt(-1, &mm));
	EXPECT_EQ(-EINVAL, mmngr2_adopt(0, NULL));

	/* A mapping needs write access too. */
	fd = open("/dev/mmngr", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, mmngr2_adopt(fd, &mm));
	EXPECT_TRUE(fd_open(fd));
	close(fd);

	/* Another character device: not an mmngr session. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, mmngr2_adopt(fd, &mm));
	EXPECT_TRUE(fd_open(fd));
	close(fd);

	/* Renesas' device answers to other ioctls than /dev/mmngr's. */
	fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, mmngr2_adopt(fd, &mm));
	EXPECT_TRUE(fd_open(fd));
	close(fd);

	/* Not a device at all. */
	fd = memfd_create("not-mmngr", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, mmngr2_adopt(fd, &mm));
	EXPECT_TRUE(fd_open(fd));
	close(fd);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	EXPECT_EQ(-EBADF, mmngr2_adopt(p[0], &mm));	/* read end: O_RDONLY */
	EXPECT_TRUE(fd_open(p[0]));
	close(p[0]);
	close(p[1]);
	EXPECT_TRUE(!mm);
}

/*
 * mmngr2_close() drops the program's reference only: a live buffer keeps
 * the session (its descriptors, its fences) until mmngr2_free().
 */
TEST(close_with_live_buffer)
{
	long long base = pool_stat("kernelheap", "used");
	size_t len = 2 * getpagesize();
	struct mmngr2_buf *buf;
	struct mmngr2 *mm;
	unsigned char *p;
	__u32 fence;
	int fd, dmabuf, heap;

	ASSERT_EQ(0, mmngr2_open(&mm));
	heap = mmngr2_pool_find(mm, "kernelheap");
	ASSERT_LE(0, heap);
	fd = mmngr2_fd(mm);
	ASSERT_EQ(0, mmngr2_alloc(mm, heap, len, 0, MMNGR2_CACHED, &buf));
	dmabuf = mmngr2_export(buf, 0, 0, O_RDWR);
	ASSERT_LE(0, dmabuf);
	ASSERT_EQ(0, mmngr2_fence_attach(mm, dmabuf, MMNGR2_FENCE_WRITE, 0,
					 &fence, NULL));
	EXPECT_FALSE(readable(dmabuf));

	mmngr2_close(mm);
	/* The session lives on in the buffer: fd open, fence pending. */
	EXPECT_TRUE(fd_open(fd));
	EXPECT_FALSE(readable(dmabuf));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&p));
	memset(p, 0xa5, len);
	EXPECT_EQ(0, mmngr2_sync_end(buf, 0, len, MMNGR2_WRITE));
	EXPECT_EQ(0, mmngr2_unmap(buf));
	EXPECT_EQ(base + (long long)len, pool_stat("kernelheap", "used"));

	/* The last free ends it: descriptor closed, fence cancelled. */
	mmngr2_free(buf);
	EXPECT_FALSE(fd_open(fd));
	EXPECT_TRUE(readable(dmabuf));

	/* The caller's dma-buf outlives buffer and session, memory intact. */
	EXPECT_EQ(base + (long long)len, pool_stat("kernelheap", "used"));
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, dmabuf, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, mmngr2_dmabuf_sync_begin(dmabuf, MMNGR2_READ));
	EXPECT_TRUE(all_bytes(p, 0xa5, len));
	EXPECT_EQ(0, mmngr2_dmabuf_sync_end(dmabuf, MMNGR2_READ));
	munmap(p, len);
	close(dmabuf);
	EXPECT_EQ(base, pool_stat("kernelheap", "used"));
}

/* Closing a session without buffers closes its descriptors at once. */
TEST(close_without_buffers)
{
	struct mmngr2 *mm;
	int fd;

	ASSERT_EQ(0, mmngr2_open(&mm));
	fd = mmngr2_fd(mm);
	EXPECT_TRUE(fd_open(fd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	mmngr2_close(mm);
	EXPECT_FALSE(fd_open(fd));
	mmngr2_close(NULL);
}

/*
 * Size tags: a program built with a later, longer struct gets the fields
 * this library knows and zeroes beyond; a short size is refused untouched.
 */
TEST_F(own, size_tags)
{
	struct {
		struct mmngr2_pool pool;
		__u64 later[3];
	} big;
	struct {
		struct mmngr2_import imp;
		__u64 later[2];
	} bigimp;
	struct mmngr2_pool pool;
	struct mmngr2_buf *buf;
	int fd;

	memset(&big, 0xff, sizeof(big));
	ASSERT_EQ(0, mmngr2_pool_get(self->mm, self->heap, &big.pool,
				     sizeof(big)));
	ASSERT_EQ(0, mmngr2_pool_get(self->mm, self->heap, &pool, sizeof(pool)));
	EXPECT_EQ(0, memcmp(&pool, &big.pool, sizeof(pool)));
	EXPECT_TRUE(all_bytes(big.later, 0, sizeof(big.later)));
	EXPECT_STREQ("kernelheap", big.pool.name);

	memset(&pool, 0xee, sizeof(pool));
	EXPECT_EQ(-EINVAL, mmngr2_pool_get(self->mm, self->heap, &pool,
					   sizeof(pool) - 1));
	EXPECT_TRUE(all_bytes(&pool, 0xee, sizeof(pool)));
	EXPECT_EQ(-EINVAL, mmngr2_pool_get(self->mm, self->heap, NULL,
					   sizeof(pool)));

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->heap, self->page, 0,
				  MMNGR2_CACHED, &buf));
	fd = mmngr2_export(buf, 0, 0, O_RDWR);
	ASSERT_LE(0, fd);
	memset(&bigimp, 0xff, sizeof(bigimp));
	EXPECT_EQ(-EINVAL, mmngr2_import(self->mm, fd, &bigimp.imp,
					 sizeof(bigimp.imp) - 8));
	ASSERT_EQ(0, mmngr2_import(self->mm, fd, &bigimp.imp, sizeof(bigimp)));
	/* The import holds the dma-buf: the caller's fd may go at once. */
	close(fd);
	EXPECT_EQ(mmngr2_buf_dev_addr(buf), bigimp.imp.dev_addr);
	EXPECT_EQ(self->page, bigimp.imp.size);
	EXPECT_EQ(0, bigimp.imp.pad);
	EXPECT_TRUE(all_bytes(bigimp.later, 0, sizeof(bigimp.later)));
	EXPECT_EQ(0, mmngr2_import_release(self->mm, bigimp.imp.handle));
	mmngr2_free(buf);
}

TEST_HARNESS_MAIN
