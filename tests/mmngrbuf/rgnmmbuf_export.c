// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr buffers as dma-bufs: the Renesas EXPORT_START / EXPORT_END and the
 * modern MMNGRBUF_IOCTL_EXPORT; mapping and DMA_BUF_IOCTL_SYNC through the
 * dma-buf; a dma-buf keeps its buffer after the allocator lets go, also in
 * another process it was passed to; exports of foreign or partly foreign
 * ranges are refused.
 */

#include "mmngrbuf_test.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/rgnmm.h>

#include "kselftest_harness.h"

/* A Renesas kernel-heap buffer: its fd, hard address and mapping. */
static int rgnmm_alloc(size_t size, unsigned int flag, __u32 *hard, void **map)
{
	struct MM_PARAM p = { .size = size, .flag = flag };
	int fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, MM_IOC_ALLOC, &p) || ioctl(fd, MM_IOC_GET, &p))
		return -1;
	*hard = p.hard_addr;
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return *map == MAP_FAILED ? -1 : fd;
}

FIXTURE(buf) {
	int fd;		/* /dev/rgnmmbuf */
};

FIXTURE_SETUP(buf)
{
	self->fd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(buf)
{
	close(self->fd);
}

TEST_F(buf, renesas_export_map_sync)
{
	const size_t pg = getpagesize();
	const size_t size = 256 * 1024;
	struct MM_BUF_PARAM p;
	unsigned char *src, *view;
	char path[64], info[512] = { 0 };
	__u32 hard;
	int mfd, dfd, ifd;

	mfd = rgnmm_alloc(size, MM_KERNELHEAP_CACHED, &hard, (void **)&src);
	ASSERT_LE(0, mfd);
	memset(src, 0x6e, size);

	memset(&p, 0, sizeof(p));
	p.size = size;
	p.hard_addr = hard;
	p.buf = -1;
	ASSERT_EQ(0, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	dfd = p.buf;
	ASSERT_LE(0, dfd);
	/* As in the original: no O_CLOEXEC on this one. */
	EXPECT_EQ(0, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	/* One export per file until EXPORT_END. */
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EBUSY, errno);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dfd);
	ifd = open(path, O_RDONLY);
	ASSERT_LE(0, ifd);
	ASSERT_LT(0, read(ifd, info, sizeof(info) - 1));
	close(ifd);
	EXPECT_TRUE(!!strstr(info, "exp_name:\tmmngrbuf"));
	EXPECT_TRUE(!!strstr(info, "size:\t262144"));
	/* Named after the buffer (debugfs mmngr/buffers) until renamed. */
	EXPECT_TRUE(!!strstr(info, "name:\tmmngr:"));
	ASSERT_EQ(0, ioctl(dfd, DMA_BUF_SET_NAME, "capture-0"));
	ifd = open(path, O_RDONLY);
	ASSERT_LE(0, ifd);
	memset(info, 0, sizeof(info));
	ASSERT_LT(0, read(ifd, info, sizeof(info) - 1));
	close(ifd);
	EXPECT_TRUE(!!strstr(info, "name:\tcapture-0"));

	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_TRUE(view != MAP_FAILED);
	EXPECT_EQ(0, dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_TRUE(all_bytes(view, 0x6e, size));
	view[size - 1] = 0x11;
	EXPECT_EQ(0, dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0x11, src[size - 1]);
	/* Part of the dma-buf, from its second page. */
	munmap(view, size);
	view = mmap(NULL, pg, PROT_READ, MAP_SHARED, dfd, pg);
	ASSERT_TRUE(view != MAP_FAILED);
	EXPECT_EQ(0x6e, view[0]);
	munmap(view, pg);
	EXPECT_TRUE(mmap(NULL, pg, PROT_READ, MAP_SHARED, dfd, size) == MAP_FAILED);

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, ioctl(self->fd, MM_IOC_EXPORT_END, &p));
	EXPECT_EQ(dfd, p.buf);
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_END, &p));
	EXPECT_EQ(EINVAL, errno);
	close(dfd);
	munmap(src, size);
	close(mfd);
}

TEST_F(buf, renesas_export_refused)
{
	struct MM_BUF_PARAM p = { .size = 8192, .buf = -1 };
	__u32 hard;
	void *map;
	int mfd;

	mfd = rgnmm_alloc(8192, MM_KERNELHEAP, &hard, &map);
	ASSERT_LE(0, mfd);
	/* Running off the end, starting past it, not page-aligned, empty. */
	p.hard_addr = hard + 4096;
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
	p.hard_addr = hard + 8192;
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
	p.hard_addr = hard + 100;
	p.size = 100;
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
	p.hard_addr = hard;
	p.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, p.buf);
	munmap(map, 8192);
	close(mfd);
	/* Freed: nothing to export any more. */
	p.size = 4096;
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
}

