// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr's pools as dma-buf heaps (/dev/dma_heap/mmngr-<pool>): one node
 * per pool with struct pages; an allocation is one mmngr buffer, counted
 * in its pool, listed in debugfs and importable through /dev/rgnmmbuf at
 * the address debugfs gives, and gone when its last fd closes; bad input
 * gets the errno the kernel's own heaps give; the per-user limits apply;
 * the linux,cma and reserved aliases appear only where the kernel has no
 * heap of that name.  Upstream's own dmabuf-heap test (tests/dmabuf-heaps)
 * covers zeroing, mapping and importing on every heap.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define HEAP		"/dev/dma_heap/mmngr-kernelheap"
#define BUFFERS		"/sys/kernel/debug/mmngr/buffers"
#define NOBODY		65534
#define MiB		(1024ULL * 1024)

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* DMA_HEAP_IOCTL_ALLOC: the dma-buf fd, or -1 with errno set. */
static int heap_alloc(int hfd, __u64 len, __u32 fd_flags, __u64 heap_flags)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};

	return ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d) ? -1 : (int)d.fd;
}

/*
 * debugfs' line for the buffer at @dev_addr: 1 if listed with @pool and
 * @size, 0 if not listed, -1 if debugfs cannot be read.
 */
static int listed(__u64 dev_addr, const char *pool, __u64 size)
{
	unsigned long long id, sz, addr;
	char line[256], p[32], caching[32];
	FILE *f = fopen(BUFFERS, "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %31s %llu %31s %llx", &id, p, &sz,
			   caching, &addr) == 5 &&
		    addr == dev_addr && !strcmp(p, pool) && sz == size)
			found = 1;
	}
	fclose(f);
	return found;
}

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Every pool with struct pages has a node; no-map pools have none. */
TEST(one_node_per_pool)
{
	struct mmngr_pool_info info;
	char path[96];
	struct stat st;
	int fd, i, nodes = 0;

	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < 64; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &info))
			break;
		snprintf(path, sizeof(path), "/dev/dma_heap/mmngr-%s", info.name);
		if (info.caching & (1 << MMNGR_CACHING_CACHED)) {
			ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s missing", path);
			EXPECT_TRUE(S_ISCHR(st.st_mode));
			/* Root's only, as /dev/mmngr, unless udev says otherwise. */
			EXPECT_EQ(0, st.st_mode & 0007);
			nodes++;
		} else {
			EXPECT_FALSE(exists(path)) TH_LOG("%s: a no-map pool", path);
		}
	}
	EXPECT_LT(0, nodes);
	close(fd);
}

FIXTURE(heap) {
	int hfd;
};

FIXTURE_SETUP(heap)
{
	self->hfd = open(HEAP, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->hfd);
}

FIXTURE_TEARDOWN(heap)
{
	close(self->hfd);
}

/*
 * One allocation: the pool counts it, debugfs lists it, /dev/rgnmmbuf
 * imports it at the address debugfs gives; the last fd frees it.
 */
TEST_F(heap, one_allocation)
{
	long long used = pool_stat("kernelheap", "used");
	long long buffers = pool_stat("kernelheap", "buffers");
	__u64 size = MiB + page_size();
	struct mmngrbuf_import imp = { 0 };
	struct mmngrbuf_import_release rel = { 0 };
	int dfd, bfd, found;
	char *p;

	ASSERT_LE(0, used);
	dfd = heap_alloc(self->hfd, MiB + 1, O_RDWR | O_CLOEXEC, 0);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(used + (long long)size, pool_stat("kernelheap", "used"));
	EXPECT_EQ(buffers + 1, pool_stat("kernelheap", "buffers"));
	EXPECT_EQ(FD_CLOEXEC, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ((off_t)size, lseek(dfd, 0, SEEK_END));

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(all_bytes(p, 0, size));
	memset(p, 0x5a, size);
	munmap(p, size);

	bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd);
	imp.fd = dfd;
	ASSERT_EQ(0, ioctl(bfd, MMNGRBUF_IOCTL_IMPORT, &imp));
	EXPECT_EQ(size, imp.size);
	found = listed(imp.dev_addr, "kernelheap", size);
	if (found < 0)
		TH_LOG("no " BUFFERS " (debugfs not mounted): address not checked");
	else
		EXPECT_EQ(1, found);
	/* Still one buffer: importing made no copy. */
	EXPECT_EQ(buffers + 1, pool_stat("kernelheap", "buffers"));

	/* The import holds the buffer past the dma-buf fd's close. */
	close(dfd);
	EXPECT_EQ(used + (long long)size, pool_stat("kernelheap", "used"));
	rel.handle = imp.handle;
	EXPECT_EQ(0, ioctl(bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &rel));
	close(bfd);
	EXPECT_EQ(used, pool_stat("kernelheap", "used"));
	EXPECT_EQ(buffers, pool_stat("kernelheap", "buffers"));
	if (found >= 0)
		EXPECT_EQ(0, listed(imp.dev_addr, "kernelheap", size));
}

