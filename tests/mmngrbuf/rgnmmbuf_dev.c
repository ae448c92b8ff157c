// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmmbuf: the device exists and is bound, unknown ioctls get ENOTTY,
 * and exporting memory that is not an mmngr allocation is refused (the
 * original exports any address it is given).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/mmngr.h>
#include <linux/rgnmm.h>

#include "kselftest_harness.h"

#define DEV	"/dev/rgnmmbuf"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(node_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, st.st_mode & 0007);
}

TEST(bound_to_driver)
{
	char link[PATH_MAX];
	ssize_t n;

	n = readlink("/sys/class/misc/rgnmmbuf/device/driver", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_TRUE(!!strstr(link, "/rgnmmbuf_drv"));
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO('d', 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(MMNGR_IOC_MAGIC, 0x3f)));
	EXPECT_EQ(ENOTTY, errno);
	/* /dev/mmngr's numbers are not this device's. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(MMNGR_IOC_MAGIC, 0x01, char[48]), NULL));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong size: not the same command. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('d', 0, char[3]), NULL));
	EXPECT_EQ(ENOTTY, errno);
}

/* The original's own test program exports hard_addr 2, size 1. */
TEST_F(dev, export_of_unowned_memory_is_refused)
{
	struct MM_BUF_PARAM p = { .size = 1, .hard_addr = 2, .buf = -1 };

	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, p.buf);

	p.size = 0x100000;
	p.hard_addr = 0x40000000;
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, export_of_zero_size_is_einval)
{
	struct MM_BUF_PARAM p = { .size = 0, .hard_addr = 0x40000000, .buf = -1 };

	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, &p));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, MM_IOC_EXPORT_START, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
