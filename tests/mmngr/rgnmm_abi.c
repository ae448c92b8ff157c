// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Renesas-compatible /dev/rgnmm ABI: every ioctl on its happy path and
 * its error paths, mappings, zeroed memory, SHARE limits, cleanup on close
 * and on kill, exhaustion, and concurrency.  Built for 64-bit and, on arm64
 * lanes, 32-bit ARM (the compat path).
 *
 * Which pools exist depends on the board; tests read them from sysfs and
 * check either the pool's behaviour or the original's error without it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/rgnmm.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define DEV	"/dev/rgnmm"
#define MiB	(1024 * 1024)

static int has_pool(const char *pool)
{
	return pool_stat(pool, "size") >= 0;
}

/* The pool MM_CARVEOUT draws from. */
static const char *carveout_pool(void)
{
	return has_pool("omxbuf") ? "omxbuf" : "multimedia";
}

static int dev_open(void)
{
	return open(DEV, O_RDWR | O_CLOEXEC);
}

static int mm_ioctl(int fd, unsigned long cmd, size_t size, uint64_t phy,
		    unsigned int flag)
{
	struct MM_PARAM p = { .size = size, .phy_addr = phy, .flag = flag };

	return ioctl(fd, cmd, &p);
}

static int mm_get(int fd, struct MM_PARAM *p)
{
	memset(p, 0x5a, sizeof(*p));
	return ioctl(fd, MM_IOC_GET, p);
}

static int cache_op(int fd, unsigned long cmd, size_t off, size_t len)
{
	struct MM_CACHE_PARAM c = { .offset = off, .len = len };

	return ioctl(fd, cmd, &c);
}

/* 0 if @fd maps with these arguments (the mapping is undone), else errno. */
static int map_errno(int fd, size_t len, int prot, int flags, off_t off)
{
	void *map = mmap(NULL, len, prot, flags, fd, off);

	if (map == MAP_FAILED)
		return errno;
	munmap(map, len);
	return 0;
}

/* An fd holding a kernel-heap buffer of @size, and its mapping. */
static int alloc_mapped(size_t size, unsigned int flag, void **map)
{
	int fd = dev_open();

	if (fd < 0 || mm_ioctl(fd, MM_IOC_ALLOC, size, 0, flag)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*map == MAP_FAILED) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(alloc_map_get_set_free)
{
	const size_t size = 1 * MiB + 123;
	struct MM_PARAM p;
	void *map;
	int fd;

	fd = alloc_mapped(size, MM_KERNELHEAP, &map);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(all_bytes(map, 0, size));
	memset(map, 0xa5, size);

	ASSERT_EQ(0, mm_get(fd, &p));
	EXPECT_EQ(size, p.size);
	EXPECT_NE(0, p.hard_addr);
	EXPECT_EQ(0, p.hard_addr & 4095);
	EXPECT_EQ(0, p.phy_addr);		/* not disclosed */
	EXPECT_EQ(0, p.kernel_virt_addr);	/* never a kernel pointer */
	EXPECT_EQ(MM_KERNELHEAP, p.flag);
	EXPECT_EQ(0, p.user_virt_addr);

	p.user_virt_addr = (unsigned long)map;
	ASSERT_EQ(0, ioctl(fd, MM_IOC_SET, &p));
	ASSERT_EQ(0, mm_get(fd, &p));
	EXPECT_EQ((unsigned long)map, p.user_virt_addr);

	EXPECT_EQ(0, munmap(map, size));
	EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));
	/* Freed: the file can allocate again. */
	EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_ALLOC, 4096, 0, MM_KERNELHEAP));
	close(fd);
}

TEST(cached_flush_inval)
{
	const size_t size = 256 * 1024;
	struct MM_PARAM p;
	void *map;
	int fd;

	fd = alloc_mapped(size, MM_KERNELHEAP_CACHED, &map);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mm_get(fd, &p));
	EXPECT_EQ(MM_KERNELHEAP_CACHED, p.flag);
	EXPECT_TRUE(all_bytes(map, 0, size));

	memset(map, 0x3c, size);
	EXPECT_EQ(0, cache_op(fd, MM_IOC_FLUSH, 0, size));
	EXPECT_EQ(0, cache_op(fd, MM_IOC_INVAL, 0, size));
	EXPECT_TRUE(all_bytes(map, 0x3c, size));
	EXPECT_EQ(0, cache_op(fd, MM_IOC_FLUSH, 4096, 100));
	EXPECT_EQ(0, cache_op(fd, MM_IOC_INVAL, size, 0));

	/* Out of the buffer, or wrapping around: refused. */
	EXPECT_EQ(-1, cache_op(fd, MM_IOC_FLUSH, size - 4096, 8192));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, cache_op(fd, MM_IOC_INVAL, (size_t)-1, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, cache_op(fd, MM_IOC_FLUSH, 1, (size_t)-1));
	EXPECT_EQ(EINVAL, errno);
	/* The argument is copied from user space, not dereferenced. */
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_FLUSH, (void *)16));
	EXPECT_EQ(EFAULT, errno);

	munmap(map, size);
	close(fd);
}

