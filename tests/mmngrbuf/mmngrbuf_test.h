/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the mmngrbuf tests: kept in this folder so that it
 * still builds alone inside a kernel's tools/testing/selftests/.
 */
#ifndef _MMNGRBUF_TEST_H
#define _MMNGRBUF_TEST_H

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>
#include <linux/sync_file.h>
#include <linux/videodev2.h>

#define MiB	(1024 * 1024)

static inline int all_bytes(const void *p, int c, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

/* Bytes in use in the kernel heap pool, from sysfs; -1 if unreadable. */
static inline long long heap_used(void)
{
	char buf[64] = { 0 };
	int fd = open("/sys/class/misc/rgnmm/device/pools/kernelheap/used", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoll(buf) : -1;
}

/* The kernel's taint flags (/proc/sys/kernel/tainted); 0 if unreadable. */
#define TAINT_WARN	(1L << 9)

static inline long kernel_taint(void)
{
	char buf[32] = { 0 };
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : 0;
}

static inline int dmabuf_sync(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* The kernel heap's pool index on an open /dev/mmngr, or -1. */
static inline int heap_pool(int mfd)
{
	struct mmngr_pool_info info;
	unsigned int i;

	for (i = 0; i < 64; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(mfd, MMNGR_IOCTL_POOL_INFO, &info))
			return -1;
		if (!strcmp(info.name, "kernelheap"))
			return i;
	}
	return -1;
}

/*
 * A new kernel-heap buffer as a dma-buf (MMNGRBUF_IOCTL_ALLOC), O_RDWR and
 * close-on-exec; the fd, or -1 with errno set.
 */
static inline int alloc_dmabuf(int bfd, size_t size, __u32 caching)
{
	struct mmngrbuf_alloc a = { .size = size, .caching = caching,
				    .fd_flags = O_RDWR | O_CLOEXEC };
	int ret, mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);

	if (mfd < 0)
		return -1;
	a.mmngr_fd = mfd;
	a.pool = heap_pool(mfd);
	ret = ioctl(bfd, MMNGRBUF_IOCTL_ALLOC, &a);
	close(mfd);
	return ret ? -1 : a.fd;
}

/* 1 if fd is ready for events within timeout_ms, 0 if not, -1 on error. */
static inline int poll_ready(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	return n < 0 ? -1 : n > 0 && (p.revents & events);
}

/*
 * Whether the kernel has DMA_BUF_IOCTL_EXPORT_SYNC_FILE (6.0, "dma-buf: Add
 * an API for exporting sync files (v14)"): flags 0 are refused with EINVAL
 * where it exists, the command with ENOTTY where it does not.
 */
static inline int has_export_sync_file(int dfd)
{
	struct dma_buf_export_sync_file e = { .flags = 0, .fd = -1 };

	return !ioctl(dfd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e) || errno != ENOTTY;
}

/* A sync_file's status: 1 signalled, 0 pending, < 0 its error. */
static inline int sync_file_status(int fd)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return info.status;
}

/*
 * Whether the pages mapped at [addr, addr + len) are physically
 * contiguous, from /proc/self/pagemap (root sees frame numbers): 1 yes,
 * 0 no, -1 cannot tell.
 */
static inline int phys_contiguous(const void *addr, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t e, first = 0;
	size_t i, n = (len + page - 1) / page;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	int ret = 1;

	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		off_t off = ((uintptr_t)addr / page + i) * sizeof(e);

		if (pread(fd, &e, sizeof(e), off) != sizeof(e) ||
		    !(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1))) {
			ret = -1;
			break;
		}
		e &= (1ULL << 55) - 1;
		if (!i)
			first = e;
		else if (e != first + i)
			ret = 0;
	}
	close(fd);
	return ret;
}

/*
 * mmngrbuf's device addresses 32 bits (the Renesas ABI's hard addresses are
 * 32-bit).  Without an IOMMU, memory above that reaches it only through
 * swiotlb bounce buffers, and IMPORT refuses those with EXDEV.
 */
#define MMNGRBUF_REACH	(1ULL << 32)

/*
 * One past the highest physical address of the pages mapped at [addr,
 * addr + len), from /proc/self/pagemap; 0 if it cannot tell.
 */
static inline __u64 phys_end(const void *addr, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	__u64 e, end = 0;
	size_t i, n = (len + page - 1) / page;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	for (i = 0; i < n; i++) {
		off_t off = ((uintptr_t)addr / page + i) * sizeof(e);

		if (pread(fd, &e, sizeof(e), off) != sizeof(e) ||
		    !(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1))) {
			end = 0;
			break;
		}
		e = ((e & ((1ULL << 55) - 1)) + 1) * page;
		if (e > end)
			end = e;
	}
	close(fd);
	return end;
}

/*
 * Whether the machine has RAM beyond MMNGRBUF_REACH, from /proc/iomem
 * (root sees the addresses): 1 yes, 0 no, -1 cannot tell.
 */
static inline int ram_beyond_reach(void)
{
	unsigned long long start, end;
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	int ret = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* Top-level ranges only: children are not indented less. */
		if (line[0] == ' ' || !strstr(line, ": System RAM"))
			continue;
		if (sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		if (!start && !end) {
			ret = -1;	/* addresses hidden */
			break;
		}
		if (end >= MMNGRBUF_REACH)
			ret = 1;
	}
	fclose(f);
	return ret;
}

/*
 * An open vgem DRM device, or -1.  vgem's device is a platform device up to
 * 6.14 and a faux device since 6.15 ("drm/vgem: convert to use faux_device").
 */
static inline int open_vgem(void)
{
	static const char * const where[] = {
		"/sys/bus/platform/devices/vgem/drm",
		"/sys/bus/faux/devices/vgem/drm",
		NULL,
	};
	const char * const *w;
	char path[64];
	struct dirent *d;
	DIR *dir = NULL;
	int fd = -1;

	for (w = where; !dir && *w; w++)
		dir = opendir(*w);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%.32s", d->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		break;
	}
	closedir(dir);
	return fd;
}

/*
 * Whether attaching a device to a vgem dma-buf trips a kernel warning: vgem
 * before 5.16 ("drm/vgem: use shmem helpers") flushes the pages with
 * drm_clflush_pages(), which WARNs on every architecture but x86.
 */
static inline int vgem_attach_warns(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	if (major > 5 || (major == 5 && minor >= 16))
		return 0;
	return strcmp(u.machine, "x86_64") && strcmp(u.machine, "i686");
}

/* A thread that asks for CPU access and says when it got it. */
struct sync_waiter {
	int dfd;
	__u64 flags;
	int ret;
	int done;	/* __atomic: polled by the main thread */
};

static inline void *sync_waiter_run(void *arg)
{
	struct sync_waiter *w = arg;

	w->ret = dmabuf_sync(w->dfd, DMA_BUF_SYNC_START | w->flags);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static inline int sync_waiter_done(struct sync_waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

/* The capture node of vivid instance inst ("platform:vivid-00N"), or -1. */
static inline int open_vivid(int inst)
{
	struct v4l2_capability cap;
	char path[32], bus[32];
	int i, fd;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.bus_info, bus) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
			return fd;
		close(fd);
	}
	return -1;
}

#endif /* _MMNGRBUF_TEST_H */
