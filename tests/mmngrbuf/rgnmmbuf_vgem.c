// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real DRM importer: vgem PRIME-imports mmngr dma-bufs (attach and
 * map_dma_buf), hands back the same memory, and its fences on the imported
 * object hold up our buffer's users (poll(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
 * DMA_BUF_IOCTL_SYNC) until vgem signals them: one reservation object.
 * mmngrbuf's own fences on a vgem buffer hold vgem up in turn.
 *
 * PRIME import goes through libdrm's drmPrimeFDToHandle() where the build
 * has libdrm (64-bit builds), else through the ioctl it wraps.
 */

#include "mmngrbuf_test.h"

#include <ctype.h>
#include <pthread.h>
#include <sys/stat.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#ifdef HAVE_LIBDRM
#include <xf86drm.h>
#endif

#include "kselftest_harness.h"

#define SIZE	(256 * 1024)

static int prime_fd_to_handle(int drm, int fd, __u32 *handle)
{
#ifdef HAVE_LIBDRM
	return drmPrimeFDToHandle(drm, fd, handle);
#else
	struct drm_prime_handle p = { .fd = fd };

	if (ioctl(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		return -errno;
	*handle = p.handle;
	return 0;
#endif
}

static int gem_close(int drm, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return ioctl(drm, DRM_IOCTL_GEM_CLOSE, &c);
}

static int vgem_fence_attach(int vgem, __u32 handle, __u32 flags, __u32 *fence)
{
	struct drm_vgem_fence_attach a = { .handle = handle, .flags = flags };

	if (ioctl(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &a))
		return -1;
	*fence = a.out_fence;
	return 0;
}

static int vgem_fence_signal(int vgem, __u32 fence)
{
	struct drm_vgem_fence_signal s = { .fence = fence };

	return ioctl(vgem, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

/* Whether debugfs bufinfo lists an mmngrbuf dma-buf attached to vgem. */
static int bufinfo_has_vgem_attachment(void)
{
	char line[256];
	int in_ours = 0, found = 0;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* Each buffer starts with its size, ..., its exporter. */
		if (isdigit((unsigned char)line[0]))
			in_ours = !!strstr(line, "\tmmngrbuf\t");
		if (in_ours && strstr(line, "vgem"))
			found = 1;
	}
	fclose(f);
	return found;
}

FIXTURE(vgem) {
	int bfd;
	int vgem;
	int dfd;
	unsigned char *map;
};

FIXTURE_SETUP(vgem)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->vgem = open_vgem();
	ASSERT_LE(0, self->vgem);
	self->dfd = alloc_dmabuf(self->bfd, SIZE, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
	self->map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->dfd, 0);
	ASSERT_TRUE(self->map != MAP_FAILED);
}

FIXTURE_TEARDOWN(vgem)
{
	munmap(self->map, SIZE);
	close(self->dfd);
	close(self->vgem);
	close(self->bfd);
}

TEST_F(vgem, prime_import_and_read_back)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct stat ours, theirs;
	__u32 handle = 0, again = 0;
	unsigned char *view;
	size_t i;

#ifdef HAVE_LIBDRM
	ksft_print_msg("PRIME import through libdrm\n");
#else
	ksft_print_msg("PRIME import through the ioctl: no libdrm for this ABI\n");
#endif
	ASSERT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	for (i = 0; i < SIZE; i++)
		self->map[i] = i * 7;
	ASSERT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));

	ASSERT_EQ(0, prime_fd_to_handle(self->vgem, self->dfd, &handle));
	EXPECT_EQ(1, bufinfo_has_vgem_attachment());

	/* vgem hands back our dma-buf, not a copy. */
	exp.handle = handle;
	ASSERT_EQ(0, ioctl(self->vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	ASSERT_EQ(0, fstat(self->dfd, &ours));
	ASSERT_EQ(0, fstat(exp.fd, &theirs));
	EXPECT_EQ(ours.st_ino, theirs.st_ino);
	view = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, exp.fd, 0);
	ASSERT_TRUE(view != MAP_FAILED);
	ASSERT_EQ(0, dmabuf_sync(exp.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	for (i = 0; i < SIZE; i++)
		if (view[i] != (unsigned char)(i * 7))
			break;
	EXPECT_EQ(SIZE, i);
	view[5] = 0xee;
	ASSERT_EQ(0, dmabuf_sync(exp.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0xee, self->map[5]);
	munmap(view, SIZE);
	close(exp.fd);

	/* Importing again finds the same object. */
	ASSERT_EQ(0, prime_fd_to_handle(self->vgem, self->dfd, &again));
	EXPECT_EQ(handle, again);
	EXPECT_EQ(0, gem_close(self->vgem, handle));
	EXPECT_EQ(0, bufinfo_has_vgem_attachment());
}

/* vgem's write fence on the imported object: every waiter of ours waits. */
TEST_F(vgem, vgem_fence_holds_our_users)
{
	struct dma_buf_export_sync_file es = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };
	struct mmngrbuf_fence_attach a = { .fd = self->dfd };
	struct sync_waiter w = { .dfd = self->dfd, .flags = DMA_BUF_SYNC_READ };
	__u32 handle = 0, fence = 0;
	pthread_t t;

	if (!has_export_sync_file(self->dfd))
		SKIP(return, "no DMA_BUF_IOCTL_EXPORT_SYNC_FILE in this kernel (6.0)");

	ASSERT_EQ(0, prime_fd_to_handle(self->vgem, self->dfd, &handle));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, handle, VGEM_FENCE_WRITE, &fence));

	EXPECT_EQ(0, poll_ready(self->dfd, POLLIN, 0));
	ASSERT_EQ(0, ioctl(self->dfd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es));
	EXPECT_EQ(0, sync_file_status(es.fd));
	/* One reservation object: ours conflicts with vgem's. */
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, pthread_create(&t, NULL, sync_waiter_run, &w));
	usleep(300 * 1000);
	EXPECT_EQ(0, sync_waiter_done(&w));

	ASSERT_EQ(0, vgem_fence_signal(self->vgem, fence));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	EXPECT_EQ(1, sync_file_status(es.fd));
	EXPECT_EQ(1, poll_ready(self->dfd, POLLIN, 0));
	close(es.fd);
	EXPECT_EQ(0, gem_close(self->vgem, handle));
}

/* And the other way: our fence on a vgem buffer holds vgem up. */
TEST_F(vgem, our_fence_holds_vgem)
{
	struct drm_mode_create_dumb c = { .width = 64, .height = 64, .bpp = 32 };
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct mmngrbuf_fence_attach a = { .flags = MMNGRBUF_FENCE_WRITE };
	struct mmngrbuf_fence_signal s = { 0 };
	__u32 fence;

	ASSERT_EQ(0, ioctl(self->vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c));
	p.handle = c.handle;
	ASSERT_EQ(0, ioctl(self->vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p));
	a.fd = p.fd;
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a));
	EXPECT_EQ(-1, vgem_fence_attach(self->vgem, c.handle, 0, &fence));
	EXPECT_EQ(EBUSY, errno);
	s.fence = a.fence;
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, c.handle, 0, &fence));
	EXPECT_EQ(0, vgem_fence_signal(self->vgem, fence));
	close(p.fd);
	EXPECT_EQ(0, gem_close(self->vgem, c.handle));
}

TEST_HARNESS_MAIN
