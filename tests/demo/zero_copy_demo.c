// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make demo`: one buffer, three devices, no copies.
 *
 * An mmngr buffer from the board's multimedia pool becomes a dma-buf; vivid
 * (the V4L2 test driver, dma-contig instance) captures a frame into it;
 * vgem (a DRM driver) imports it, as a display or GPU driver would; the
 * mmngr hardware's view (IMPORT) gives the address a Renesas IP would be
 * programmed with; and a user fence holds everyone off while "hardware"
 * works on it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/dma-buf.h>
#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>
#include <linux/videodev2.h>

#define W	640
#define H	360

static void die(const char *what)
{
	fprintf(stderr, "  %s: %s\n", what, strerror(errno));
	exit(1);
}

static int find_pool(int mfd, const char *want, char *name)
{
	struct mmngr_pool_info info;
	int i, heap = -1;

	for (i = 0; ; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(mfd, MMNGR_IOCTL_POOL_INFO, &info))
			break;
		if (!strcmp(info.name, want) || (heap < 0 && !strcmp(info.name, "kernelheap"))) {
			strcpy(name, info.name);
			heap = i;
			if (!strcmp(info.name, want))
				return i;
		}
	}
	return heap;
}

static int open_video(const char *bus)
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
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) && !strcmp((char *)cap.bus_info, bus)) {
			printf("  %s: %s, %s\n", path, cap.card, cap.bus_info);
			return fd;
		}
		close(fd);
	}
	errno = ENODEV;
	return -1;
}

static int open_vgem(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct drm_version v = { 0 };
		char name[16] = "";

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem")) {
			printf("  %s: DRM driver %s\n", path, name);
			return fd;
		}
		close(fd);
	}
	errno = ENODEV;
	return -1;
}

/* The frame's luma as characters: vivid's colour bars, darker to the right. */
static void show_frame(const unsigned char *yuyv)
{
	static const char ramp[] = " .:-=+*#%@";
	int x, y;

	for (y = 0; y < H; y += H / 9) {
		printf("  |");
		for (x = 0; x < W; x += W / 64)
			putchar(ramp[yuyv[(y * W + x) * 2] * 9 / 255]);
		printf("|\n");
	}
}

static void show_bufinfo(void)
{
	char line[256];
	int ours = 0;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] >= '0' && line[0] <= '9')
			ours = !!strstr(line, "\tmmngrbuf\t");
		if (ours)
			printf("  %s", line);
	}
	fclose(f);
}

int main(void)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_requestbuffers req = { .count = 1, .memory = V4L2_MEMORY_DMABUF,
					   .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct mmngrbuf_alloc a = { .fd_flags = O_RDWR | O_CLOEXEC };
	struct mmngrbuf_fence_attach fa = { .flags = MMNGRBUF_FENCE_WRITE };
	struct mmngrbuf_fence_signal fs = { 0 };
	struct dma_buf_sync sync = { 0 };
	struct drm_prime_handle prime = { 0 };
	struct mmngrbuf_import imp = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	struct v4l2_buffer b = { 0 };
	int mfd, bfd, vfd, vgem;
	char pool[32] = "";
	unsigned char *map;

	mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	if (mfd < 0 || bfd < 0)
		die("open /dev/mmngr, /dev/rgnmmbuf");

	printf("1. The capture device and the format\n");
	vfd = open_video("platform:vivid-001");
	if (vfd < 0)
		die("vivid dma-contig instance");
	fmt.fmt.pix.width = W;
	fmt.fmt.pix.height = H;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	if (ioctl(vfd, VIDIOC_S_FMT, &fmt) || fmt.fmt.pix.width != W ||
	    fmt.fmt.pix.height != H)
		die("VIDIOC_S_FMT 640x360 YUYV");
	printf("  %ux%u YUYV, %u bytes a frame\n", W, H, fmt.fmt.pix.sizeimage);

	printf("\n2. An mmngr buffer as a dma-buf (MMNGRBUF_IOCTL_ALLOC)\n");
	a.mmngr_fd = mfd;
	a.pool = find_pool(mfd, "multimedia", pool);
	a.size = fmt.fmt.pix.sizeimage;
	a.caching = MMNGR_CACHING_CACHED;
	if (ioctl(bfd, MMNGRBUF_IOCTL_ALLOC, &a))
		die("MMNGRBUF_IOCTL_ALLOC");
	printf("  pool %s, dma-buf fd %d, device address 0x%llx\n", pool, a.fd,
	       (unsigned long long)a.dev_addr);
	map = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	ioctl(a.fd, DMA_BUF_SET_NAME, "demo-frame");

	printf("\n3. vivid captures into it (V4L2_MEMORY_DMABUF, vb2-dma-contig)\n");
	if (ioctl(vfd, VIDIOC_REQBUFS, &req))
		die("VIDIOC_REQBUFS");
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_DMABUF;
	b.m.fd = a.fd;
	b.length = a.size;
	if (ioctl(vfd, VIDIOC_QBUF, &b) || ioctl(vfd, VIDIOC_STREAMON, &type))
		die("VIDIOC_QBUF/STREAMON");
	pfd.fd = vfd;
	if (poll(&pfd, 1, 10000) != 1 || ioctl(vfd, VIDIOC_DQBUF, &b))
		die("VIDIOC_DQBUF");
	ioctl(vfd, VIDIOC_STREAMOFF, &type);
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	ioctl(a.fd, DMA_BUF_IOCTL_SYNC, &sync);
	printf("  frame %u, %u bytes, read through our own mapping:\n", b.sequence, b.bytesused);
	show_frame(map);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(a.fd, DMA_BUF_IOCTL_SYNC, &sync);

	printf("\n4. vgem imports the same memory (PRIME), as a display would\n");
	vgem = open_vgem();
	if (vgem < 0)
		die("vgem");
	prime.fd = a.fd;
	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime))
		die("DRM_IOCTL_PRIME_FD_TO_HANDLE");
	printf("  GEM handle %u; debugfs dma_buf/bufinfo:\n", prime.handle);
	show_bufinfo();

	printf("\n5. The address mmngr hardware uses (MMNGRBUF_IOCTL_IMPORT)\n");
	imp.fd = a.fd;
	if (ioctl(bfd, MMNGRBUF_IOCTL_IMPORT, &imp))
		die("MMNGRBUF_IOCTL_IMPORT");
	printf("  0x%llx, %llu bytes: %s\n", (unsigned long long)imp.dev_addr,
	       (unsigned long long)imp.size,
	       imp.dev_addr == a.dev_addr ? "the allocation itself, no copy" : "an IOMMU view");

	printf("\n6. A user fence while \"hardware\" works on it\n");
	fa.fd = a.fd;
	if (ioctl(bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &fa))
		die("MMNGRBUF_IOCTL_FENCE_ATTACH");
	pfd.fd = a.fd;
	printf("  write fence %u attached: poll(dma-buf) ready? %s\n", fa.fence,
	       poll(&pfd, 1, 0) ? "yes" : "no, everyone waits");
	fs.fence = fa.fence;
	if (ioctl(bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &fs))
		die("MMNGRBUF_IOCTL_FENCE_SIGNAL");
	printf("  signalled:                poll(dma-buf) ready? %s\n",
	       poll(&pfd, 1, 0) ? "yes" : "no");

	munmap(map, a.size);
	close(a.fd);
	close(vgem);
	req.count = 0;
	ioctl(vfd, VIDIOC_REQBUFS, &req);
	close(vfd);
	close(bfd);
	close(mfd);
	printf("\n  all closed: the buffer is back in pool %s\n", pool);
	return 0;
}
