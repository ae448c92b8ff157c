// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmmngr's mmngr2 interface: pools, allocation, mapping, CPU access,
 * export, dma-buf allocation, import, fences, and a zero-copy path through
 * real drivers: vivid captures into an mmngr buffer, vgem imports it.
 */

#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/videodev2.h>

#include <mmngr2.h>

#include "kselftest_harness.h"
#include "libmmngr_test.h"

static int cloexec(int fd)
{
	return fcntl(fd, F_GETFD) == FD_CLOEXEC;
}

FIXTURE(mm) {
	struct mmngr2 *mm;
	int heap, multimedia;
};

FIXTURE_SETUP(mm)
{
	ASSERT_EQ(0, mmngr2_open(&self->mm));
	self->heap = mmngr2_pool_find(self->mm, "kernelheap");
	ASSERT_LE(0, self->heap);
	self->multimedia = mmngr2_pool_find(self->mm, "multimedia");
	ASSERT_LE(0, self->multimedia);
}

FIXTURE_TEARDOWN(mm)
{
	mmngr2_close(self->mm);
}

TEST_F(mm, pools)
{
	struct mmngr2_pool p;
	unsigned int i;
	int ret;

	for (i = 0; !(ret = mmngr2_pool_get(self->mm, i, &p, sizeof(p))); i++) {
		EXPECT_EQ(i, p.index);
		EXPECT_LT(0, strlen(p.name));
		/* The same figures as sysfs. */
		EXPECT_EQ(pool_stat(p.name, "size"), (long long)p.size);
		EXPECT_EQ(pool_stat(p.name, "used"), (long long)p.used);
		EXPECT_EQ((int)i, mmngr2_pool_find(self->mm, p.name));
		EXPECT_NE(0, p.caching);
	}
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_LE(2, i);
	EXPECT_EQ(-ENOENT, mmngr2_pool_find(self->mm, "no-such-pool"));
}

TEST_F(mm, alloc_map_free)
{
	long long base = pool_stat("multimedia", "used");
	struct mmngr2_buf *buf;
	unsigned char *p, *q;

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->multimedia, 1 * MiB - 100,
				  64 * 1024, MMNGR2_WRITECOMBINE, &buf));
	EXPECT_EQ(1 * MiB, mmngr2_buf_size(buf));
	EXPECT_EQ(0, mmngr2_buf_dev_addr(buf) % (64 * 1024));
	EXPECT_NE(0, mmngr2_buf_handle(buf));
	EXPECT_EQ(base + 1 * MiB, pool_stat("multimedia", "used"));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&p));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&q));
	EXPECT_TRUE(p == q);
	EXPECT_TRUE(all_bytes(p, 0, 1 * MiB));
	memset(p, 0x11, 1 * MiB);
	mmngr2_free(buf);
	EXPECT_EQ(base, pool_stat("multimedia", "used"));
	mmngr2_free(NULL);
}

TEST_F(mm, alloc_errors)
{
	struct mmngr2_buf *buf = NULL;

	EXPECT_EQ(-EINVAL, mmngr2_alloc(self->mm, self->heap, 0, 0,
					MMNGR2_CACHED, &buf));
	EXPECT_EQ(-EINVAL, mmngr2_alloc(self->mm, 1000, 4096, 0,
					MMNGR2_CACHED, &buf));
	EXPECT_EQ(-EINVAL, mmngr2_alloc(self->mm, self->heap, 4096, 0, 7, &buf));
	EXPECT_EQ(-EINVAL, mmngr2_alloc(self->mm, self->heap, 4096, 3,
					MMNGR2_CACHED, &buf));
	EXPECT_EQ(-ENOMEM, mmngr2_alloc(self->mm, self->multimedia,
					pool_stat("multimedia", "size") + 4096,
					0, MMNGR2_WRITECOMBINE, &buf));
	EXPECT_TRUE(!buf);
}

