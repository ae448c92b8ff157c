// SPDX-License-Identifier: GPL-2.0-only
/*
 * EXPORT_START of another process's buffer follows mmngr's share_policy
 * as SHARE does (see tests/mmngr/mmngr_share_policy.c): a buffer the
 * caller may not use is refused with EINVAL, like an address in no
 * buffer; one it may use becomes a dma-buf.  The devices are opened as
 * root, then each process drops to its user.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/rgnmm.h>

#include "kselftest_harness.h"

/* The kernel's page size: lanes run 4 KiB and 16 KiB kernels. */
#define PAGE	((long)sysconf(_SC_PAGESIZE))

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
 * EXPORT_START of a page that a process running as @alloc_uid allocated,
 * by another process running as @export_uid: 0 if it became a dma-buf
 * (checked by its size), its errno if not, -1 if the test could not set
 * it up.
 */
static int export_errno(uid_t alloc_uid, uid_t export_uid)
{
	int up[2], down[2], status, ret = -1;
	pid_t owner, exporter;
	__u32 addr;
	char c = 0;

	if (pipe(up) || pipe(down))
		return -1;
	owner = fork();
	if (owner < 0)
		return -1;
	if (!owner) {
		struct MM_PARAM p = { .size = PAGE, .flag = MM_KERNELHEAP };
		int fd = open("/dev/rgnmm", O_RDWR);

		if (fd < 0 || become(alloc_uid) ||
		    ioctl(fd, MM_IOC_ALLOC, &p) || ioctl(fd, MM_IOC_GET, &p))
			_exit(100);
		addr = p.hard_addr;
		if (write(up[1], &addr, sizeof(addr)) != sizeof(addr) ||
		    read(down[0], &c, 1) != 1)
			_exit(101);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &addr, sizeof(addr)) == sizeof(addr)) {
		exporter = fork();
		if (!exporter) {
			struct MM_BUF_PARAM p = { .size = PAGE, .hard_addr = addr,
						  .buf = -1 };
			int fd = open("/dev/rgnmmbuf", O_RDWR);

			if (fd < 0 || become(export_uid))
				_exit(100);
			if (ioctl(fd, MM_IOC_EXPORT_START, &p))
				_exit(errno);
			_exit(lseek(p.buf, 0, SEEK_END) == PAGE ? 0 : 102);
		}
		if (exporter > 0 && waitpid(exporter, &status, 0) == exporter &&
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
	EXPECT_EQ(EINVAL, export_errno(USER_A, USER_A));
	EXPECT_EQ(0, export_errno(USER_A, ROOT));
}

TEST_F(policy, same_user)
{
	ASSERT_EQ(0, write_policy(1));
	EXPECT_EQ(0, export_errno(USER_A, USER_A));
	EXPECT_EQ(EINVAL, export_errno(USER_A, USER_B));
	EXPECT_EQ(EINVAL, export_errno(ROOT, USER_B));
}

TEST_F(policy, anyone)
{
	ASSERT_EQ(0, write_policy(2));
	EXPECT_EQ(0, export_errno(ROOT, USER_B));
}

TEST_HARNESS_MAIN
