// SPDX-License-Identifier: GPL-2.0-only
/*
 * The share_policy module parameter: who may reach a buffer by its address
 * (Renesas SHARE here; mmngrbuf's EXPORT_START asks the same question).
 * 0: the allocating process only, 1: its effective user (the default),
 * 2: anyone who can open the device; CAP_SYS_ADMIN always may.  Each case
 * has one process allocate and another share, as given users: the device
 * is opened as root, then the process drops to the user.  A refusal is
 * EINVAL, as for an address in no buffer: nobody learns where other
 * users' buffers are.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#define DEV	"/dev/rgnmm"
#define POLICY	"/sys/module/mmngr/parameters/share_policy"
#define ROOT	0
#define USER_A	65534
#define USER_B	65533

static int read_policy(void)
{
	char buf[16] = { 0 };
	int fd = open(POLICY, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static int write_policy(int policy)
{
	char buf[16];
	int fd = open(POLICY, O_WRONLY);
	int n, len;

	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d\n", policy);
	n = write(fd, buf, len);
	close(fd);
	return n == len ? 0 : -1;
}

/* Drop to @uid: no capabilities left unless it is root. */
static int become(uid_t uid)
{
	if (uid == ROOT)
		return 0;
	return setresgid(uid, uid, uid) || setresuid(uid, uid, uid) ? -1 : 0;
}

/*
 * MM_IOC_SHARE of a page that a process running as @alloc_uid allocated,
 * by another process running as @share_uid; with @same_process, by the
 * allocating process itself through a second file.  0 if it was allowed,
 * its errno if not, -1 if the test could not set it up.
 */
static int share_errno(uid_t alloc_uid, uid_t share_uid, int same_process)
{
	int up[2], down[2], status, ret;
	pid_t owner, sharer;
	__u32 addr;
	char c = 0;

	if (pipe(up) || pipe(down))
		return -1;
	owner = fork();
	if (owner < 0)
		return -1;
	if (!owner) {
		struct MM_PARAM p = { .size = 4096, .flag = MM_KERNELHEAP };
		int fd = open(DEV, O_RDWR), sfd = open(DEV, O_RDWR);

		if (fd < 0 || sfd < 0 || become(alloc_uid) ||
		    ioctl(fd, MM_IOC_ALLOC, &p) || ioctl(fd, MM_IOC_GET, &p))
			_exit(100);
		if (same_process) {
			struct MM_PARAM s = { .size = 4096, .phy_addr = p.hard_addr };

			_exit(ioctl(sfd, MM_IOC_SHARE, &s) ? errno : 0);
		}
		addr = p.hard_addr;
		if (write(up[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(101);
		/* Keep the buffer until the sharer is done. */
		if (read(down[0], &c, 1) != 1)
			_exit(102);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (same_process) {
		ret = waitpid(owner, &status, 0) == owner && WIFEXITED(status) &&
		      WEXITSTATUS(status) < 100 ? WEXITSTATUS(status) : -1;
		close(up[0]);
		close(down[1]);
		return ret;
	}

	ret = -1;
	if (read(up[0], &addr, sizeof(addr)) == sizeof(addr)) {
		sharer = fork();
		if (!sharer) {
			struct MM_PARAM s = { .size = 4096, .phy_addr = addr };
			int fd = open(DEV, O_RDWR);

			if (fd < 0 || become(share_uid))
				_exit(100);
			_exit(ioctl(fd, MM_IOC_SHARE, &s) ? errno : 0);
		}
		if (sharer > 0 && waitpid(sharer, &status, 0) == sharer &&
		    WIFEXITED(status) && WEXITSTATUS(status) < 100)
			ret = WEXITSTATUS(status);
	}
	if (write(down[1], &c, 1) != 1)
		ret = -1;
	close(up[0]);
	close(down[1]);
	if (waitpid(owner, &status, 0) != owner || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = -1;
	return ret;
}

FIXTURE(policy) {
	int saved;
};

FIXTURE_SETUP(policy)
{
	self->saved = read_policy();
	ASSERT_LE(0, self->saved);
}

FIXTURE_TEARDOWN(policy)
{
	if (self->saved >= 0)
		write_policy(self->saved);
}

TEST_F(policy, process_only)
{
	ASSERT_EQ(0, write_policy(0));
	ASSERT_EQ(0, read_policy());
	/* The allocating process itself, through another file: allowed. */
	EXPECT_EQ(0, share_errno(USER_A, USER_A, 1));
	/* Another process of the same user: refused. */
	EXPECT_EQ(EINVAL, share_errno(USER_A, USER_A, 0));
	EXPECT_EQ(EINVAL, share_errno(USER_A, USER_B, 0));
	/* CAP_SYS_ADMIN overrides the policy. */
	EXPECT_EQ(0, share_errno(USER_A, ROOT, 0));
}

TEST_F(policy, same_user)
{
	ASSERT_EQ(0, write_policy(1));
	EXPECT_EQ(0, share_errno(USER_A, USER_A, 0));
	EXPECT_EQ(EINVAL, share_errno(USER_A, USER_B, 0));
	EXPECT_EQ(EINVAL, share_errno(ROOT, USER_B, 0));
	EXPECT_EQ(0, share_errno(USER_B, ROOT, 0));
}

TEST_F(policy, anyone)
{
	ASSERT_EQ(0, write_policy(2));
	EXPECT_EQ(0, share_errno(USER_A, USER_B, 0));
	EXPECT_EQ(0, share_errno(ROOT, USER_B, 0));
}

TEST_HARNESS_MAIN
