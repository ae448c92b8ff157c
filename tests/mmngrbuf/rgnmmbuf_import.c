// SPDX-License-Identifier: GPL-2.0-only
/*
 * Importing dma-bufs (the Renesas IMPORT_START / IMPORT_END and the modern
 * MMNGRBUF_IOCTL_IMPORT / _RELEASE): a contiguous buffer gives its device
 * address, a scattered one a clear error (EXDEV), never its first piece.
 * Exporters: mmngr itself, vgem, vivid (vb2-vmalloc and vb2-dma-contig),
 * and where the kernel has them the CMA and system dma-buf heaps and
 * udmabuf.  Whether a foreign buffer is contiguous is read from
 * /proc/self/pagemap where it can be, so the expectation is the truth.
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
 * physical layout of its pages, from /proc/self/pagemap once they are
 * mapped and touched: it imports if it is contiguous and within the
 * device's reach (beyond it, the device would see bounce buffers).
 * pagemap cannot see into VM_PFNMAP mappings (vgem's, the system heap's,
 * vb2-dma-contig's): there the two ABIs must agree, and a buffer known to
 * be contiguous (expect_contiguous) must import if no RAM is beyond reach.
 */
static void check_foreign(struct __test_metadata *_metadata, int bfd, int dfd,
			  size_t size, int expect_contiguous)
{
	/* Exporters size dma-bufs in whole pages. */
	const size_t dsize = (size + getpagesize() - 1) & ~((size_t)getpagesize() - 1);
	struct mmngrbuf_import i;
	int contiguous, ok;
	__u64 end;
	size_t rsize;
	__u32 hard;
	char *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x5a, size);
	contiguous = phys_contiguous(p, size);
	end = phys_end(p, size);
	ksft_print_msg("%zu bytes: %s%s\n", size, contiguous < 0 ? "layout unknown (PFN map)" :
		       contiguous ? "contiguous" : "scattered",
		       end > MMNGRBUF_REACH ? ", beyond the device's reach" : "");
	if (contiguous < 0 && expect_contiguous && !ram_beyond_reach())
		contiguous = 1;
	if (contiguous > 0 && end > MMNGRBUF_REACH)
		contiguous = 0;

	ok = !import(bfd, dfd, &i);
	/*
	 * Beyond the device's reach, swiotlb cannot take a large buffer at
	 * all: the exporter's mapping fails (EIO from the DMA API).
	 */
	if (!ok && !(errno == EIO && ram_beyond_reach() > 0))
		EXPECT_EQ(EXDEV, errno);
	if (contiguous >= 0)
		EXPECT_EQ(contiguous, ok);
	if (ok) {
		EXPECT_EQ(dsize, i.size);
		EXPECT_NE(0, i.dev_addr);
		EXPECT_EQ(0, i.dev_addr & 4095);
		/*
		 * One at a time: exporters that sync on map (the CMA heap,
		 * vb2-vmalloc) do not support overlapping mappings.
		 */
		EXPECT_EQ(0, import_release(bfd, i.handle));
		ASSERT_EQ(0, rgnmm_import(bfd, dfd, &rsize, &hard));
		EXPECT_EQ(dsize, rsize);
		EXPECT_EQ(i.dev_addr, hard);
		EXPECT_EQ(0, rgnmm_import_end(bfd));
	} else {
		EXPECT_EQ(-1, rgnmm_import(bfd, dfd, &rsize, &hard));
		if (!(errno == EIO && ram_beyond_reach() > 0))
			EXPECT_EQ(EXDEV, errno);
		/* Nothing was kept: IMPORT_END has nothing to end. */
		EXPECT_EQ(-1, rgnmm_import_end(bfd));
		EXPECT_EQ(EINVAL, errno);
	}
	ksft_print_msg("imported: %s\n", ok ? "yes" : "EXDEV");
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
	if (vgem_attach_warns()) {
		close(vgem);
		SKIP(return, "vgem before 5.16 WARNs when attached on this architecture");
	}
	dfd = vgem_dmabuf(vgem, 4096);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, 4096, 1);
	close(dfd);
	dfd = vgem_dmabuf(vgem, 4 * MiB);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, 4 * MiB, 0);
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
	EXPECT_EQ(0, import_release(self->bfd, i.handle));
	check_foreign(_metadata, self->bfd, dfd, 2 * MiB, 1);
	close(dfd);
}

TEST_F(imp, foreign_system_heap)
{
	int dfd;

	if (access("/dev/dma_heap/system", F_OK))
		SKIP(return, "kernel has no system dma-buf heap (CONFIG_DMABUF_HEAPS_SYSTEM)");
	dfd = heap_dmabuf("system", 4 * MiB);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, 4 * MiB, 0);
	close(dfd);
}

