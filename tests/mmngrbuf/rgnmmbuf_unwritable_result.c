// SPDX-License-Identifier: GPL-2.0-only
/*
 * Modern commands whose argument the kernel can read but not write back (a
 * read-only page) fail with EFAULT and undo what the caller never learnt
 * of: an import leaves no handle, a fence is signalled (cancelled) so that
 * it holds nobody up, and a sync_file leaves no descriptor behind.
 */

#include "mmngrbuf_test.h"

#include "kselftest_harness.h"

#define SIZE	(16 * 4096)

/* A page holding a copy of @arg, made read-only; NULL on failure. */
static void *read_only_copy(const void *arg, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, arg, len);
	if (mprotect(p, 4096, PROT_READ)) {
		munmap(p, 4096);
		return NULL;
	}
	return p;
}

/* The descriptor the next open() would get. */
static int next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static int fence_attach(int bfd, int dfd, __u32 flags, __u32 *fence)
{
	struct mmngrbuf_fence_attach a = { .fd = dfd, .flags = flags,
					   .timeout_ms = 60000 };
	int ret = ioctl(bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a);

	if (!ret)
		*fence = a.fence;
	return ret;
}

static int fence_signal(int bfd, __u32 fence)
{
	struct mmngrbuf_fence_signal s = { .fence = fence };

	return ioctl(bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s);
}

FIXTURE(ro) {
	int bfd;
	int dfd;
};

FIXTURE_SETUP(ro)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->dfd = alloc_dmabuf(self->bfd, SIZE, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
}

FIXTURE_TEARDOWN(ro)
{
	close(self->dfd);
	close(self->bfd);
}

TEST_F(ro, import_keeps_no_handle)
{
	struct mmngrbuf_import i = { .fd = self->dfd }, *ro;
	struct mmngrbuf_import_release r = { .handle = 1 };

	ro = read_only_copy(&i, sizeof(i));
	ASSERT_TRUE(!!ro);
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);
	/* A file's first handle is 1: it was taken back. */
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &r));
	EXPECT_EQ(ENOENT, errno);

	/* And the buffer imports as usual. */
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &i));
	EXPECT_EQ(SIZE, i.size);
	r.handle = i.handle;
	EXPECT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &r));
}

TEST_F(ro, fence_is_cancelled)
{
	const __u32 flag_sets[] = {
		MMNGRBUF_FENCE_WRITE,
		MMNGRBUF_FENCE_WRITE | MMNGRBUF_FENCE_SYNC_FILE,
		MMNGRBUF_FENCE_SYNC_FILE,
	};
	struct mmngrbuf_fence_attach a, *ro;
	unsigned int k;
	__u32 fence;
	int fd;

	for (k = 0; k < ARRAY_SIZE(flag_sets); k++) {
		memset(&a, 0, sizeof(a));
		a.fd = self->dfd;
		a.flags = flag_sets[k];
		a.timeout_ms = 60000;
		ro = read_only_copy(&a, sizeof(a));
		ASSERT_TRUE(!!ro);
		fd = next_fd();
		EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, ro));
		EXPECT_EQ(EFAULT, errno);
		munmap(ro, 4096);
		/* No sync_file descriptor was installed. */
		EXPECT_EQ(fd, next_fd());
		/* The fence is signalled: readers and writers go ahead. */
		EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
		EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		/* A new write fence meets no conflict, then holds writers. */
		ASSERT_EQ(0, fence_attach(self->bfd, self->dfd,
					  MMNGRBUF_FENCE_WRITE, &fence));
		EXPECT_EQ(0, poll_ready(self->dfd, POLLOUT, 0));
		EXPECT_EQ(0, fence_signal(self->bfd, fence));
		EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
	}
}

TEST_HARNESS_MAIN
