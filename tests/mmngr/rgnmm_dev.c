// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmm: the device exists, is bound to the right device, answers
 * unknown ioctls with ENOTTY and keeps the module loaded while in use.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define DEV	"/dev/rgnmm"

static int try_unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK);
}

TEST(node_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* Not world-accessible unless the integrator says so (udev). */
	EXPECT_EQ(0, st.st_mode & 0007);
}

TEST(open_close)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, close(fd));
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO('m', 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOWR('x', 0, int), NULL));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/*
 * The device is the "renesas,mmngr" node where the device tree has one, and
 * the module's own "mmngr" platform device where it has none.
 */
TEST(bound_to_expected_device)
{
	char link[PATH_MAX], buf[256];
	ssize_t n;
	int dt;

	n = readlink("/sys/class/misc/rgnmm/device/driver", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_TRUE(!!strstr(link, "/rgnmm_drv"));

	dt = !access("/sys/firmware/devicetree/base/mmngr/compatible", F_OK);
	if (dt) {
		ASSERT_EQ(0, read_text("/sys/class/misc/rgnmm/device/of_node/compatible",
				       buf, sizeof(buf)));
		EXPECT_STREQ("renesas,mmngr", buf);
	} else {
		ASSERT_TRUE(!!realpath("/sys/class/misc/rgnmm/device", link));
		EXPECT_STREQ("/sys/devices/platform/mmngr", link);
	}
}

/* mmngrbuf links against mmngr, so mmngr cannot go while mmngrbuf is in. */
TEST(pinned_by_mmngrbuf)
{
	ASSERT_EQ(0, access("/sys/module/mmngrbuf", F_OK));
	EXPECT_EQ(-1, try_unload("mmngr"));
	EXPECT_EQ(EWOULDBLOCK, errno);
}

/* An open file holds a module reference. */
TEST(pinned_while_open)
{
	char buf[32];
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read_text("/sys/module/mmngr/refcnt", buf, sizeof(buf)));
	EXPECT_LE(1, atoi(buf));
	close(fd);
}

TEST_HARNESS_MAIN