TEST_F(mm, sync)
{
	struct mmngr2_buf *buf;
	unsigned char *p;

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->heap, 64 * 1024, 0,
				  MMNGR2_CACHED, &buf));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&p));
	EXPECT_EQ(0, mmngr2_sync_begin(buf, 0, 64 * 1024, MMNGR2_WRITE));
	memset(p, 0x7e, 64 * 1024);
	EXPECT_EQ(0, mmngr2_sync_end(buf, 0, 64 * 1024, MMNGR2_WRITE));
	EXPECT_EQ(0, mmngr2_sync_begin(buf, 4096, 100, MMNGR2_READ));
	EXPECT_EQ(0x7e, p[4096]);
	EXPECT_EQ(0, mmngr2_sync_end(buf, 4096, 100, MMNGR2_READ));
	EXPECT_EQ(-EINVAL, mmngr2_sync_begin(buf, 0, 4096, 0));
	EXPECT_EQ(-EINVAL, mmngr2_sync_begin(buf, 0, 4096, 8));
	EXPECT_EQ(-EINVAL, mmngr2_sync_begin(buf, 60 * 1024, 8192, MMNGR2_RW));
	EXPECT_EQ(-EINVAL, mmngr2_sync_end(buf, 0, 0, MMNGR2_RW));
	mmngr2_free(buf);
}

/* A dma-buf of a buffer outlives it; CPU access goes through the dma-buf. */
TEST_F(mm, export)
{
	long long base = pool_stat("kernelheap", "used");
	struct mmngr2_buf *buf;
	unsigned char *p, *v;
	int fd;

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->heap, 256 * 1024, 0,
				  MMNGR2_CACHED, &buf));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&p));
	memset(p, 0x2b, 256 * 1024);
	EXPECT_EQ(0, mmngr2_sync_end(buf, 0, 256 * 1024, MMNGR2_WRITE));
	fd = mmngr2_export(buf, 0, 0, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(cloexec(fd));
	EXPECT_EQ(-EINVAL, mmngr2_export(buf, 0, 0, O_RDWR | O_NONBLOCK));
	EXPECT_EQ(-EINVAL, mmngr2_export(buf, 0, 0, O_WRONLY));
	mmngr2_free(buf);
	EXPECT_EQ(base + 256 * 1024, pool_stat("kernelheap", "used"));

	v = mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(v != MAP_FAILED);
	EXPECT_EQ(0, mmngr2_dmabuf_sync_begin(fd, MMNGR2_RW));
	EXPECT_TRUE(all_bytes(v, 0x2b, 256 * 1024));
	EXPECT_EQ(0, mmngr2_dmabuf_sync_end(fd, MMNGR2_RW));
	EXPECT_EQ(-EINVAL, mmngr2_dmabuf_sync_end(fd, 0));
	munmap(v, 256 * 1024);
	close(fd);
	EXPECT_EQ(base, pool_stat("kernelheap", "used"));
	EXPECT_EQ(-EBADF, mmngr2_dmabuf_sync_begin(fd, MMNGR2_READ));
}

