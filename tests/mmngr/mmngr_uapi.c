// SPDX-License-Identifier: GPL-2.0-only
/*
 * The modern /dev/mmngr ABI: pool enumeration, many buffers per file,
 * alignment and caching modes, mmap windows, range sync, extensible and
 * reserved fields, lifetime on free, close and kill.  The same source runs
 * as a 32-bit program on arm64 lanes: the layout is the same, so it must
 * behave the same.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define MiB	(1024 * 1024)

struct pool {
	int index;
	struct mmngr_pool_info info;
};

static int do_alloc(int fd, struct mmngr_alloc *a, int pool, __u64 size,
		    __u64 align, unsigned int caching)
{
	memset(a, 0, sizeof(*a));
	a->size = size;
	a->align = align;
	a->pool = pool;
	a->caching = caching;
	return ioctl(fd, MMNGR_IOCTL_ALLOC, a);
}

static int do_free(int fd, __u32 handle)
{
	struct mmngr_free f = { .handle = handle };

	return ioctl(fd, MMNGR_IOCTL_FREE, &f);
}

static int do_sync(int fd, __u32 handle, __u32 flags, __u64 off,
		   __u64 len)
{
	struct mmngr_sync s = { .handle = handle, .flags = flags,
				.offset = off, .len = len };

	return ioctl(fd, MMNGR_IOCTL_SYNC, &s);
}

static void *map(int fd, size_t len, __u64 off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

FIXTURE(dev) {
	int fd;
	int heap;
	int mm;		/* multimedia pool, or -1 */
};

