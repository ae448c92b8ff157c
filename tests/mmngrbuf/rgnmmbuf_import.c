// SPDX-License-Identifier: GPL-2.0-only
/*
 * Importing dma-bufs (the Renesas IMPORT_START / IMPORT_END and the modern
 * MMNGRBUF_IOCTL_IMPORT / _RELEASE): a contiguous buffer gives its device
 * address, a scattered one a clear error (EXDEV), never its first piece.
 * Exporters: mmngr itself, vgem, and where the kernel has them the CMA and
 * system dma-buf heaps and udmabuf.  Whether a foreign buffer is contiguous
 * is read from /proc/self/pagemap, so the expectation is the truth.
 */

#include "mmngrbuf_test.h"

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/dma-heap.h>
#include <linux/rgnmm.h>
#include <linux/udmabuf.h>

#include "kselftest_harness.h"

static int rgnmm_import(int bfd, int dfd, size_t *size, __u32 *hard)
{
	struct MM_BUF_PARAM p = { .buf = dfd };

	if (ioctl(bfd, MM_IOC_IMPORT_START, &p))
		return -1;
	*size = p.size;
	*hard = p.hard_addr;
	return 0;
}

static int rgnmm_import_end(int bfd)
{
	struct MM_BUF_PARAM p = { .buf = -1 };

	return ioctl(bfd, MM_IOC_IMPORT_END, &p);
}

static int import(int bfd, int dfd, struct mmngrbuf_import *i)
{
	memset(i, 0, sizeof(*i));
	i->fd = dfd;
	return ioctl(bfd, MMNGRBUF_IOCTL_IMPORT, i);
}

static int import_release(int bfd, __u32 handle)
{
	struct mmngrbuf_import_release r = { .handle = handle };

	return ioctl(bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &r);
}

/* A vgem dumb buffer of size bytes as a dma-buf; -1 if vgem is missing. */
static int vgem_dmabuf(int vgem, size_t size)
{
	struct drm_mode_create_dumb c = { .width = size / 4, .height = 1, .bpp = 32 };
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR };

	if (ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return -1;
	p.handle = c.handle;
	if (ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		return -1;
	return p.fd;
}

/*
 * Import a foreign dma-buf both ways and check the outcome against the
 * physical layout of its pages (mapped, and touched so they exist).
 */
static void check_foreign(struct __test_metadata *_metadata, int bfd, int dfd,
			  size_t size)
{
	struct mmngrbuf_import i;
	int contiguous;
	size_t rsize;
	__u32 hard;
	char *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x5a, size);
	contiguous = phys_contiguous(p, size);
	ASSERT_NE(-1, contiguous);
	ksft_print_msg("%zu bytes, %s\n", size, contiguous ? "contiguous" : "scattered");

	if (contiguous) {
		ASSERT_EQ(0, import(bfd, dfd, &i));
		EXPECT_EQ(size, i.size);
		EXPECT_NE(0, i.dev_addr);
		ASSERT_EQ(0, rgnmm_import(bfd, dfd, &rsize, &hard));
		EXPECT_EQ(size, rsize);
		EXPECT_EQ(i.dev_addr, hard);
		EXPECT_EQ(0, rgnmm_import_end(bfd));
		EXPECT_EQ(0, import_release(bfd, i.handle));
	} else {
		EXPECT_EQ(-1, import(bfd, dfd, &i));
		EXPECT_EQ(EXDEV, errno);
		EXPECT_EQ(-1, rgnmm_import(bfd, dfd, &rsize, &hard));
		EXPECT_EQ(EXDEV, errno);
		/* Nothing was kept: IMPORT_END has nothing to end. */
		EXPECT_EQ(-1, rgnmm_import_end(bfd));
		EXPECT_EQ(EINVAL, errno);
	}
	munmap(p, size);
}

FIXTURE(imp) {
	int bfd;
};

FIXTURE_SETUP(imp)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
}

FIXTURE_TEARDOWN(imp)
{
	close(self->bfd);
}

/* Our own export comes back at the address the allocator gave. */
TEST_F(imp, own_export_round_trip)
{
	struct mmngrbuf_alloc a = { .size = MiB, .fd_flags = O_RDWR | O_CLOEXEC };
	struct mmngrbuf_import i;
	size_t size;
	__u32 hard;

	a.mmngr_fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a.mmngr_fd);
	a.pool = heap_pool(a.mmngr_fd);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
	close(a.mmngr_fd);

	ASSERT_EQ(0, rgnmm_import(self->bfd, a.fd, &size, &hard));
	EXPECT_EQ(MiB, size);
	EXPECT_EQ(a.dev_addr, hard);
	ASSERT_EQ(0, import(self->bfd, a.fd, &i));
	EXPECT_EQ(MiB, i.size);
	EXPECT_EQ(a.dev_addr, i.dev_addr);
	EXPECT_NE(0, i.handle);
	/* The import holds the buffer: closing the fd frees nothing. */
	close(a.fd);
	EXPECT_EQ(0, rgnmm_import_end(self->bfd));
	EXPECT_EQ(0, import_release(self->bfd, i.handle));
	EXPECT_EQ(-1, import_release(self->bfd, i.handle));
	EXPECT_EQ(ENOENT, errno);
}

