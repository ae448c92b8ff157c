// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commands that return a new file descriptor, in a process that may open
 * no more (RLIMIT_NOFILE): MMNGRBUF_IOCTL_ALLOC, MMNGRBUF_IOCTL_EXPORT,
 * the Renesas EXPORT_START and a fence's sync_file fail with EMFILE, and
 * nothing they made stays behind: no memory, no reference on the buffer,
 * no export to end, no fence holding the buffer up.
 */

#include "mmngrbuf_test.h"

#include <sys/resource.h>
#include <linux/rgnmm.h>

#include "kselftest_harness.h"

#define SIZE	(8 * 4096)

/* The descriptor the next open() would get. */
static int next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* No descriptor left beyond those open now; 0 or -1. */
static int no_more_fds(const struct rlimit *saved)
{
	struct rlimit none = *saved;

	none.rlim_cur = next_fd();
	return setrlimit(RLIMIT_NOFILE, &none);
}

/* heap_used(), which opens a file: with room for it for a moment. */
static long long heap_used_now(const struct rlimit *saved)
{
	long long v;

	if (setrlimit(RLIMIT_NOFILE, saved))
		return -1;
	v = heap_used();
	return no_more_fds(saved) ? -1 : v;
}

FIXTURE(nofd) {
	int bfd;
	int mfd;
	int dfd;		/* a dma-buf made while there was room */
	struct rlimit saved;
	long long base;		/* heap bytes in use before the test */
};

FIXTURE_SETUP(nofd)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->mfd);
	self->dfd = alloc_dmabuf(self->bfd, SIZE, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
	self->base = heap_used();
	ASSERT_LE(0, self->base);

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &self->saved));
	ASSERT_EQ(0, no_more_fds(&self->saved));
	ASSERT_EQ(-1, dup(0));
	ASSERT_EQ(EMFILE, errno);
}

FIXTURE_TEARDOWN(nofd)
{
	setrlimit(RLIMIT_NOFILE, &self->saved);
	close(self->dfd);
	close(self->mfd);
	close(self->bfd);
}

TEST_F(nofd, alloc)
{
	struct mmngrbuf_alloc a = { .size = SIZE, .fd_flags = O_RDWR | O_CLOEXEC };

	a.mmngr_fd = self->mfd;
	a.pool = heap_pool(self->mfd);
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
	EXPECT_EQ(EMFILE, errno);
	/* The buffer went with the dma-buf nobody got. */
	EXPECT_EQ(self->base, heap_used_now(&self->saved));
}

TEST_F(nofd, modern_export)
{
	struct mmngr_alloc a = { .size = SIZE };
	struct mmngr_free f;
	struct mmngrbuf_export e;

	a.pool = heap_pool(self->mfd);
	ASSERT_EQ(0, ioctl(self->mfd, MMNGR_IOCTL_ALLOC, &a));
	EXPECT_EQ(self->base + SIZE, heap_used_now(&self->saved));
	memset(&e, 0, sizeof(e));
	e.mmngr_fd = self->mfd;
	e.handle = a.handle;
	e.fd_flags = O_RDWR;
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EMFILE, errno);
	/* No dma-buf holds the buffer: FREE gives the memory back. */
	f.handle = a.handle;
	f.reserved = 0;
	EXPECT_EQ(0, ioctl(self->mfd, MMNGR_IOCTL_FREE, &f));
	EXPECT_EQ(self->base, heap_used_now(&self->saved));
}

TEST_F(nofd, renesas_export)
{
	struct MM_PARAM mp = { .size = SIZE, .flag = MM_KERNELHEAP };
	struct MM_BUF_PARAM p = { .size = SIZE, .buf = -1 };
	int rfd;

	/* The one descriptor this needs: make room for it, then none. */
	setrlimit(RLIMIT_NOFILE, &self->saved);
	rfd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, no_more_fds(&self->saved));
	ASSERT_EQ(0, ioctl(rfd, MM_IOC_ALLOC, &mp));
	ASSERT_EQ(0, ioctl(rfd, MM_IOC_GET, &mp));
	p.hard_addr = mp.hard_addr;
	EXPECT_EQ(-1, ioctl(self->bfd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EMFILE, errno);
	/* Nothing was exported, so nothing to end. */
	EXPECT_EQ(-1, ioctl(self->bfd, MM_IOC_EXPORT_END, &p));
	EXPECT_EQ(EINVAL, errno);
	close(rfd);
	EXPECT_EQ(self->base, heap_used_now(&self->saved));
}

TEST_F(nofd, fence_sync_file)
{
	struct mmngrbuf_fence_attach a = { .fd = self->dfd, .timeout_ms = 60000,
					   .flags = MMNGRBUF_FENCE_WRITE |
						    MMNGRBUF_FENCE_SYNC_FILE };

	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a));
	EXPECT_EQ(EMFILE, errno);
	/* The fence nobody can signal was cancelled: writers go ahead. */
	EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
	EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	/* Without a sync_file it needs no descriptor. */
	a.flags = MMNGRBUF_FENCE_WRITE;
	a.fence = 0;
	a.sync_file = 0;
	EXPECT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a));
	EXPECT_EQ(0, poll_ready(self->dfd, POLLOUT, 0));
}

TEST_HARNESS_MAIN
