// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr's load-time parameters, by reloading the module: a malformed or
 * unsatisfiable carveout= fails the probe (no device nodes, the module
 * still unloads cleanly), carveout=SIZE and SIZE@BASE give a ZONE_MOVABLE
 * pool of that size at that address (boards without a device-tree pool),
 * and share_policy= is taken at load.
 *
 * mmngrbuf and mmngr are unloaded first and reloaded afterwards with all
 * the parameters they had; if either is in use the tests are skipped.
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
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

#define MiB	(1024ULL * 1024)

/*
 * Every parameter of @mod as "name=value ...", the way finit_module()
 * takes them, to load it again as it is; unset strings are left out.
 */
static int all_params(const char *mod, char *out, size_t len)
{
	char dir[64], val[128];
	struct dirent *d;
	size_t used = 0;
	DIR *dp;
	int n;

	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mod);
	dp = opendir(dir);
	if (!dp)
		return -1;
	out[0] = '\0';
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		param_read(mod, d->d_name, val, sizeof(val));
		if (!strcmp(val, "(null)"))
			continue;
		n = snprintf(out + used, len - used, "%s%s=%s", used ? " " : "",
			     d->d_name, val);
		if (n < 0 || (size_t)n >= len - used) {
			closedir(dp);
			return -1;
		}
		used += n;
	}
	closedir(dp);
	return 0;
}

static int is_loaded(const char *mod)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod);
	return !access(path, F_OK);
}

/* finit_module() of our module @mod with @params; 0 or -1 with errno. */
static int load(const char *mod, const char *params)
{
	static const char *const dirs[] = { "extra", "updates/dkms", "updates" };
	char path[256];
	struct utsname u;
	unsigned int i;
	int fd = -1, ret;

	if (uname(&u))
		return -1;
	for (i = 0; fd < 0 && i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/%s/%s.ko",
			 u.release, dirs[i], mod);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

static int unload(const char *mod)
{
	return syscall(SYS_delete_module, mod, O_NONBLOCK);
}

static int pool_kind_is(const char *pool, const char *kind)
{
	char path[256], buf[32] = { 0 };
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), POOLS "/%s/kind", pool);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && !strncmp(buf, kind, strlen(kind)) && buf[strlen(kind)] == '\n';
}

/*
 * Device address of a new page from the multimedia pool, freed again: the
 * pool's first page when it is empty (first fit).  0 on failure.
 */
static unsigned long long first_page(void)
{
	struct mmngr_pool_info info;
	struct mmngr_alloc a;
	unsigned int i;
	int fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	unsigned long long addr = 0;

	if (fd < 0)
		return 0;
	for (i = 0; i < 16; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &info))
			break;
		if (strcmp(info.name, "multimedia"))
			continue;
		memset(&a, 0, sizeof(a));
		a.pool = i;
		a.size = 4096;
		a.caching = MMNGR_CACHING_WRITECOMBINE;
		if (!ioctl(fd, MMNGR_IOCTL_ALLOC, &a))
			addr = a.dev_addr;
		break;
	}
	close(fd);
	return addr;
}

FIXTURE(reload) {
	char mmngr_params[512];
	char mmngrbuf_params[512];
	long long mm_size;
	unsigned long long mm_base;
	int movable;
	int reloaded;
};

FIXTURE_SETUP(reload)
{
	if (getuid())
		SKIP(return, "needs root");
	if (!is_loaded("mmngr") || !is_loaded("mmngrbuf"))
		SKIP(return, "mmngr and mmngrbuf are not both loaded");
	ASSERT_EQ(0, all_params("mmngr", self->mmngr_params,
				sizeof(self->mmngr_params)));
	ASSERT_EQ(0, all_params("mmngrbuf", self->mmngrbuf_params,
				sizeof(self->mmngrbuf_params)));
	self->mm_size = pool_stat("multimedia", "size");
	self->movable = pool_kind_is("multimedia", "movable");
	if (self->movable)
		self->mm_base = first_page();

	if (unload("mmngrbuf"))
		SKIP(return, "mmngrbuf is in use (%s)", strerror(errno));
	if (unload("mmngr")) {
		int err = errno;

		load("mmngrbuf", "");
		SKIP(return, "mmngr is in use (%s)", strerror(err));
	}
	self->reloaded = 1;
}

FIXTURE_TEARDOWN(reload)
{
	if (!self->reloaded)
		return;
	if (is_loaded("mmngr"))
		unload("mmngr");
	EXPECT_EQ(0, load("mmngr", self->mmngr_params));
	EXPECT_EQ(0, load("mmngrbuf", self->mmngrbuf_params));
	EXPECT_EQ(0, access("/dev/rgnmm", F_OK));
	EXPECT_EQ(0, access("/dev/rgnmmbuf", F_OK));
	/* As before: the rest of the suite counts on it. */
	EXPECT_EQ(self->mm_size, pool_stat("multimedia", "size"));
}

/* The module loads, but without usable pools its device never appears. */
TEST_F(reload, bad_carveout_fails_probe)
{
	static const char *const bad[] = {
		"carveout=junk",		/* not a size */
		"carveout=0",			/* empty */
		"carveout=4097",		/* not page-aligned */
		"carveout=4M@4097",		/* base not page-aligned */
		"carveout=4M@8Mjunk",		/* trailing garbage */
		"carveout=1048576G",		/* more than there is */
		"carveout=4M@4096",		/* low memory: not movable */
	};
	unsigned int i;

	if (!self->reloaded)
		SKIP(return, "modules not reloadable");

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("%s", bad[i]);
		ASSERT_EQ(0, load("mmngr", bad[i]));
		EXPECT_TRUE(is_loaded("mmngr"));
		EXPECT_EQ(-1, access("/dev/rgnmm", F_OK));
		EXPECT_EQ(-1, access("/dev/mmngr", F_OK));
		ASSERT_EQ(0, unload("mmngr"));
	}
}

TEST_F(reload, carveout_size_and_base)
{
	unsigned long long base;
	char params[64];

	if (!self->reloaded)
		SKIP(return, "modules not reloadable");
	if (!self->movable || !self->mm_base)
		SKIP(return, "the board's multimedia pool is not from carveout=");

	/* SIZE alone: the search finds the same memory again. */
	snprintf(params, sizeof(params), "carveout=%lluM",
		 (unsigned long long)self->mm_size / MiB);
	ASSERT_EQ(0, load("mmngr", params));
	ASSERT_EQ(0, access("/dev/rgnmm", F_OK));
	EXPECT_EQ(self->mm_size, pool_stat("multimedia", "size"));
	EXPECT_TRUE(pool_kind_is("multimedia", "movable"));
	EXPECT_EQ(self->mm_base, first_page());
	ASSERT_EQ(0, unload("mmngr"));

	/* SIZE@BASE: smaller, from a given address inside it. */
	base = self->mm_base + 8 * MiB;
	snprintf(params, sizeof(params), "carveout=8M@%#llx", base);
	ASSERT_EQ(0, load("mmngr", params));
	EXPECT_EQ(8 * MiB, pool_stat("multimedia", "size"));
	EXPECT_EQ(base, first_page());
	ASSERT_EQ(0, unload("mmngr"));
}

TEST_F(reload, share_policy_at_load)
{
	char val[16];

	if (!self->reloaded)
		SKIP(return, "modules not reloadable");

	ASSERT_EQ(0, load("mmngr", "share_policy=2"));
	param_read("mmngr", "share_policy", val, sizeof(val));
	EXPECT_STREQ("2", val);
	ASSERT_EQ(0, unload("mmngr"));
}

TEST_HARNESS_MAIN