FIXTURE_SETUP(dev)
{
	self->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->heap = find_pool(self->fd, "kernelheap");
	ASSERT_LE(0, self->heap);
	self->mm = find_pool(self->fd, "multimedia");
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, pools_match_sysfs)
{
	struct mmngr_pool_info info;
	char path[128];
	int i;

	for (i = 0;; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(self->fd, MMNGR_IOCTL_POOL_INFO, &info))
			break;
		EXPECT_EQ(i, info.index);
		snprintf(path, sizeof(path),
			 "/sys/class/misc/rgnmm/device/pools/%s", info.name);
		EXPECT_EQ(0, access(path, F_OK));
		EXPECT_GE(MMNGR_POOL_KIND_NOMAP, info.kind);
		EXPECT_TRUE(!!(info.caching & (1 << MMNGR_CACHING_WRITECOMBINE)));
		EXPECT_EQ(info.kind != MMNGR_POOL_KIND_NOMAP,
			  !!(info.caching & (1 << MMNGR_CACHING_CACHED)));
		if (info.size)
			EXPECT_GE(info.size, info.largest_free);
	}
	EXPECT_EQ(ENOENT, errno);
	EXPECT_LE(1, i);

	memset(&info, 0, sizeof(info));
	info.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGR_IOCTL_POOL_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, many_buffers_per_file)
{
	struct mmngr_alloc a[40];
	unsigned char *p[40];
	int i, j;

	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, do_alloc(self->fd, &a[i], i % 2 && self->mm >= 0 ?
				      self->mm : self->heap, 4096 * (1 + i % 5), 0,
				      i % 3));
		EXPECT_NE(0, a[i].handle);
		EXPECT_NE(0, a[i].dev_addr);
		p[i] = map(self->fd, a[i].size, a[i].mmap_offset);
		ASSERT_TRUE(p[i] != MAP_FAILED);
		EXPECT_TRUE(all_bytes(p[i], 0, a[i].size));
		memset(p[i], i, a[i].size);
		for (j = 0; j < i; j++) {
			EXPECT_NE(a[j].handle, a[i].handle);
			EXPECT_NE(a[j].dev_addr, a[i].dev_addr);
		}
	}
	for (i = 0; i < 40; i++) {
		EXPECT_TRUE(all_bytes(p[i], i, a[i].size));
		munmap(p[i], a[i].size);
		EXPECT_EQ(0, do_free(self->fd, a[i].handle));
	}
	EXPECT_EQ(-1, do_free(self->fd, a[0].handle));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, do_free(self->fd, 0));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(dev, alignment)
{
	struct mmngr_alloc a, b;

	if (self->mm < 0)
		SKIP(return, "no multimedia pool");
	ASSERT_EQ(0, do_alloc(self->fd, &a, self->mm, 4096, 0, 1));
	ASSERT_EQ(0, do_alloc(self->fd, &b, self->mm, 8192, 4 * MiB, 1));
	EXPECT_EQ(0, b.dev_addr % (4 * MiB));
	EXPECT_EQ(0, do_free(self->fd, b.handle));
	/* Not a power of two. */
	EXPECT_EQ(-1, do_alloc(self->fd, &b, self->mm, 8192, 3 * 4096, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, do_free(self->fd, a.handle));
}

TEST_F(dev, invalid_arguments)
{
	struct mmngr_alloc a;
	struct mmngr_free f = { .handle = 1, .reserved = 1 };
	struct mmngr_pool_info nomap;
	int nm = find_pool_info(self->fd, "lossy", &nomap);

	EXPECT_EQ(-1, do_alloc(self->fd, &a, self->heap, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_alloc(self->fd, &a, self->heap, 4096, 0, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_alloc(self->fd, &a, 99, 4096, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_alloc(self->fd, &a, self->heap, (1ULL << 32) + 4096, 0, 0));
	EXPECT_EQ(EINVAL, errno);

	memset(&a, 0, sizeof(a));
	a.size = 4096;
	a.pool = self->heap;
	a.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGR_IOCTL_ALLOC, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	a.reserved[1] = 5;
	EXPECT_EQ(-1, ioctl(self->fd, MMNGR_IOCTL_ALLOC, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMNGR_IOCTL_FREE, &f));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMNGR_IOCTL_ALLOC, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(MMNGR_IOC_MAGIC, 0x1f)));
	EXPECT_EQ(ENOTTY, errno);
	/* mmngrbuf's numbers are not this device's, nor the old ones. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(MMNGR_IOC_MAGIC, 0x21, char[48]), &a));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('m', 0x41, struct mmngr_alloc), &a));
	EXPECT_EQ(ENOTTY, errno);
	/* The Renesas ABI's commands are not this device's. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('m', 0, char[48]), &a));
	EXPECT_EQ(ENOTTY, errno);

	/* No-map memory is never mapped cached. */
	if (nm >= 0) {
		EXPECT_EQ(-1, do_alloc(self->fd, &a, nm, 4096, 0,
				       MMNGR_CACHING_CACHED));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* Older (shorter) and newer (longer) structures. */
TEST_F(dev, struct_sizes)
{
	struct {
		struct mmngr_alloc a;
		__u64 future[2];
	} big;
	unsigned long cmd_big = _IOWR(MMNGR_IOC_MAGIC, 0x01, big);
	unsigned long cmd_small = _IOWR(MMNGR_IOC_MAGIC, 0x01, char[24]);

	memset(&big, 0, sizeof(big));
	big.a.size = 4096;
	big.a.pool = self->heap;
	ASSERT_EQ(0, ioctl(self->fd, cmd_big, &big));
	EXPECT_NE(0, big.a.handle);
	EXPECT_EQ(0, do_free(self->fd, big.a.handle));

	big.future[1] = 1;	/* something this kernel does not know */
	EXPECT_EQ(-1, ioctl(self->fd, cmd_big, &big));
	EXPECT_EQ(E2BIG, errno);

	/* A v0 with only size, align and pool: zero-extended, so valid. */
	memset(&big, 0, sizeof(big));
	big.a.size = 4096;
	big.a.pool = self->heap;
	EXPECT_EQ(0, ioctl(self->fd, cmd_small, &big));
}

TEST_F(dev, sync)
{
	const __u32 start_rw = MMNGR_SYNC_START | MMNGR_SYNC_RW;
	const __u32 start_r = MMNGR_SYNC_START | MMNGR_SYNC_READ;
	const __u32 end_w = MMNGR_SYNC_END | MMNGR_SYNC_WRITE;
	struct mmngr_alloc a;
	unsigned char *p;

	ASSERT_EQ(0, do_alloc(self->fd, &a, self->heap, 64 * 1024, 0,
			      MMNGR_CACHING_CACHED));
	p = map(self->fd, a.size, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, do_sync(self->fd, a.handle, start_rw, 0, a.size));
	memset(p, 0x5c, a.size);
	EXPECT_EQ(0, do_sync(self->fd, a.handle, end_w, 4096, 8192));
	EXPECT_EQ(0, do_sync(self->fd, a.handle, start_r, 0, 1));
	EXPECT_TRUE(all_bytes(p, 0x5c, a.size));

	EXPECT_EQ(-1, do_sync(self->fd, a.handle, end_w, a.size - 4096, 8192));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_sync(self->fd, a.handle, MMNGR_SYNC_READ, (__u64)-1, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_sync(self->fd, a.handle, MMNGR_SYNC_READ, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_sync(self->fd, a.handle, MMNGR_SYNC_START, 0, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_sync(self->fd, a.handle, 1 << 7 | MMNGR_SYNC_READ, 0, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_sync(self->fd, a.handle + 100, MMNGR_SYNC_READ, 0, 4096));
	EXPECT_EQ(ENOENT, errno);
	munmap(p, a.size);
	EXPECT_EQ(0, do_free(self->fd, a.handle));
}

TEST_F(dev, mmap_windows)
{
	const size_t pg = getpagesize();
	struct mmngr_alloc a, b;
	unsigned char *p;

	ASSERT_EQ(0, do_alloc(self->fd, &a, self->heap, 3 * pg, 0, 1));
	ASSERT_EQ(0, do_alloc(self->fd, &b, self->heap, pg, 0, 1));
	EXPECT_NE(a.mmap_offset, b.mmap_offset);

	/* Part of a buffer, from its second page. */
	p = map(self->fd, 2 * pg, a.mmap_offset + pg);
	ASSERT_TRUE(p != MAP_FAILED);
	p[0] = 7;
	munmap(p, 2 * pg);
	p = map(self->fd, 3 * pg, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(7, p[pg]);
	munmap(p, 3 * pg);

	/* Beyond the buffer, an unknown handle, a private mapping. */
	EXPECT_TRUE(map(self->fd, 2 * pg, b.mmap_offset) == MAP_FAILED);
	EXPECT_TRUE(map(self->fd, pg, a.mmap_offset + 3 * pg) == MAP_FAILED);
	EXPECT_TRUE(map(self->fd, pg, b.mmap_offset + (100ULL << 32)) == MAP_FAILED);
	EXPECT_TRUE(map(self->fd, pg, 0) == MAP_FAILED);
	EXPECT_TRUE(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
			 b.mmap_offset) == MAP_FAILED);
	EXPECT_EQ(0, do_free(self->fd, a.handle));
	EXPECT_EQ(0, do_free(self->fd, b.handle));
	/* Freed: no longer mappable. */
	EXPECT_TRUE(map(self->fd, pg, b.mmap_offset) == MAP_FAILED);
}

/*
 * A file opened read-only maps its buffers for reading: such a shared
 * mapping has VM_MAYSHARE but not VM_SHARED, which the old code took for a
 * private mapping.
 */
TEST_F(dev, readonly_file_maps_for_reading)
{
	long page = sysconf(_SC_PAGESIZE);
	struct mmngr_alloc a;
	unsigned char *p;
	int fd;

	fd = open("/dev/mmngr", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_alloc(fd, &a, self->heap, 2 * page, 0, MMNGR_CACHING_CACHED));
	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, p[2 * page - 1]);
	munmap(p, 2 * page);
	EXPECT_TRUE(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 a.mmap_offset) == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	EXPECT_TRUE(mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd,
			 a.mmap_offset) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

static long long heap_used(int fd)
{
	struct mmngr_pool_info info;

	return find_pool_info(fd, "kernelheap", &info) < 0 ? -1 : (long long)info.used;
}

struct freer {
	int fd;
	int stop;	/* __atomic */
	unsigned long hits;
};

static void *freer_run(void *arg)
{
	struct freer *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE))
		if (!do_free(f->fd, 1))
			f->hits++;
	return NULL;
}

/* A thread that allocates until a deadline and checks each answer. */
struct allocator {
	int fd;
	int pool;
	time_t end;
	unsigned long allocated;
	int error;	/* an unexpected errno or answer, or 0 */
};

static void *allocator_run(void *arg)
{
	struct allocator *al = arg;
	struct mmngr_alloc a;

	while (time(NULL) < al->end && !al->error) {
		if (do_alloc(al->fd, &a, al->pool, 4096, 0,
			     MMNGR_CACHING_CACHED)) {
			al->error = errno;
			break;
		}
		al->allocated++;
		if (!a.dev_addr || a.mmap_offset != (__u64)a.handle << 32)
			al->error = -1;
		/* Handle 1 is the freer's; free the rest. */
		else if (a.handle != 1 && do_free(al->fd, a.handle))
			al->error = errno;
	}
	return NULL;
}

/*
 * A handle must not be found before its buffer is complete and the caller
 * knows it: the old code read the buffer after publishing the (predictable)
 * handle, racing a FREE of it, and reported what it read from freed memory.
 * Nor may a FREE of a handle that is only reserved give it to another
 * allocation: one of the two buffers would be lost, and never go back to
 * the pool.  Two threads allocate, one frees.
 */
TEST_F(dev, alloc_races_free)
{
	long long before = heap_used(self->fd);
	struct allocator al[2];
	struct freer f;
	pthread_t t, ta;
	int fd, i;

	ASSERT_LE(0, before);
	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	f = (struct freer){ .fd = fd };
	for (i = 0; i < 2; i++)
		al[i] = (struct allocator){ .fd = fd, .pool = self->heap,
					    .end = time(NULL) + 2 };
	ASSERT_EQ(0, pthread_create(&t, NULL, freer_run, &f));
	ASSERT_EQ(0, pthread_create(&ta, NULL, allocator_run, &al[1]));
	allocator_run(&al[0]);
	pthread_join(ta, NULL);
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	TH_LOG("%lu + %lu allocations, %lu freed by the other thread",
	       al[0].allocated, al[1].allocated, f.hits);
	EXPECT_EQ(0, al[0].error);
	EXPECT_EQ(0, al[1].error);
	EXPECT_LT(0, f.hits);
	close(fd);
	EXPECT_EQ(before, heap_used(self->fd));
}

/*
 * Every pool of known size, filled with 4 MiB buffers to the last one and
 * emptied again.  (The kernel heap is the system's memory: not exhausted.)
 */
TEST_F_TIMEOUT(dev, every_pool_to_exhaustion, 300)
{
	const __u64 chunk = 4 * MiB;
	struct mmngr_pool_info info, after;
	struct mmngr_alloc a;
	int i, n, pools = 0;

	for (i = 0;; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(self->fd, MMNGR_IOCTL_POOL_INFO, &info))
			break;
		if (!info.size)
			continue;
		pools++;
		for (n = 0; !do_alloc(self->fd, &a, i, chunk, 0,
				      MMNGR_CACHING_WRITECOMBINE); n++)
			;
		EXPECT_EQ(ENOMEM, errno);
		EXPECT_EQ((info.size - info.used) / chunk, n);
		memset(&after, 0, sizeof(after));
		after.index = i;
		ASSERT_EQ(0, ioctl(self->fd, MMNGR_IOCTL_POOL_INFO, &after));
		EXPECT_GT(chunk, after.largest_free);
		EXPECT_EQ(info.used + n * chunk, after.used);

		/* Give it all back: closing the file frees every handle. */
		close(self->fd);
		self->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->fd);
		ASSERT_EQ(0, ioctl(self->fd, MMNGR_IOCTL_POOL_INFO, &after));
		EXPECT_EQ(info.used, after.used);
		EXPECT_EQ(info.largest_free, after.largest_free);
	}
	/* Every lane's board has at least the multimedia pool. */
	EXPECT_LE(1, pools);
}

/* Free, close and kill: memory goes back only when the last user is gone. */
TEST_F(dev, lifetime)
{
	long long base = heap_used(self->fd);
	struct mmngr_alloc a;
	unsigned char *p;
	int fd2, ready[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, do_alloc(self->fd, &a, self->heap, 1 * MiB, 0, 1));
	p = map(self->fd, a.size, a.mmap_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x21, a.size);
	EXPECT_EQ(0, do_free(self->fd, a.handle));
	EXPECT_EQ(base + MiB, heap_used(self->fd));	/* the mapping holds it */
	EXPECT_TRUE(all_bytes(p, 0x21, a.size));
	munmap(p, a.size);
	EXPECT_EQ(base, heap_used(self->fd));

	/* Closing a file frees every buffer it holds. */
	fd2 = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, do_alloc(fd2, &a, self->heap, 1 * MiB, 0, 1));
	ASSERT_EQ(0, do_alloc(fd2, &a, self->heap, 2 * MiB, 0, 0));
	EXPECT_EQ(base + 3 * MiB, heap_used(self->fd));
	close(fd2);
	EXPECT_EQ(base, heap_used(self->fd));

	/* So does being killed. */
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int cfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
		struct mmngr_alloc ca;

		if (cfd < 0 || do_alloc(cfd, &ca, self->heap, 2 * MiB, 0, 0) ||
		    map(cfd, ca.size, ca.mmap_offset) == MAP_FAILED ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(base + 2 * MiB, heap_used(self->fd));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(base, heap_used(self->fd));
	close(ready[0]);
}

TEST_HARNESS_MAIN