/* Closing the dma-buf frees the memory; the heap fd holds nothing. */
TEST_F(heap, close_frees)
{
	long long used = pool_stat("kernelheap", "used");
	int i, dfd;

	for (i = 0; i < 8; i++) {
		dfd = heap_alloc(self->hfd, 4 * MiB, O_RDWR, 0);
		ASSERT_LE(0, dfd);
		close(dfd);
	}
	EXPECT_EQ(used, pool_stat("kernelheap", "used"));
}

/* fd_flags: O_CLOEXEC and an access mode, nothing else; the mode holds. */
TEST_F(heap, fd_flags)
{
	void *p;
	int dfd;

	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, MiB, O_RDWR | O_NONBLOCK, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, MiB, O_RDWR | O_APPEND, 0));
	EXPECT_EQ(EINVAL, errno);

	dfd = heap_alloc(self->hfd, MiB, O_RDONLY, 0);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(0, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDONLY, fcntl(dfd, F_GETFL) & O_ACCMODE);
	p = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, MiB, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, MiB);
	close(dfd);
}

/* The rest of the structure: as drivers/dma-buf/dma-heap.c checks it. */
TEST_F(heap, bad_input)
{
	struct dma_heap_allocation_data d = {
		.len = MiB, .fd = 3, .fd_flags = O_RDWR,
	};

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->hfd, DMA_HEAP_IOCTL_ALLOC, &d));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, MiB, O_RDWR, 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, MiB, O_RDWR, 1ULL << 63));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, 0, O_RDWR, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Rounded up to a page, the length wraps to 0. */
	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, ~0ULL, O_RDWR, 0));
	EXPECT_EQ(EINVAL, errno);
	/* More than the machine has: no memory, as the system heap says. */
	errno = 0;
	EXPECT_EQ(-1, heap_alloc(self->hfd, 1ULL << 62, O_RDWR, 0));
	EXPECT_EQ(ENOMEM, errno);
	/* An unreadable argument. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->hfd, DMA_HEAP_IOCTL_ALLOC, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	/* Commands are known by number: 'H' 1 is none, nor a tty's. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->hfd, _IOWR('H', 1, d), &d));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->hfd, TCGETS, &d));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing to read: a zero length. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->hfd, _IOR('H', 0, d), &d));
	EXPECT_EQ(EINVAL, errno);
}

/* Shorter structures are zero-extended, longer ones' tails left alone. */
TEST_F(heap, struct_sizes)
{
	struct older {
		__u64 len;
		__u32 fd;
		__u32 fd_flags;
	} o = { .len = MiB, .fd_flags = O_RDWR | O_CLOEXEC };
	struct newer {
		struct dma_heap_allocation_data d;
		__u64 more[3];
	} n = {
		.d = { .len = MiB, .fd_flags = O_RDWR | O_CLOEXEC },
		.more = { ~0ULL, 0x8888888888888888ULL, 1 },
	};

	ASSERT_EQ(0, ioctl(self->hfd, _IOWR('H', 0, o), &o));
	EXPECT_LT(2, (int)o.fd);
	EXPECT_EQ((off_t)MiB, lseek(o.fd, 0, SEEK_END));
	close(o.fd);

	ASSERT_EQ(0, ioctl(self->hfd, _IOWR('H', 0, n), &n));
	EXPECT_LT(2, (int)n.d.fd);
	EXPECT_EQ(~0ULL, n.more[0]);
	EXPECT_EQ(0x8888888888888888ULL, n.more[1]);
	EXPECT_EQ(1, n.more[2]);
	close(n.d.fd);
}

/* Contents written through one mapping are there in the next. */
TEST_F(heap, cpu_access)
{
	struct dma_buf_sync s = { 0 };
	size_t size = 2 * MiB;
	char *p, *q;
	int dfd;

	dfd = heap_alloc(self->hfd, size, O_RDWR | O_CLOEXEC, 0);
	ASSERT_LE(0, dfd);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE;
	EXPECT_EQ(0, ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s));
	memset(p, 0xa5, size);
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE;
	EXPECT_EQ(0, ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s));
	q = mmap(NULL, size, PROT_READ, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, q);
	s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	EXPECT_EQ(0, ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s));
	EXPECT_TRUE(all_bytes(q, 0xa5, size));
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	EXPECT_EQ(0, ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s));
	munmap(q, size);
	munmap(p, size);
	close(dfd);
}