/* The dma-buf keeps the buffer; the pool gets it back with the last fd. */
TEST_F(buf, dmabuf_outlives_allocator)
{
	const size_t size = 1 * MiB;
	long long base = heap_used();
	struct MM_BUF_PARAM p = { .size = size, .buf = -1 };
	unsigned char *src, *view;
	int mfd, dfd;

	mfd = rgnmm_alloc(size, MM_KERNELHEAP, &p.hard_addr, (void **)&src);
	ASSERT_LE(0, mfd);
	memset(src, 0x3d, size);
	ASSERT_EQ(0, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	dfd = p.buf;
	munmap(src, size);
	close(mfd);
	EXPECT_EQ(base + (long long)size, heap_used());
	view = mmap(NULL, size, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_TRUE(view != MAP_FAILED);
	EXPECT_TRUE(all_bytes(view, 0x3d, size));
	close(dfd);
	EXPECT_EQ(base + (long long)size, heap_used());	/* the mapping */
	munmap(view, size);
	EXPECT_EQ(base, heap_used());
}

static int send_fd(int sock, int fd)
{
	char data = 'x', ctrl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctrl, .msg_controllen = sizeof(ctrl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data, ctrl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctrl, .msg_controllen = sizeof(ctrl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The modern export, passed to another process that outlives the
 * exporter: the memory stays valid there and goes back when it exits.
 */
TEST_F(buf, modern_export_across_processes)
{
	const size_t size = 2 * MiB;
	long long base = heap_used();
	struct mmngrbuf_export e;
	struct mmngr_alloc a;
	struct mmngr_pool_info info;
	int sv[2], go[2], status, mfd, dfd, heap = -1, i;
	unsigned char *p;
	pid_t pid;
	char c;

	mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mfd);
	for (i = 0; heap < 0; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		ASSERT_EQ(0, ioctl(mfd, MMNGR_IOCTL_POOL_INFO, &info));
		if (!strcmp(info.name, "kernelheap"))
			heap = i;
	}
	memset(&a, 0, sizeof(a));
	a.size = size;
	a.pool = heap;
	a.caching = MMNGR_CACHING_WRITECOMBINE;
	ASSERT_EQ(0, ioctl(mfd, MMNGR_IOCTL_ALLOC, &a));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x4b, size);
	munmap(p, size);

	memset(&e, 0, sizeof(e));
	e.mmngr_fd = mfd;
	e.handle = a.handle;
	e.fd_flags = O_CLOEXEC | O_RDWR;
	ASSERT_EQ(0, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	dfd = e.fd;
	ASSERT_LE(0, dfd);
	EXPECT_TRUE(!!(fcntl(dfd, F_GETFD) & FD_CLOEXEC));

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = recv_fd(sv[1]);
		unsigned char *q;

		/* Wait until the exporter has let go of everything. */
		if (fd < 0 || read(go[0], &c, 1) != 1)
			_exit(1);
		q = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (q == MAP_FAILED || !all_bytes(q, 0x4b, size))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, send_fd(sv[0], dfd));
	close(dfd);
	close(mfd);		/* frees the handle */
	EXPECT_EQ(base + (long long)size, heap_used());
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, heap_used());
	close(sv[0]);
	close(sv[1]);
}

TEST_F(buf, modern_export_refused)
{
	const size_t pg = getpagesize();
	struct mmngrbuf_export e;
	struct mmngr_alloc a;
	int mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, mfd);
	memset(&a, 0, sizeof(a));
	a.size = 2 * pg;
	a.caching = MMNGR_CACHING_WRITECOMBINE;	/* pool 0: kernelheap */
	ASSERT_EQ(0, ioctl(mfd, MMNGR_IOCTL_ALLOC, &a));

	memset(&e, 0, sizeof(e));
	e.mmngr_fd = mfd;
	e.handle = a.handle + 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(ENOENT, errno);
	e.handle = a.handle;
	e.mmngr_fd = self->fd;		/* not /dev/mmngr */
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EINVAL, errno);
	e.mmngr_fd = -1;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EBADF, errno);
	e.mmngr_fd = mfd;
	e.fd_flags = O_NONBLOCK;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EINVAL, errno);
	e.fd_flags = 0;
	e.offset = pg;
	e.size = 2 * pg;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EINVAL, errno);
	e.offset = 100;
	e.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EINVAL, errno);
	e.offset = 0;
	e.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_EQ(EINVAL, errno);

	/* The second page alone, read-only. */
	e.reserved[1] = 0;
	e.offset = pg;
	ASSERT_EQ(0, ioctl(self->fd, MMNGRBUF_IOCTL_EXPORT, &e));
	EXPECT_TRUE(mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, e.fd, 0) == MAP_FAILED);
	EXPECT_TRUE(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, e.fd, 0) ==
		    MAP_FAILED);
	close(e.fd);
	close(mfd);
}

TEST_HARNESS_MAIN
