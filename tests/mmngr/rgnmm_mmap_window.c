// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which part of a buffer mmap() of /dev/rgnmm reaches: after SHARE of a
 * range that starts inside a page, the pages holding the range, from the
 * one holding its first byte; the offset counts pages into that window,
 * and nothing beyond it maps, however far beyond.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/rgnmm.h>

#include "kselftest_harness.h"

/* The kernel's page size: lanes run 4 KiB and 16 KiB kernels. */
#define PAGE	((long)sysconf(_SC_PAGESIZE))

/* 0 if @fd maps [off, off + len) of its window (undone again), or errno. */
static int map_errno(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

TEST(shared_range_window)
{
	struct MM_PARAM p = { .size = 4 * PAGE, .flag = MM_KERNELHEAP }, s;
	unsigned char *buf, *win;
	int fd, sfd, i;

	fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MM_IOC_ALLOC, &p));
	ASSERT_EQ(0, ioctl(fd, MM_IOC_GET, &p));
	buf = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	for (i = 0; i < 4; i++)
		memset(buf + i * PAGE, 'a' + i, PAGE);

	/* 100 bytes from the middle of page 1 into page 2: two pages. */
	sfd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, sfd);
	memset(&s, 0, sizeof(s));
	s.size = PAGE;
	s.phy_addr = p.hard_addr + PAGE + PAGE / 2;
	ASSERT_EQ(0, ioctl(sfd, MM_IOC_SHARE, &s));
	win = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, sfd, 0);
	ASSERT_TRUE(win != MAP_FAILED);
	EXPECT_EQ('b', win[0]);
	EXPECT_EQ('c', win[PAGE]);
	munmap(win, 2 * PAGE);
	win = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, sfd, PAGE);
	ASSERT_TRUE(win != MAP_FAILED);
	EXPECT_EQ('c', win[0]);
	munmap(win, PAGE);

	/* Longer than the window, at its end, past it, far past it. */
	EXPECT_EQ(EINVAL, map_errno(sfd, 3 * PAGE, 0));
	EXPECT_EQ(EINVAL, map_errno(sfd, PAGE, 2 * PAGE));
	EXPECT_EQ(EINVAL, map_errno(sfd, PAGE, 3 * PAGE));
	EXPECT_EQ(EINVAL, map_errno(sfd, PAGE, 64 * PAGE));
	/* The allocating file's window is the whole buffer. */
	EXPECT_EQ(0, map_errno(fd, PAGE, 3 * PAGE));
	EXPECT_EQ(EINVAL, map_errno(fd, PAGE, 5 * PAGE));

	close(sfd);
	munmap(buf, 4 * PAGE);
	close(fd);
}

TEST_HARNESS_MAIN
