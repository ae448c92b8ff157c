// SPDX-License-Identifier: GPL-2.0-only
/*
 * What mmngr tells about its state: the live-buffer list in debugfs
 * (/sys/kernel/debug/mmngr/buffers: one line per buffer with its pool,
 * size, caching, device address, references, process) and the per-pool
 * statistics in sysfs (kind, size, used, free, buffers, largest_free),
 * checked against allocations made here and against MMNGR_IOCTL_POOL_INFO.
 */

#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "kselftest_harness.h"
#include "mmngr_test.h"

/* The kernel's page size: lanes run 4 KiB and 16 KiB kernels. */
#define PAGE	((long)sysconf(_SC_PAGESIZE))

#define BUFFERS	"/sys/kernel/debug/mmngr/buffers"
#define HEADER	"id\tpool\tsize\tcaching\tdev_addr\trefs\tpid\tcomm"

struct entry {
	unsigned long long id, size, dev_addr;
	unsigned int refs;
	int pid;
	char pool[32], caching[16], comm[32];
};

/*
 * The debugfs line of the buffer at @dev_addr: 1 found, 0 not listed,
 * -1 the file is unreadable or its header is not the documented one.
 */
static int find_entry(unsigned long long dev_addr, struct entry *e)
{
	char line[256];
	int found = 0;
	FILE *f = fopen(BUFFERS, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || strncmp(line, HEADER "\n", sizeof(HEADER))) {
		fclose(f);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		memset(e, 0, sizeof(*e));
		if (sscanf(line, "%llu\t%31s\t%llu\t%15s\t%llx\t%u\t%d\t%31[^\n]",
			   &e->id, e->pool, &e->size, e->caching, &e->dev_addr,
			   &e->refs, &e->pid, e->comm) != 8) {
			fclose(f);
			return -1;
		}
		found = e->dev_addr == dev_addr;
	}
	fclose(f);
	return found;
}

static int pool_kind(const char *pool, char *kind, size_t len)
{
	char path[256];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), POOLS "/%s/kind", pool);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ret = fgets(kind, len, f) ? 0 : -1;
	fclose(f);
	kind[strcspn(kind, "\n")] = '\0';
	return ret;
}

static int pool_info(int fd, unsigned int index, struct mmngr_pool_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = index;
	return ioctl(fd, MMNGR_IOCTL_POOL_INFO, info);
}

static int pool_by_name(int fd, const char *name, struct mmngr_pool_info *info)
{
	unsigned int i;

	for (i = 0; !pool_info(fd, i, info); i++)
		if (!strcmp(info->name, name))
			return i;
	return -1;
}

static int do_alloc(int fd, struct mmngr_alloc *a, unsigned int pool,
		    __u64 size, unsigned int caching)
{
	memset(a, 0, sizeof(*a));
	a->pool = pool;
	a->size = size;
	a->caching = caching;
	return ioctl(fd, MMNGR_IOCTL_ALLOC, a);
}

static int do_free(int fd, __u32 handle)
{
	struct mmngr_free f = { .handle = handle };

	return ioctl(fd, MMNGR_IOCTL_FREE, &f);
}

FIXTURE(stats) {
	int fd;
	int heap;
};

FIXTURE_SETUP(stats)
{
	struct mmngr_pool_info info;

	self->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->heap = pool_by_name(self->fd, "kernelheap", &info);
	ASSERT_LE(0, self->heap);
}

FIXTURE_TEARDOWN(stats)
{
	close(self->fd);
}