TEST_F(mm, alloc_dmabuf)
{
	long long base = pool_stat("multimedia", "used");
	__u64 addr = 0;
	unsigned char *v;
	int fd;

	/* __u64 and uint64_t: the same width, maybe not the same type. */
	fd = mmngr2_alloc_dmabuf(self->mm, self->multimedia, 128 * 1024,
				 128 * 1024, MMNGR2_WRITECOMBINE, O_RDWR,
				 (void *)&addr);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(cloexec(fd));
	EXPECT_NE(0, addr);
	EXPECT_EQ(0, addr % (128 * 1024));
	EXPECT_EQ(base + 128 * 1024, pool_stat("multimedia", "used"));
	v = mmap(NULL, 128 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(v != MAP_FAILED);
	EXPECT_TRUE(all_bytes(v, 0, 128 * 1024));
	munmap(v, 128 * 1024);
	close(fd);
	EXPECT_EQ(base, pool_stat("multimedia", "used"));
	EXPECT_GT(0, mmngr2_alloc_dmabuf(self->mm, self->multimedia, 0, 0,
					 MMNGR2_WRITECOMBINE, O_RDWR, NULL));
}

TEST_F(mm, import)
{
	struct mmngr2_import imp = { 0 };
	struct mmngr2_buf *buf;
	int fd, null;

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->multimedia, 64 * 1024, 0,
				  MMNGR2_WRITECOMBINE, &buf));
	fd = mmngr2_export(buf, 0, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mmngr2_import(self->mm, fd, &imp, sizeof(imp)));
	EXPECT_NE(0, imp.handle);
	EXPECT_EQ(64 * 1024, imp.size);
	EXPECT_EQ(mmngr2_buf_dev_addr(buf), imp.dev_addr);
	EXPECT_EQ(0, mmngr2_import_release(self->mm, imp.handle));
	EXPECT_GT(0, mmngr2_import_release(self->mm, imp.handle));
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EXPECT_GT(0, mmngr2_import(self->mm, null, &imp, sizeof(imp)));
	close(null);
	close(fd);
	mmngr2_free(buf);
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

TEST_F(mm, fences)
{
	__u32 wf, rf;
	struct mmngr2_buf *buf;
	int fd, sf = -2, sf2;

	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->heap, 4096, 0,
				  MMNGR2_WRITECOMBINE, &buf));
	fd = mmngr2_export(buf, 0, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mmngr2_fence_attach(self->mm, fd, MMNGR2_FENCE_WRITE |
					 MMNGR2_FENCE_SYNC_FILE, 0, &wf, &sf));
	ASSERT_LE(0, sf);
	EXPECT_TRUE(cloexec(sf));
	EXPECT_FALSE(readable(sf));
	/* Implicit sync: the dma-buf is busy for readers until signalled. */
	EXPECT_FALSE(readable(fd));
	EXPECT_EQ(-EBUSY, mmngr2_fence_attach(self->mm, fd, 0, 0, &rf, NULL));
	EXPECT_EQ(0, mmngr2_fence_signal(self->mm, wf, 0));
	EXPECT_TRUE(readable(sf));
	EXPECT_TRUE(readable(fd));
	EXPECT_EQ(-ENOENT, mmngr2_fence_signal(self->mm, wf, 0));
	close(sf);

	/* A read fence, completed with an error. */
	ASSERT_EQ(0, mmngr2_fence_attach(self->mm, fd, MMNGR2_FENCE_SYNC_FILE,
					 1000, &rf, &sf2));
	EXPECT_EQ(0, mmngr2_fence_signal(self->mm, rf, -EIO));
	EXPECT_TRUE(readable(sf2));
	close(sf2);
	EXPECT_EQ(-EINVAL, mmngr2_fence_attach(self->mm, fd,
					       MMNGR2_FENCE_SYNC_FILE, 0, &rf,
					       NULL));
	close(fd);
	mmngr2_free(buf);
}

/* ----- zero copy: vivid captures into the buffer, vgem imports it ----- */

/* The first vivid single-planar capture node, or -1. */
static int open_vivid(void)
{
	struct v4l2_capability cap;
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return fd;
		close(fd);
	}
	return -1;
}

/* The uapi of drm.h that the test needs, spelt out (no libdrm headers). */
struct drm_version_min {
	int major, minor, patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};

struct drm_prime_handle_min {
	__u32 handle, flags;
	__s32 fd;
};

#define DRM_IOCTL_VERSION_MIN	_IOWR('d', 0x00, struct drm_version_min)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE_MIN \
	_IOWR('d', 0x2e, struct drm_prime_handle_min)
#define DRM_IOCTL_PRIME_HANDLE_TO_FD_MIN \
	_IOWR('d', 0x2d, struct drm_prime_handle_min)