TEST(cache_ops_need_a_buffer)
{
	int fd = dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, cache_op(fd, MM_IOC_FLUSH, 0, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, cache_op(fd, MM_IOC_INVAL, 0, 4096));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(alloc_errors)
{
	unsigned int bad_flags[] = { 1, 2, 3, 4, 6, 0x14, 0xff, 0x80000000 };
	unsigned int i;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC, 0, 0, MM_KERNELHEAP));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC, 4096, 0, bad_flags[i]));
		EXPECT_EQ(EINVAL, errno);
	}
	/* Far beyond any pool. */
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC, (size_t)-4096 / 2, 0, MM_KERNELHEAP));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC, (size_t)-1, 0, MM_KERNELHEAP));
	EXPECT_TRUE(errno == EINVAL || errno == ENOMEM);
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_ALLOC, (void *)16));
	EXPECT_EQ(EFAULT, errno);

	/* Nothing allocated yet: nothing to free. */
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_FREE_CO, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);

	/* One buffer per file: a second ALLOC is an error, not a leak. */
	ASSERT_EQ(0, mm_ioctl(fd, MM_IOC_ALLOC, 4096, 0, MM_KERNELHEAP));
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC, 4096, 0, MM_KERNELHEAP));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_SHARE, 4096, 0x1000, 0));
	EXPECT_EQ(EINVAL, errno);
	/* FREE_CO does not free a kernel-heap buffer. */
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_FREE_CO, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(mmap_errors)
{
	const size_t pg = getpagesize();
	void *map;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	/* Nothing to map yet. */
	EXPECT_EQ(EINVAL, map_errno(fd, pg, PROT_READ, MAP_SHARED, 0));

	ASSERT_EQ(0, mm_ioctl(fd, MM_IOC_ALLOC, 2 * pg, 0, MM_KERNELHEAP));
	EXPECT_EQ(EINVAL, map_errno(fd, 3 * pg, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, map_errno(fd, pg, PROT_READ, MAP_SHARED, 2 * pg));
	EXPECT_EQ(EINVAL, map_errno(fd, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0));

	/* The second page alone, at offset one page. */
	map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	ASSERT_TRUE(map != MAP_FAILED);
	EXPECT_TRUE(all_bytes(map, 0, pg));
	munmap(map, pg);
	close(fd);
}

TEST(unknown_and_missized_ioctls)
{
	char junk[64] = { 0 };
	int fd = dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IOWR('m', 10, struct MM_PARAM), junk));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOWR('m', 0, char[12]), junk));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOWR('n', 0, struct MM_PARAM), junk));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(memory_is_zeroed_on_reuse)
{
	const size_t size = 2 * MiB;
	int round, fd;
	void *map;

	for (round = 0; round < 3; round++) {
		fd = alloc_mapped(size, round == 1 ? MM_KERNELHEAP_CACHED :
				  MM_KERNELHEAP, &map);
		ASSERT_LE(0, fd);
		ASSERT_TRUE(all_bytes(map, 0, size));
		memset(map, 0xee, size);
		munmap(map, size);
		close(fd);
	}
}

/* A mapping keeps the buffer alive after FREE; the pool gets it back at munmap. */
TEST(mapping_outlives_free)
{
	const size_t size = 1 * MiB;
	long long before = pool_stat("kernelheap", "used");
	void *map;
	int fd;

	ASSERT_LE(0, before);
	fd = alloc_mapped(size, MM_KERNELHEAP, &map);
	ASSERT_LE(0, fd);
	memset(map, 0x11, size);
	EXPECT_EQ(before + (long long)size, pool_stat("kernelheap", "used"));
	ASSERT_EQ(0, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));
	close(fd);
	EXPECT_TRUE(all_bytes(map, 0x11, size));
	EXPECT_EQ(before + (long long)size, pool_stat("kernelheap", "used"));
	munmap(map, size);
	EXPECT_EQ(before, pool_stat("kernelheap", "used"));
}