/* A buffer is listed from allocation to its last reference, as it is. */
TEST_F(stats, debugfs_lists_live_buffers)
{
	static const char *const caching[] = {
		[MMNGR_CACHING_CACHED] = "cached",
		[MMNGR_CACHING_WRITECOMBINE] = "writecombine",
		[MMNGR_CACHING_UNCACHED] = "uncached",
	};
	char comm[32];
	struct mmngr_alloc a[3];
	struct entry e;
	unsigned long long prev_id = 0;
	void *map;
	int i;

	if (access(BUFFERS, R_OK))
		SKIP(return, "no " BUFFERS " (debugfs not mounted)");
	/* The kernel's comm: the program's name, at most 15 characters. */
	snprintf(comm, 16, "%s", program_invocation_short_name);

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, do_alloc(self->fd, &a[i], self->heap, (i + 1) * PAGE + 1, i));
		ASSERT_EQ(1, find_entry(a[i].dev_addr, &e));
		EXPECT_STREQ("kernelheap", e.pool);
		EXPECT_EQ((i + 2) * (unsigned long long)PAGE, e.size);	/* whole pages */
		EXPECT_STREQ(caching[i], e.caching);
		EXPECT_EQ(1, e.refs);
		EXPECT_EQ(getpid(), e.pid);
		EXPECT_STREQ(comm, e.comm);
		/* Serial numbers only grow. */
		EXPECT_LT(prev_id, e.id);
		prev_id = e.id;
	}

	/* A mapping holds a reference, and keeps the buffer past FREE. */
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, a[0].mmap_offset);
	ASSERT_TRUE(map != MAP_FAILED);
	ASSERT_EQ(1, find_entry(a[0].dev_addr, &e));
	EXPECT_EQ(2, e.refs);
	EXPECT_EQ(0, do_free(self->fd, a[0].handle));
	ASSERT_EQ(1, find_entry(a[0].dev_addr, &e));
	EXPECT_EQ(1, e.refs);
	munmap(map, PAGE);
	EXPECT_EQ(0, find_entry(a[0].dev_addr, &e));

	for (i = 1; i < 3; i++) {
		EXPECT_EQ(0, do_free(self->fd, a[i].handle));
		EXPECT_EQ(0, find_entry(a[i].dev_addr, &e));
	}
}

/* sysfs and POOL_INFO agree, and follow allocations byte for byte. */
TEST_F(stats, sysfs_follows_allocations)
{
	struct mmngr_pool_info info, after;
	struct mmngr_alloc a;
	char kind[32];
	unsigned int i;
	long long used, buffers, free_before;

	for (i = 0; !pool_info(self->fd, i, &info); i++) {
		static const char *const kinds[] = {
			[MMNGR_POOL_KIND_DMA] = "dma",
			[MMNGR_POOL_KIND_CMA] = "cma",
			[MMNGR_POOL_KIND_MOVABLE] = "movable",
			[MMNGR_POOL_KIND_NOMAP] = "no-map",
		};

		ASSERT_GT(ARRAY_SIZE(kinds), info.kind);
		ASSERT_EQ(0, pool_kind(info.name, kind, sizeof(kind)));
		EXPECT_STREQ(kinds[info.kind], kind);
		EXPECT_EQ((long long)info.size, pool_stat(info.name, "size"));
		used = pool_stat(info.name, "used");
		buffers = pool_stat(info.name, "buffers");
		free_before = pool_stat(info.name, "free");
		EXPECT_EQ((long long)info.used, used);
		EXPECT_EQ((long long)info.buffers, buffers);
		/* The kernel heap's size is not known: nor is what is free. */
		EXPECT_EQ(info.size ? (long long)(info.size - info.used) : 0,
			  free_before);
		EXPECT_EQ(info.size ? (long long)info.largest_free : 0,
			  pool_stat(info.name, "largest_free"));

		/* One buffer of 3 pages, in any pool that has room for it. */
		if (info.size && info.largest_free < 3 * PAGE)
			continue;
		ASSERT_EQ(0, do_alloc(self->fd, &a, i, 3 * PAGE,
				      MMNGR_CACHING_WRITECOMBINE));
		EXPECT_EQ(used + 3 * PAGE, pool_stat(info.name, "used"));
		EXPECT_EQ(buffers + 1, pool_stat(info.name, "buffers"));
		EXPECT_EQ(info.size ? free_before - 3 * PAGE : 0,
			  pool_stat(info.name, "free"));
		ASSERT_EQ(0, pool_info(self->fd, i, &after));
		EXPECT_EQ(info.used + 3 * PAGE, after.used);
		EXPECT_EQ(info.buffers + 1, after.buffers);
		EXPECT_EQ(0, do_free(self->fd, a.handle));
		EXPECT_EQ(used, pool_stat(info.name, "used"));
		EXPECT_EQ(buffers, pool_stat(info.name, "buffers"));
		EXPECT_EQ(free_before, pool_stat(info.name, "free"));
	}
	EXPECT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
