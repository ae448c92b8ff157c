// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMNGRBUF_IOCTL_ALLOC, mmngr's DMA_HEAP_IOCTL_ALLOC, put through the cases
 * of the upstream dma-buf heaps selftest: allocate, mmap and sync, import
 * into vgem; allocations are zeroed even when the memory was just used;
 * older and newer structure sizes; invalid arguments.  Also: every pool
 * that has struct pages can back a dma-buf, and the memory goes back to the
 * pool when the last user lets go.
 */

#include "mmngrbuf_test.h"

#include <drm/drm.h>

#include "kselftest_harness.h"

FIXTURE(alloc) {
	int bfd;
	int mfd;
	int heap;
};

FIXTURE_SETUP(alloc)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->mfd);
	self->heap = heap_pool(self->mfd);
	ASSERT_LE(0, self->heap);
}

FIXTURE_TEARDOWN(alloc)
{
	close(self->mfd);
	close(self->bfd);
}

static void init_alloc(struct mmngrbuf_alloc *a, int mfd, int pool, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->mmngr_fd = mfd;
	a->pool = pool;
	a->size = size;
	a->fd_flags = O_RDWR | O_CLOEXEC;
}

TEST_F(alloc, mmap_sync_and_vgem_import)
{
	struct drm_prime_handle p;
	struct mmngrbuf_alloc a;
	int vgem;
	char *m;

	init_alloc(&a, self->mfd, self->heap, 1 * MiB);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
	ASSERT_LE(0, a.fd);
	EXPECT_NE(0, a.dev_addr);
	EXPECT_TRUE(!!(fcntl(a.fd, F_GETFD) & FD_CLOEXEC));
	EXPECT_EQ(O_RDWR, fcntl(a.fd, F_GETFL) & O_ACCMODE);
	m = mmap(NULL, 1 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	ASSERT_EQ(0, dmabuf_sync(a.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	memset(m, 1, 1 * MiB);
	ASSERT_EQ(0, dmabuf_sync(a.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	munmap(m, 1 * MiB);

	vgem = open_vgem();
	ASSERT_LE(0, vgem);
	memset(&p, 0, sizeof(p));
	p.fd = a.fd;
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p));
	close(vgem);	/* drops the import */
	close(a.fd);
}

/* Memory is zeroed when handed out, also memory someone just dirtied. */
TEST_F(alloc, allocations_are_zeroed)
{
	const size_t size = 64 * 1024;
	struct mmngrbuf_alloc a;
	int fds[32], i, pass;
	char *m;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 32; i++) {
			init_alloc(&a, self->mfd, self->heap, size);
			ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
			fds[i] = a.fd;
			m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
			ASSERT_TRUE(m != MAP_FAILED);
			EXPECT_TRUE(all_bytes(m, 0, size));
			memset(m, 0xff, size);
			munmap(m, size);
		}
		for (i = 0; i < 32; i++)
			close(fds[i]);
	}
}

/* The dma-buf is the buffer's only owner. */
TEST_F(alloc, memory_returns_with_last_user)
{
	long long base = heap_used();
	struct mmngrbuf_alloc a;
	char *m;

	init_alloc(&a, self->mfd, self->heap, 3 * MiB);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
	EXPECT_EQ(base + 3 * MiB, heap_used());
	m = mmap(NULL, 3 * MiB, PROT_READ, MAP_SHARED, a.fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	close(a.fd);
	close(self->mfd);	/* neither file holds it */
	self->mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	EXPECT_EQ(base + 3 * MiB, heap_used());
	EXPECT_TRUE(all_bytes(m, 0, 3 * MiB));
	munmap(m, 3 * MiB);
	EXPECT_EQ(base, heap_used());
}

/* Every pool that has struct pages backs dma-bufs; no-map pools cannot. */
TEST_F(alloc, every_pool)
{
	struct mmngr_pool_info info;
	struct mmngrbuf_alloc a;
	unsigned int i;
	char *m;

	for (i = 0; ; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(self->mfd, MMNGR_IOCTL_POOL_INFO, &info)) {
			EXPECT_EQ(ENOENT, errno);
			break;
		}
		init_alloc(&a, self->mfd, i, 2 * MiB);
		a.caching = MMNGR_CACHING_WRITECOMBINE;
		if (info.kind == MMNGR_POOL_KIND_NOMAP) {
			/* Importers could not map memory without pages. */
			EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
			EXPECT_EQ(EINVAL, errno);
			EXPECT_EQ(0, info.used);
			continue;
		}
		ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
		ksft_print_msg("pool %s: dma-buf at device address 0x%llx\n",
			       info.name, (unsigned long long)a.dev_addr);
		m = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
		ASSERT_TRUE(m != MAP_FAILED);
		EXPECT_TRUE(all_bytes(m, 0, 2 * MiB));
		munmap(m, 2 * MiB);
		close(a.fd);
	}
	EXPECT_LT(0, i);
}

/* An older, shorter structure: the missing tail reads as zero. */
struct mmngrbuf_alloc_v0 {
	__s32 mmngr_fd;
	__u32 pool;
	__u64 size;
	__u64 align;
	__u32 caching;
	__u32 fd_flags;
	__s32 fd;
	__u32 reserved0;
};

#define MMNGRBUF_IOCTL_ALLOC_V0	_IOWR(MMNGR_IOC_MAGIC, 0x21, struct mmngrbuf_alloc_v0)

struct mmngrbuf_alloc_next {
	struct mmngrbuf_alloc cur;
	__u64 extra[2];
};

#define MMNGRBUF_IOCTL_ALLOC_NEXT _IOWR(MMNGR_IOC_MAGIC, 0x21, struct mmngrbuf_alloc_next)

TEST_F(alloc, structure_sizes)
{
	struct mmngrbuf_alloc_v0 old = { .mmngr_fd = self->mfd, .pool = self->heap,
					 .size = 4096, .fd_flags = O_CLOEXEC };
	struct mmngrbuf_alloc_next next;

	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC_V0, &old));
	EXPECT_LE(0, old.fd);
	close(old.fd);

	memset(&next, 0, sizeof(next));
	init_alloc(&next.cur, self->mfd, self->heap, 4096);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC_NEXT, &next));
	close(next.cur.fd);
	next.cur.fd = 0;
	next.cur.dev_addr = 0;
	next.extra[1] = 1;	/* a field this kernel does not know */
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC_NEXT, &next));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(alloc, invalid_arguments)
{
	long long base = heap_used();
	struct mmngrbuf_alloc a;
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

#define EXPECT_ALLOC_ERRNO(err, field, value) do {			\
		init_alloc(&a, self->mfd, self->heap, 4096);		\
		a.field = value;					\
		EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a)); \
		EXPECT_EQ(err, errno);					\
	} while (0)

	EXPECT_ALLOC_ERRNO(EINVAL, size, 0);
	EXPECT_ALLOC_ERRNO(EINVAL, size, ~0ULL);
	EXPECT_ALLOC_ERRNO(EINVAL, align, 3 * 4096);
	EXPECT_ALLOC_ERRNO(EINVAL, caching, 3);
	EXPECT_ALLOC_ERRNO(EINVAL, pool, 1000);
	EXPECT_ALLOC_ERRNO(EINVAL, fd_flags, O_WRONLY);
	EXPECT_ALLOC_ERRNO(EINVAL, fd_flags, O_NONBLOCK);
	EXPECT_ALLOC_ERRNO(EINVAL, fd, 3);
	EXPECT_ALLOC_ERRNO(EINVAL, reserved0, 1);
	EXPECT_ALLOC_ERRNO(EINVAL, dev_addr, 1);
	EXPECT_ALLOC_ERRNO(EINVAL, reserved[0], 1);
	EXPECT_ALLOC_ERRNO(EINVAL, reserved[1], 1);
	EXPECT_ALLOC_ERRNO(EBADF, mmngr_fd, -1);
	EXPECT_ALLOC_ERRNO(EINVAL, mmngr_fd, nul);
	EXPECT_ALLOC_ERRNO(EINVAL, mmngr_fd, self->bfd);
	/* Refusals cost nothing. */
	EXPECT_EQ(base, heap_used());
	close(nul);
}

TEST_HARNESS_MAIN