TEST(vtop)
{
	const size_t size = 64 * 1024;
	struct MM_PARAM p, q;
	void *map;
	int fd;

	fd = alloc_mapped(size, MM_KERNELHEAP, &map);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mm_get(fd, &p));

	memset(&q, 0, sizeof(q));
	q.user_virt_addr = (unsigned long)map + 8192 + 5;
	ASSERT_EQ(0, ioctl(fd, MM_IOC_VTOP, &q));
	EXPECT_EQ(p.hard_addr + 8192 + 5, q.hard_addr);

	/* Only mmngr mappings: not the stack, not unmapped memory. */
	q.user_virt_addr = (unsigned long)&q;
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_VTOP, &q));
	EXPECT_EQ(EINVAL, errno);
	q.user_virt_addr = 0;
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_VTOP, &q));
	EXPECT_EQ(EINVAL, errno);
	munmap(map, size);
	close(fd);
}

TEST(share_maps_only_live_buffers)
{
	const size_t pg = getpagesize();
	const size_t size = 64 * 1024;
	unsigned char *map, *view;
	struct MM_PARAM p;
	int fd, sfd;

	fd = alloc_mapped(size, MM_KERNELHEAP, (void **)&map);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mm_get(fd, &p));
	memset(map, 0x77, size);
	map[pg + 100] = 0x42;

	/* A range inside the buffer, not page-aligned. */
	sfd = dev_open();
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, mm_ioctl(sfd, MM_IOC_SHARE, 200, p.hard_addr + pg + 100, 0));
	view = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	ASSERT_TRUE(view != MAP_FAILED);
	EXPECT_EQ(0x42, view[100]);	/* maps from the range's page */
	view[101] = 0x43;
	EXPECT_EQ(0x43, map[pg + 101]);
	/* Only the pages of the shared range. */
	EXPECT_EQ(EINVAL, map_errno(sfd, 2 * pg, PROT_READ, MAP_SHARED, 0));
	/* SHARE files free nothing. */
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_FREE, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);

	/* The owner frees and closes: the shared mapping still works. */
	munmap(map, size);
	ASSERT_EQ(0, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));
	close(fd);
	EXPECT_EQ(0x42, view[100]);
	munmap(view, pg);
	close(sfd);

	/* Ranges that are not (wholly) inside a live buffer. */
	fd = alloc_mapped(size, MM_KERNELHEAP, (void **)&map);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mm_get(fd, &p));
	sfd = dev_open();
	ASSERT_LE(0, sfd);
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_SHARE, size + 1, p.hard_addr, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_SHARE, 4096, p.hard_addr + size, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_SHARE, 4096, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_SHARE, 0, p.hard_addr, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_SHARE, 4096, 0xfffff000, 0));
	EXPECT_EQ(EINVAL, errno);
	munmap(map, size);
	close(fd);
	/* Freed: no longer shareable. */
	EXPECT_EQ(-1, mm_ioctl(sfd, MM_IOC_SHARE, 4096, p.hard_addr, 0));
	EXPECT_EQ(EINVAL, errno);
	close(sfd);
}

