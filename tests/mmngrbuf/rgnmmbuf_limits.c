// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-file limits of /dev/rgnmmbuf: fences (file_max_fences) and imports
 * (file_max_imports), module parameters root may change at run time.  Going
 * over one gives ENOSPC and counts in the device's fences_refused or
 * imports_refused.
 */

#include "mmngrbuf_test.h"

#include "kselftest_harness.h"

#define PARAMS	"/sys/module/mmngrbuf/parameters/"
#define DEV	"/sys/class/misc/rgnmmbuf/device/"

static long long read_ll(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoll(buf) : -1;
}

static int write_ll(const char *path, long long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY);
	int n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%lld\n", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

FIXTURE(limits) {
	int bfd;
	int dfd;
	long long max_fences;
	long long max_imports;
};

FIXTURE_SETUP(limits)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->dfd = alloc_dmabuf(self->bfd, 4096, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
	self->max_fences = read_ll(PARAMS "file_max_fences");
	self->max_imports = read_ll(PARAMS "file_max_imports");
	ASSERT_EQ(4096, self->max_fences);
	ASSERT_EQ(1024, self->max_imports);
}

FIXTURE_TEARDOWN(limits)
{
	EXPECT_EQ(0, write_ll(PARAMS "file_max_fences", self->max_fences));
	EXPECT_EQ(0, write_ll(PARAMS "file_max_imports", self->max_imports));
	close(self->dfd);
	close(self->bfd);
}

TEST_F(limits, fences)
{
	long long refused = read_ll(DEV "fences_refused");
	struct mmngrbuf_fence_attach a;
	int i;

	ASSERT_LE(0, refused);
	ASSERT_EQ(0, write_ll(PARAMS "file_max_fences", 2));
	for (i = 0; i < 3; i++) {
		memset(&a, 0, sizeof(a));
		a.fd = self->dfd;
		if (i < 2)
			EXPECT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a));
	}
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(refused + 1, read_ll(DEV "fences_refused"));
	/* The refused fence holds nothing up; the two others do. */
	EXPECT_EQ(0, poll_ready(self->dfd, POLLOUT, 0));
}

TEST_F(limits, imports)
{
	long long refused = read_ll(DEV "imports_refused");
	struct mmngrbuf_import i;
	int n;

	ASSERT_LE(0, refused);
	ASSERT_EQ(0, write_ll(PARAMS "file_max_imports", 2));
	for (n = 0; n < 3; n++) {
		memset(&i, 0, sizeof(i));
		i.fd = self->dfd;
		if (n < 2) {
			EXPECT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &i));
		} else {
			EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &i));
			EXPECT_EQ(ENOSPC, errno);
		}
	}
	EXPECT_EQ(refused + 1, read_ll(DEV "imports_refused"));
}

TEST_F(limits, parameters_are_bounded)
{
	struct mmngrbuf_import i = { .fd = self->dfd };

	/* Anything from 1 to 65536 holds; outside it, the nearest bound. */
	ASSERT_EQ(0, write_ll(PARAMS "file_max_imports", 0));
	EXPECT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &i));
	memset(&i, 0, sizeof(i));
	i.fd = self->dfd;
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &i));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_HARNESS_MAIN