/* In a child, as nobody: 1 MiB may be held, a page more may not. */
static int quota_child(int hfd)
{
	int a, b;

	if (setgid(NOBODY) || setuid(NOBODY))
		return 100;
	a = heap_alloc(hfd, MiB / 2, O_RDWR, 0);
	b = heap_alloc(hfd, MiB / 2, O_RDWR, 0);
	if (a < 0 || b < 0)
		return 1;
	if (heap_alloc(hfd, page_size(), O_RDWR, 0) >= 0 || errno != EDQUOT)
		return 2;
	close(b);
	b = heap_alloc(hfd, MiB / 2, O_RDWR, 0);
	return b < 0 ? 3 : 0;
}

/* The pool's per-user limit applies to heap allocations too. */
TEST_F(heap, user_limit)
{
	long long max = pool_stat("kernelheap", "user_max_bytes");
	long long refused = pool_stat("kernelheap", "quota_refused");
	long long used = pool_stat("kernelheap", "used");
	int status;
	pid_t pid;

	ASSERT_LT(0, max);
	ASSERT_EQ(0, sysfs_write(POOLS "/kernelheap/user_max_bytes", MiB));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(quota_child(self->hfd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(refused + 1, pool_stat("kernelheap", "quota_refused"));
	EXPECT_EQ(used, pool_stat("kernelheap", "used"));
	EXPECT_EQ(0, sysfs_write(POOLS "/kernelheap/user_max_bytes", max));
}

/*
 * The aliases: a node of that name for the chosen pool, unless the kernel
 * has a heap of that name, whose node then stays the kernel's.
 */
static void check_alias(struct __test_metadata *_metadata, const char *param,
			const char *name)
{
	char path[96], class[96], misc[96], was[64];
	long long used = pool_stat("kernelheap", "used");
	struct stat st;
	int hfd, dfd;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	snprintf(class, sizeof(class), "/sys/class/dma_heap/%s", name);
	snprintf(misc, sizeof(misc), "/sys/class/misc/mmngr-alias-%s", name);
	param_read("mmngrbuf", param, was, sizeof(was));
	ASSERT_EQ(0, param_write("mmngrbuf", param, "\n"));
	EXPECT_FALSE(exists(misc));

	ASSERT_EQ(0, param_write("mmngrbuf", param, "kernelheap"));
	if (exists(class)) {
		/* The kernel's heap: ours must not replace it. */
		char dev[128], want[32];
		FILE *f;

		EXPECT_FALSE(exists(misc));
		snprintf(dev, sizeof(dev), "%s/dev", class);
		f = fopen(dev, "r");
		ASSERT_TRUE(f);
		ASSERT_TRUE(fgets(want, sizeof(want), f));
		fclose(f);
		ASSERT_EQ(0, stat(path, &st));
		snprintf(dev, sizeof(dev), "%u:%u\n", major(st.st_rdev),
			 minor(st.st_rdev));
		EXPECT_STREQ(want, dev);
		TH_LOG("%s is the kernel's: not shadowed", path);
	} else {
		ASSERT_TRUE(exists(misc));
		hfd = open(path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, hfd);
		dfd = heap_alloc(hfd, MiB, O_RDWR | O_CLOEXEC, 0);
		ASSERT_LE(0, dfd);
		EXPECT_EQ(used + (long long)MiB, pool_stat("kernelheap", "used"));
		/* An open alias survives its removal, but gives no more. */
		ASSERT_EQ(0, param_write("mmngrbuf", param, "\n"));
		EXPECT_FALSE(exists(path));
		EXPECT_FALSE(exists(misc));
		errno = 0;
		EXPECT_EQ(-1, heap_alloc(hfd, MiB, O_RDWR, 0));
		EXPECT_EQ(ENODEV, errno);
		close(hfd);
		close(dfd);
		EXPECT_EQ(used, pool_stat("kernelheap", "used"));
		/* A pool that is not there makes no node. */
		ASSERT_EQ(0, param_write("mmngrbuf", param, "no-such-pool"));
		EXPECT_FALSE(exists(misc));
	}
	EXPECT_EQ(0, param_write("mmngrbuf", param, was[0] ? was : "\n"));
}

TEST(alias_linux_cma)
{
	check_alias(_metadata, "heap_linux_cma", "linux,cma");
}

TEST(alias_reserved)
{
	check_alias(_metadata, "heap_reserved", "reserved");
}

TEST_HARNESS_MAIN