/* The Renesas commands keep one import per file, as the original did. */
TEST_F(imp, renesas_sequence)
{
	int dfd = alloc_dmabuf(self->bfd, 8192, MMNGR_CACHING_CACHED);
	size_t size;
	__u32 hard;

	ASSERT_LE(0, dfd);
	EXPECT_EQ(-1, rgnmm_import_end(self->bfd));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, rgnmm_import(self->bfd, dfd, &size, &hard));
	EXPECT_EQ(-1, rgnmm_import(self->bfd, dfd, &size, &hard));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, rgnmm_import_end(self->bfd));
	EXPECT_EQ(-1, rgnmm_import_end(self->bfd));
	EXPECT_EQ(EINVAL, errno);
	/* Left imported: close releases it (kmemleak and the pool check). */
	ASSERT_EQ(0, rgnmm_import(self->bfd, dfd, &size, &hard));
	close(dfd);
}

/* Closing the file releases every import and the buffer goes back. */
TEST_F(imp, close_releases_imports)
{
	long long base = heap_used();
	struct mmngrbuf_import i;
	int bfd2, dfd, n;

	bfd2 = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd2);
	dfd = alloc_dmabuf(self->bfd, MiB, MMNGR_CACHING_WRITECOMBINE);
	ASSERT_LE(0, dfd);
	for (n = 0; n < 5; n++)
		ASSERT_EQ(0, import(bfd2, dfd, &i));
	close(dfd);
	EXPECT_EQ(base + MiB, heap_used());
	close(bfd2);
	EXPECT_EQ(base, heap_used());
}

TEST_F(imp, invalid_arguments)
{
	int dfd = alloc_dmabuf(self->bfd, 4096, MMNGR_CACHING_CACHED);
	struct mmngrbuf_import i;
	size_t size;
	__u32 hard;
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dfd);
	EXPECT_EQ(-1, import(self->bfd, -1, &i));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, import(self->bfd, nul, &i));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, rgnmm_import(self->bfd, -1, &size, &hard));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, rgnmm_import(self->bfd, nul, &size, &hard));
	EXPECT_EQ(EINVAL, errno);

#define EXPECT_IMPORT_EINVAL(field) do {				\
		memset(&i, 0, sizeof(i));				\
		i.fd = dfd;						\
		i.field = 1;						\
		EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &i)); \
		EXPECT_EQ(EINVAL, errno);				\
	} while (0)
	EXPECT_IMPORT_EINVAL(flags);
	EXPECT_IMPORT_EINVAL(handle);
	EXPECT_IMPORT_EINVAL(reserved0);
	EXPECT_IMPORT_EINVAL(size);
	EXPECT_IMPORT_EINVAL(dev_addr);
	EXPECT_IMPORT_EINVAL(reserved[0]);
	EXPECT_IMPORT_EINVAL(reserved[1]);
	{
		struct mmngrbuf_import_release r = { .handle = 1, .reserved = 1 };

		EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &r));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, import_release(self->bfd, 77));
	EXPECT_EQ(ENOENT, errno);
	close(nul);
	close(dfd);
}

/* vgem's shmem pages: one page is contiguous, many usually are not. */
TEST_F(imp, foreign_vgem)
{
	int vgem = open_vgem(), dfd;

	ASSERT_LE(0, vgem);
	dfd = vgem_dmabuf(vgem, 4096);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, 4096);
	close(dfd);
	dfd = vgem_dmabuf(vgem, 4 * MiB);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, 4 * MiB);
	close(dfd);
	close(vgem);
}

static int heap_dmabuf(const char *name, size_t size)
{
	struct dma_heap_allocation_data d = { .len = size,
					      .fd_flags = O_RDWR | O_CLOEXEC };
	char path[64];
	int heap, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	heap = open(path, O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -1;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	return ret ? -1 : (int)d.fd;
}

/* The CMA heap's buffers are contiguous by construction. */
TEST_F(imp, foreign_cma_heap)
{
	struct mmngrbuf_import i;
	int dfd;

	if (access("/dev/dma_heap/reserved", F_OK))
		SKIP(return, "kernel has no CMA dma-buf heap (CONFIG_DMABUF_HEAPS_CMA)");
	dfd = heap_dmabuf("reserved", 2 * MiB);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, import(self->bfd, dfd, &i));
	EXPECT_EQ(2 * MiB, i.size);
	check_foreign(_metadata, self->bfd, dfd, 2 * MiB);
	close(dfd);
}

TEST_F(imp, foreign_system_heap)
{
	int dfd;

	if (access("/dev/dma_heap/system", F_OK))
		SKIP(return, "kernel has no system dma-buf heap (CONFIG_DMABUF_HEAPS_SYSTEM)");
	dfd = heap_dmabuf("system", 4 * MiB);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, 4 * MiB);
	close(dfd);
}

TEST_F(imp, foreign_udmabuf)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 4 * MiB };
	int dev, memfd, dfd;

	if (access("/dev/udmabuf", F_OK))
		SKIP(return, "kernel has no udmabuf (CONFIG_UDMABUF)");
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memfd = memfd_create("udmabuf-test", MFD_ALLOW_SEALING);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, c.size));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	c.memfd = memfd;
	dfd = ioctl(dev, UDMABUF_CREATE, &c);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, c.size);
	close(dfd);
	close(memfd);
	close(dev);
}

TEST_HARNESS_MAIN
