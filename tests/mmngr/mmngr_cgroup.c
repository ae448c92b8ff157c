// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup accounting: every pool is a region of the device-memory ("dmem")
 * controller, "mmngr/<pool>"; a buffer is charged to its allocator's cgroup
 * and uncharged when freed, and a cgroup's dmem.max refuses (EDQUOT,
 * counted in cgroup_refused) what would go over it, for root too.
 *
 * Needs the dmem controller (Linux 6.14 on, CONFIG_CGROUP_DMEM); without it
 * the test skips, saying so.  It mounts cgroup2 if nothing has.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define CGROOT	"/sys/fs/cgroup"
#define REGION	"mmngr/kernelheap"
#define LIMIT	(1024 * 1024)

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The value on a dmem file's line for @region ("max" as -2), or -1. */
static long long dmem_value(const char *file, const char *region)
{
	char buf[4096], *line, *save;
	size_t len = strlen(region);

	if (read_text(file, buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, region, len) && line[len] == ' ')
			return strcmp(line + len + 1, "max") ? atoll(line + len + 1) : -2;
	return -1;
}

static int alloc_aligned(int fd, int pool, __u64 size, __u64 align, __u32 *handle)
{
	struct mmngr_alloc a = { .size = size, .align = align, .pool = pool,
				 .caching = MMNGR_CACHING_CACHED };

	if (ioctl(fd, MMNGR_IOCTL_ALLOC, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

static int alloc(int fd, int pool, __u64 size, __u32 *handle)
{
	return alloc_aligned(fd, pool, size, 0, handle);
}

FIXTURE(dmem) {
	const char *skip;	/* why the cases cannot run here, or NULL */
	int mounted;		/* we mounted cgroup2 */
	int enabled;		/* we enabled dmem for the root's children */
	char group[64];
};

FIXTURE_SETUP(dmem)
{
	char buf[4096];

	if (read_text(CGROOT "/cgroup.controllers", buf, sizeof(buf))) {
		if (read_text("/proc/filesystems", buf, sizeof(buf)) ||
		    !strstr(buf, "\tcgroup2\n")) {
			self->skip = "no cgroup v2 in this kernel (CONFIG_CGROUPS)";
			return;
		}
		mkdir(CGROOT, 0755);
		ASSERT_EQ(0, mount("cgroup2", CGROOT, "cgroup2", 0, NULL));
		self->mounted = 1;
		ASSERT_EQ(0, read_text(CGROOT "/cgroup.controllers", buf, sizeof(buf)));
	}
	if (!strstr(buf, "dmem")) {
		self->skip = "no dmem cgroup controller (Linux 6.14 on, CONFIG_CGROUP_DMEM)";
		return;
	}
	ASSERT_EQ(0, read_text(CGROOT "/cgroup.subtree_control", buf, sizeof(buf)));
	if (!strstr(buf, "dmem")) {
		ASSERT_EQ(0, write_file(CGROOT "/cgroup.subtree_control", "+dmem"));
		self->enabled = 1;
	}
	snprintf(self->group, sizeof(self->group), CGROOT "/mmngr_test.%d", getpid());
	ASSERT_EQ(0, mkdir(self->group, 0755));
}

FIXTURE_TEARDOWN(dmem)
{
	if (self->group[0])
		rmdir(self->group);
	if (self->enabled)
		write_file(CGROOT "/cgroup.subtree_control", "-dmem");
	if (self->mounted)
		umount(CGROOT);
}

/* Every pool is a region, with its size as capacity (kernelheap: RAM). */
TEST_F(dmem, every_pool_is_a_region)
{
	char name[33], region[48];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	dir = opendir(POOLS);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		long long size, cap;

		if (d->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%.32s", d->d_name);
		snprintf(region, sizeof(region), "mmngr/%s", name);
		cap = dmem_value(CGROOT "/dmem.capacity", region);
		size = pool_stat(name, "size");
		TH_LOG("%s: capacity %lld, pool size %lld", region, cap, size);
		EXPECT_LT(0, cap);
		if (size > 0)
			EXPECT_EQ(size, cap);
		n++;
	}
	closedir(dir);
	EXPECT_LT(0, n);
}

/*
 * In a cgroup whose dmem.max for the kernelheap pool is 1 MiB: 512 KiB is
 * charged, 1 MiB more is refused with EDQUOT and counted, freeing
 * uncharges.  Root is not exempt: the limit is the administrator's.  A
 * buffer the pool rounds up for its alignment is charged and uncharged
 * what was asked for; a request beyond the pool's capacity is ENOMEM, not
 * a refusal.
 */
TEST_F(dmem, max_refuses_and_free_uncharges)
{
	char path[128], val[64];
	long long refused = pool_stat("kernelheap", "cgroup_refused");
	int status;
	pid_t pid;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	snprintf(path, sizeof(path), "%s/dmem.max", self->group);
	snprintf(val, sizeof(val), REGION " %d", LIMIT);
	ASSERT_EQ(0, write_file(path, val));
	ASSERT_EQ(LIMIT, dmem_value(path, REGION));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u64 ram = (__u64)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
		struct mmngr_free fr = { 0 };
		char cur[128];
		__u32 h1 = 0, h2 = 0;
		int fd, pool;

		snprintf(path, sizeof(path), "%s/cgroup.procs", self->group);
		snprintf(cur, sizeof(cur), "%s/dmem.current", self->group);
		if (write_file(path, "0"))
			_exit(10);
		fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
		pool = find_pool(fd, "kernelheap");
		if (fd < 0 || pool < 0)
			_exit(11);
		if (alloc(fd, pool, LIMIT / 2, &h1))
			_exit(12);
		if (dmem_value(cur, REGION) != LIMIT / 2)
			_exit(13);
		if (alloc(fd, pool, LIMIT, &h2) != -EDQUOT)
			_exit(14);
		if (dmem_value(cur, REGION) != LIMIT / 2)
			_exit(15);
		fr.handle = h1;
		if (ioctl(fd, MMNGR_IOCTL_FREE, &fr))
			_exit(16);
		if (dmem_value(cur, REGION) != 0)
			_exit(17);
		/* 4 KiB at 512 KiB alignment: kernelheap allocates 512 KiB. */
		if (alloc_aligned(fd, pool, 4096, LIMIT / 2, &h1))
			_exit(20);
		if (dmem_value(cur, REGION) != 4096)
			_exit(21);
		fr.handle = h1;
		if (ioctl(fd, MMNGR_IOCTL_FREE, &fr) || dmem_value(cur, REGION) != 0)
			_exit(22);
		/*
		 * More than all RAM (within the 4 GiB a buffer may have):
		 * no memory, whatever the cgroup.
		 */
		if (ram + (64 << 20) <= (4ULL << 30) &&
		    alloc(fd, pool, ram + (64 << 20), &h2) != -ENOMEM)
			_exit(23);
		/* The whole limit now fits. */
		if (alloc(fd, pool, LIMIT, &h2))
			_exit(18);
		close(fd);
		/* Closing freed it. */
		_exit(dmem_value(cur, REGION) != 0 ? 19 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("child failed at step %d", WEXITSTATUS(status));
	}
	EXPECT_EQ(refused + 1, pool_stat("kernelheap", "cgroup_refused"));
}

TEST_HARNESS_MAIN