TEST_F(imp, foreign_udmabuf)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 4 * MiB };
	int dev, memfd, dfd;
	off_t off;

	if (access("/dev/udmabuf", F_OK))
		SKIP(return, "kernel has no udmabuf (CONFIG_UDMABUF)");
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memfd = memfd_create("udmabuf-test", MFD_ALLOW_SEALING);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, c.size));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	/* Last page first: the page allocator hands them out descending. */
	for (off = c.size; off; off -= 4096)
		ASSERT_EQ(1, pwrite(memfd, "x", 1, off - 4096));
	c.memfd = memfd;
	dfd = ioctl(dev, UDMABUF_CREATE, &c);
	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, c.size, 0);
	close(dfd);
	close(memfd);
	close(dev);
}

/*
 * One page of a memfd, shared through udmabuf, whose frame lies beyond
 * (beyond = 1) or within (0) the device's reach; -1 if none turned up.
 */
static int udmabuf_page(int dev, int beyond)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	long page = getpagesize();
	int try, fd, above;
	__u64 end;
	char *p;

	for (try = 0; try < 256; try++) {
		fd = memfd_create("udmabuf-reach", MFD_ALLOW_SEALING);
		if (fd < 0 || ftruncate(fd, page) ||
		    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))
			return -1;
		p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return -1;
		p[0] = 1;
		end = phys_end(p, page);
		munmap(p, page);
		above = end > MMNGRBUF_REACH;
		if (end && above == beyond) {
			c.memfd = fd;
			c.size = page;
			return ioctl(dev, UDMABUF_CREATE, &c);
		}
		/*
		 * Every memfd stays open until the test ends, so that each
		 * try gets a page of its own.
		 */
	}
	return -1;
}

/*
 * A device whose DMA mask does not reach a buffer would be handed a swiotlb
 * bounce address for it: IMPORT refuses that with EXDEV, as it does a
 * scattered buffer, where a reachable page of the same kind imports.
 */
TEST_F(imp, beyond_reach_is_refused)
{
	struct mmngrbuf_import i;
	int dev, dfd;
	size_t rsize;
	__u32 hard;

	if (ram_beyond_reach() <= 0)
		SKIP(return, "no RAM beyond the device's 32-bit reach in this machine");
	if (access("/dev/udmabuf", F_OK))
		SKIP(return, "kernel has no udmabuf (CONFIG_UDMABUF) to share a chosen page");
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);

	dfd = udmabuf_page(dev, 1);
	ASSERT_LE(0, dfd) TH_LOG("no page above 4 GiB");
	EXPECT_EQ(-1, import(self->bfd, dfd, &i));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_EQ(-1, rgnmm_import(self->bfd, dfd, &rsize, &hard));
	EXPECT_EQ(EXDEV, errno);
	close(dfd);

	/*
	 * The page allocator serves ZONE_NORMAL (above 4 GiB here) before
	 * ZONE_DMA32, so a page within reach may not come in 256 tries; when
	 * one does, it imports.
	 */
	dfd = udmabuf_page(dev, 0);
	if (dfd >= 0) {
		ASSERT_EQ(0, import(self->bfd, dfd, &i));
		EXPECT_GT(MMNGRBUF_REACH, i.dev_addr + i.size - 1);
		EXPECT_EQ(0, import_release(self->bfd, i.handle));
		close(dfd);
	} else {
		TH_LOG("no memfd page below 4 GiB to import for comparison");
	}
	close(dev);
}

/* A vivid capture buffer of instance inst, exported with VIDIOC_EXPBUF. */
static int vivid_dmabuf(int inst, int *vfd, size_t *size)
{
	struct v4l2_requestbuffers req = { .count = 1, .memory = V4L2_MEMORY_MMAP,
					   .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_exportbuffer e = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
				       .flags = O_RDWR | O_CLOEXEC };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	*vfd = open_vivid(inst);
	if (*vfd < 0)
		return -1;
	fmt.fmt.pix.width = 1280;
	fmt.fmt.pix.height = 720;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	if (ioctl(*vfd, VIDIOC_S_FMT, &fmt) || ioctl(*vfd, VIDIOC_REQBUFS, &req) ||
	    ioctl(*vfd, VIDIOC_EXPBUF, &e))
		return -1;
	*size = (fmt.fmt.pix.sizeimage + 4095) & ~4095UL;
	return e.fd;
}

/* vb2-vmalloc memory: pages from vmalloc(), pagemap knows the layout. */
TEST_F(imp, foreign_vivid_vmalloc)
{
	size_t size;
	int vfd, dfd = vivid_dmabuf(0, &vfd, &size);

	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, size, 0);
	close(dfd);
	close(vfd);
}

/* vb2-dma-contig memory is contiguous by construction. */
TEST_F(imp, foreign_vivid_dma_contig)
{
	size_t size;
	int vfd, dfd = vivid_dmabuf(1, &vfd, &size);

	ASSERT_LE(0, dfd);
	check_foreign(_metadata, self->bfd, dfd, size, 1);
	close(dfd);
	close(vfd);
}

TEST_HARNESS_MAIN