/* Another user cannot map a buffer it did not allocate. */
TEST(share_refused_to_other_users)
{
	struct MM_PARAM p;
	void *map;
	int fd, sfd, status;
	pid_t pid;

	fd = alloc_mapped(4096, MM_KERNELHEAP, &map);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mm_get(fd, &p));
	sfd = dev_open();		/* opened as root, used as nobody */
	ASSERT_LE(0, sfd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (!mm_ioctl(sfd, MM_IOC_SHARE, 4096, p.hard_addr, 0))
			_exit(3);
		/* As for no buffer at all: its existence is not disclosed. */
		_exit(errno == EINVAL ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* The same user may (default share_policy). */
	EXPECT_EQ(0, mm_ioctl(sfd, MM_IOC_SHARE, 4096, p.hard_addr, 0));
	close(sfd);
	munmap(map, 4096);
	close(fd);
}

#define SHARE_POLICY	"/sys/module/mmngr/parameters/share_policy"
#define LAST_PID	"/proc/sys/kernel/ns_last_pid"

/*
 * With share_policy=0 only the allocating process may SHARE a buffer, and
 * that means the process, not its number: a later process given the same
 * PID (here on purpose, through ns_last_pid) is someone else.
 */
TEST(share_owner_is_the_process_not_its_pid)
{
	int policy = sysfs_read(SHARE_POLICY);
	int fd, sfd, status, same;
	struct MM_PARAM p;
	pid_t a, c;

	if (access(LAST_PID, W_OK))
		SKIP(return, "no %s (CONFIG_CHECKPOINT_RESTORE)", LAST_PID);
	ASSERT_LE(0, policy);
	/* A allocates on our file, so the buffer outlives A. */
	fd = dev_open();
	ASSERT_LE(0, fd);
	a = fork();
	ASSERT_LE(0, a);
	if (!a)
		_exit(mm_ioctl(fd, MM_IOC_ALLOC, 4096, 0, MM_KERNELHEAP) ? 1 : 0);
	ASSERT_EQ(a, waitpid(a, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, mm_get(fd, &p));

	ASSERT_EQ(0, sysfs_write(SHARE_POLICY, 0));
	sfd = dev_open();
	ASSERT_LE(0, sfd);
	/* C gets A's number, and gives up root's privileges. */
	ASSERT_EQ(0, sysfs_write(LAST_PID, a - 1));
	c = fork();
	ASSERT_LE(0, c);
	if (!c) {
		if (getpid() != a)
			_exit(10);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (!mm_ioctl(sfd, MM_IOC_SHARE, 4096, p.hard_addr, 0))
			_exit(3);
		_exit(errno == EINVAL ? 0 : 4);
	}
	ASSERT_EQ(c, waitpid(c, &status, 0));
	same = c == a;
	EXPECT_EQ(0, sysfs_write(SHARE_POLICY, policy));
	close(sfd);
	close(fd);
	if (!same)
		SKIP(return, "another process took PID %d first", a);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(carveout)
{
	const char *pool = carveout_pool();
	const size_t size = 8 * MiB;
	long long before = pool_stat(pool, "used");
	struct MM_PARAM p;
	void *view;
	int fd, sfd;

	fd = dev_open();
	ASSERT_LE(0, fd);
	if (before < 0) {
		/* No carve-out on this board: the original's parameter error. */
		EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, size, 0, MM_CARVEOUT));
		EXPECT_EQ(EINVAL, errno);
		close(fd);
		return;
	}

	ASSERT_EQ(0, mm_ioctl(fd, MM_IOC_ALLOC_CO, size, 0, MM_CARVEOUT));
	EXPECT_EQ(before + (long long)size, pool_stat(pool, "used"));
	ASSERT_EQ(0, mm_get(fd, &p));
	EXPECT_EQ(MM_CARVEOUT, p.flag);
	EXPECT_EQ(size, p.size);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_FREE, 0, 0, 0));	/* wrong kind */
	EXPECT_EQ(EINVAL, errno);

	/* Mapped the way libmmngr does: through SHARE. */
	sfd = dev_open();
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, mm_ioctl(sfd, MM_IOC_SHARE, size, p.hard_addr, 0));
	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	ASSERT_TRUE(view != MAP_FAILED);
	EXPECT_TRUE(all_bytes(view, 0, size));
	memset(view, 0x99, size);
	munmap(view, size);
	close(sfd);

	EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_FREE_CO, 0, 0, 0));
	EXPECT_EQ(before, pool_stat(pool, "used"));
	close(fd);
}

TEST(lossy_and_ssp)
{
	struct MM_PARAM p;
	int fd = dev_open();

	ASSERT_LE(0, fd);
	/* Formats other than 1..3: parameter errors on any board. */
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, 4096, 0, MM_CARVEOUT_LOSSY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, 4096, 0, MM_LOSSY_FLAG(4)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, 4096, 0, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, 0, 0, MM_CARVEOUT));
	EXPECT_EQ(EINVAL, errno);

	if (has_pool("ssp")) {
		EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_ALLOC_CO, 4096, 0, MM_CARVEOUT_SSP));
		EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_FREE_CO, 0, 0, 0));
	} else {
		EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, 4096, 0, MM_CARVEOUT_SSP));
		EXPECT_EQ(EINVAL, errno);
	}

	if (!has_pool("lossy")) {
		EXPECT_EQ(-1, mm_ioctl(fd, MM_IOC_ALLOC_CO, 4096, 0, MM_LOSSY_FLAG(1)));
		EXPECT_EQ(EINVAL, errno);
		close(fd);
		return;
	}
	ASSERT_EQ(0, mm_ioctl(fd, MM_IOC_ALLOC_CO, 1 * MiB, 0, MM_LOSSY_FLAG(3)));
	ASSERT_EQ(0, mm_get(fd, &p));
	EXPECT_EQ(MM_LOSSY_FLAG(3), p.flag);
	EXPECT_EQ(1 * MiB, pool_stat("lossy", "used"));
	EXPECT_EQ(0, mm_ioctl(fd, MM_IOC_FREE_CO, 0, 0, 0));
	EXPECT_EQ(0, pool_stat("lossy", "used"));
	close(fd);
}

