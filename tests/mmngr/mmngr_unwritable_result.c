// SPDX-License-Identifier: GPL-2.0-only
/*
 * Commands whose argument the kernel can read but not write back (a
 * read-only page): they fail with EFAULT, and what they would have created
 * is gone again, since the caller never learnt of it.  /dev/mmngr ALLOC
 * leaves no buffer in the pool; the Renesas GET and VTOP change nothing.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmngr.h>
#include <linux/rgnmm.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

/* The kernel's page size: lanes run 4 KiB and 16 KiB kernels. */
#define PAGE	((long)sysconf(_SC_PAGESIZE))

/* A page holding a copy of @arg, made read-only; NULL on failure. */
static void *read_only_copy(const void *arg, size_t len)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, arg, len);
	if (mprotect(p, PAGE, PROT_READ)) {
		munmap(p, PAGE);
		return NULL;
	}
	return p;
}

TEST(alloc_leaves_no_buffer)
{
	struct mmngr_alloc a = { .size = 5 * PAGE }, *ro;
	struct mmngr_free fr = { .handle = 1 };
	struct mmngr_pool_info info;
	long long used, buffers;
	int fd, heap;

	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	heap = find_pool(fd, "kernelheap");
	ASSERT_LE(0, heap);
	a.pool = heap;
	used = pool_stat("kernelheap", "used");
	buffers = pool_stat("kernelheap", "buffers");
	ASSERT_LE(0, used);

	ro = read_only_copy(&a, sizeof(a));
	ASSERT_TRUE(!!ro);
	EXPECT_EQ(-1, ioctl(fd, MMNGR_IOCTL_ALLOC, ro));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(used, pool_stat("kernelheap", "used"));
	EXPECT_EQ(buffers, pool_stat("kernelheap", "buffers"));
	/* No handle was kept (a file's first handle is 1). */
	EXPECT_EQ(-1, ioctl(fd, MMNGR_IOCTL_FREE, &fr));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, ioctl(fd, MMNGR_IOCTL_ALLOC, &a));
	EXPECT_EQ(used + 5 * PAGE, pool_stat("kernelheap", "used"));

	/* POOL_INFO only reads: nothing to undo, but still EFAULT. */
	memset(&info, 0, sizeof(info));
	info.index = heap;
	munmap(ro, PAGE);
	ro = read_only_copy(&info, sizeof(info));
	ASSERT_TRUE(!!ro);
	EXPECT_EQ(-1, ioctl(fd, MMNGR_IOCTL_POOL_INFO, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, PAGE);
	close(fd);
	EXPECT_EQ(used, pool_stat("kernelheap", "used"));
	EXPECT_EQ(buffers, pool_stat("kernelheap", "buffers"));
}

TEST(rgnmm_get_and_vtop)
{
	struct MM_PARAM p = { .size = PAGE, .flag = MM_KERNELHEAP }, *ro;
	unsigned char *map;
	int fd;

	fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MM_IOC_ALLOC, &p));
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);

	ro = read_only_copy(&p, sizeof(p));
	ASSERT_TRUE(!!ro);
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_GET, ro));
	EXPECT_EQ(EFAULT, errno);

	munmap(ro, PAGE);
	memset(&p, 0, sizeof(p));
	p.user_virt_addr = (unsigned long)map + 100;
	ro = read_only_copy(&p, sizeof(p));
	ASSERT_TRUE(!!ro);
	EXPECT_EQ(-1, ioctl(fd, MM_IOC_VTOP, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, PAGE);

	/* The file still holds its buffer and answers as before. */
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, ioctl(fd, MM_IOC_GET, &p));
	EXPECT_EQ(PAGE, p.size);
	EXPECT_EQ(MM_KERNELHEAP, p.flag);
	map[0] = 0x3c;
	EXPECT_EQ(0, ioctl(fd, MM_IOC_FREE, &p));
	/* The mapping keeps the memory until it goes. */
	EXPECT_EQ(0x3c, map[0]);
	munmap(map, PAGE);
	close(fd);
}

TEST_HARNESS_MAIN