static int open_vgem(void)
{
	struct drm_version_min v;
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION_MIN, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

TEST_F(mm, zero_copy_vivid_to_vgem)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_requestbuffers req = {
		.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct v4l2_buffer vb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct drm_prime_handle_min prime = { 0 };
	struct stat st, gst;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct mmngr2_buf *buf;
	unsigned char *p;
	struct pollfd pfd;
	int vfd, gfd, dfd;
	__u64 size;

	/* Built in or absent, modprobe fails: the device search tells. */
	(void)!system("modprobe vivid 2>/dev/null; modprobe vgem 2>/dev/null");
	vfd = open_vivid();
	if (vfd < 0)
		SKIP(return, "no vivid capture device (CONFIG_VIDEO_VIVID)");
	gfd = open_vgem();
	if (gfd < 0) {
		close(vfd);
		SKIP(return, "no vgem device (CONFIG_DRM_VGEM)");
	}

	fmt.fmt.pix.width = 320;
	fmt.fmt.pix.height = 240;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_S_FMT, &fmt));
	size = fmt.fmt.pix.sizeimage;
	ASSERT_LT(0, size);

	/* An mmngr buffer, zeroed, handed to vivid as a dma-buf. */
	ASSERT_EQ(0, mmngr2_alloc(self->mm, self->multimedia, size, 0,
				  MMNGR2_CACHED, &buf));
	ASSERT_EQ(0, mmngr2_map(buf, (void **)&p));
	dfd = mmngr2_export(buf, 0, 0, O_RDWR);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_REQBUFS, &req));
	ASSERT_LE(1, req.count);
	/*
	 * Older vivid (5.10) streams only with two buffers queued and says so
	 * by raising the count: the same dma-buf goes in each.
	 */
	for (vb.index = 0; vb.index < req.count; vb.index++) {
		vb.m.fd = dfd;
		vb.length = mmngr2_buf_size(buf);
		ASSERT_EQ(0, ioctl(vfd, VIDIOC_QBUF, &vb));
	}
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_STREAMON, &type));
	pfd = (struct pollfd){ .fd = vfd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_DQBUF, &vb));
	EXPECT_EQ(0, ioctl(vfd, VIDIOC_STREAMOFF, &type));
	EXPECT_EQ(0, vb.flags & V4L2_BUF_FLAG_ERROR);
	EXPECT_EQ(size, vb.bytesused);

	/* The frame landed in the mmngr buffer: vivid's pattern, not zeros. */
	ASSERT_EQ(0, mmngr2_sync_begin(buf, 0, size, MMNGR2_READ));
	EXPECT_FALSE(all_bytes(p, 0, size));

	EXPECT_EQ(0, mmngr2_sync_end(buf, 0, size, MMNGR2_READ));

	/*
	 * vgem imports the same dma-buf (attaches and maps it for its
	 * device); exported again, the object is the very same dma-buf.
	 */
	prime.fd = dfd;
	ASSERT_EQ(0, ioctl(gfd, DRM_IOCTL_PRIME_FD_TO_HANDLE_MIN, &prime));
	EXPECT_NE(0, prime.handle);
	prime.fd = -1;
	prime.flags = O_CLOEXEC;
	ASSERT_EQ(0, ioctl(gfd, DRM_IOCTL_PRIME_HANDLE_TO_FD_MIN, &prime));
	ASSERT_EQ(0, fstat(dfd, &st));
	ASSERT_EQ(0, fstat(prime.fd, &gst));
	EXPECT_EQ(st.st_ino, gst.st_ino);
	close(prime.fd);

	req.count = 0;
	EXPECT_EQ(0, ioctl(vfd, VIDIOC_REQBUFS, &req));
	close(gfd);
	close(vfd);
	close(dfd);
	mmngr2_free(buf);
}

TEST_HARNESS_MAIN