/* Fill a carve-out pool to the last chunk, then give it all back. */
TEST(exhaustion)
{
	const char *pool = carveout_pool();
	long long psize = pool_stat(pool, "size"), before = pool_stat(pool, "used");
	const size_t chunk = 16 * MiB;
	int fds[256], n = 0, i, err = 0;

	if (psize < 0)
		SKIP(return, "no carve-out pool on this board");
	while (n < 256) {
		fds[n] = dev_open();
		ASSERT_LE(0, fds[n]);
		if (mm_ioctl(fds[n], MM_IOC_ALLOC_CO, chunk, 0, MM_CARVEOUT)) {
			err = errno;
			close(fds[n]);
			break;
		}
		n++;
	}
	EXPECT_EQ(ENOMEM, err);
	EXPECT_EQ((psize - before) / (long long)chunk, n);
	EXPECT_GT((long long)chunk, pool_stat(pool, "largest_free"));
	EXPECT_LE(1, pool_stat(pool, "failed"));
	for (i = 0; i < n; i++)
		close(fds[i]);
	EXPECT_EQ(before, pool_stat(pool, "used"));
	if (!before)
		EXPECT_EQ(psize, pool_stat(pool, "largest_free"));
}

/* A killed process's buffers and mappings all go back to their pools. */
TEST(cleanup_on_kill)
{
	long long heap = pool_stat("kernelheap", "used");
	long long co = pool_stat(carveout_pool(), "used");
	int ready[2], status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		void *map;
		int fd;

		if (alloc_mapped(1 * MiB, MM_KERNELHEAP, &map) < 0 ||
		    alloc_mapped(512 * 1024, MM_KERNELHEAP_CACHED, &map) < 0)
			_exit(1);
		fd = dev_open();
		if (co >= 0 && mm_ioctl(fd, MM_IOC_ALLOC_CO, 4 * MiB, 0, MM_CARVEOUT))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(heap + 1536 * 1024, pool_stat("kernelheap", "used"));
	if (co >= 0)
		EXPECT_EQ(co + 4 * MiB, pool_stat(carveout_pool(), "used"));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(heap, pool_stat("kernelheap", "used"));
	if (co >= 0)
		EXPECT_EQ(co, pool_stat(carveout_pool(), "used"));
	close(ready[0]);
}

static void *churn(void *arg)
{
	unsigned int flag = (uintptr_t)arg;
	long failures = 0;
	int i, fd;
	void *map;

	for (i = 0; i < 100; i++) {
		fd = dev_open();
		if (fd < 0) {
			failures++;
			continue;
		}
		if (flag == MM_CARVEOUT) {
			if (mm_ioctl(fd, MM_IOC_ALLOC_CO, (1 + i % 7) * 64 * 1024, 0, flag))
				failures += errno != ENOMEM;
		} else {
			map = NULL;
			if (mm_ioctl(fd, MM_IOC_ALLOC, (1 + i % 5) * 4096, 0, flag))
				failures += errno != ENOMEM;
			else
				map = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					   MAP_SHARED, fd, 0);
			if (map && map != MAP_FAILED) {
				failures += !all_bytes(map, 0, 4096);
				memset(map, i, 4096);
				munmap(map, 4096);
			}
		}
		close(fd);
	}
	return (void *)failures;
}

/* Threads and processes allocating and freeing at once. */
TEST(concurrent)
{
	unsigned int co = has_pool(carveout_pool());
	long long heap = pool_stat("kernelheap", "used");
	long long cou = pool_stat(carveout_pool(), "used");
	pthread_t t[6];
	void *ret;
	pid_t pids[2];
	int i, status;

	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(churn((void *)(uintptr_t)(i ? MM_KERNELHEAP_CACHED :
							  MM_KERNELHEAP)) != NULL);
	}
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn,
					    (void *)(uintptr_t)(i % 3 == 2 && co ?
							       MM_CARVEOUT : MM_KERNELHEAP)));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(0, (long)(intptr_t)ret);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, status);
	}
	EXPECT_EQ(heap, pool_stat("kernelheap", "used"));
	if (co)
		EXPECT_EQ(cou, pool_stat(carveout_pool(), "used"));
}

TEST_HARNESS_MAIN
