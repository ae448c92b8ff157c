// SPDX-License-Identifier: GPL-2.0-only
/*
 * What an allocation costs must not grow with the number of live buffers:
 * time ALLOC + FREE round trips through /dev/rgnmm with 10 and with 10,000
 * other buffers alive, and compare.  The live buffers leave one-page holes
 * between them, and the timed buffer fits none, so the pool's free-space
 * tree is as deep as it gets and every allocation walks it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/rgnmm.h>

#include "kselftest_harness.h"

#define POOLS	"/sys/class/misc/rgnmm/device/pools"
#define FEW	10
#define MANY	10000

static int has_pool(const char *pool)
{
	char path[128];

	snprintf(path, sizeof(path), POOLS "/%s/size", pool);
	return !access(path, F_OK);
}

/*
 * KASAN, lockdep and kmemleak instrument every access and allocation: what
 * an allocation costs there says nothing about the driver.
 */
static int instrumented_kernel(void)
{
	return !access("/sys/kernel/debug/kmemleak", F_OK);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int alloc_on(int fd, unsigned long cmd, unsigned int flag, size_t size)
{
	struct MM_PARAM p = { .size = size, .flag = flag };

	return ioctl(fd, cmd, &p);
}

/*
 * Best of 20 rounds: microseconds per ALLOC + FREE of two pages.  The
 * minimum filters out the guest's noise (IPIs and RCU grace periods in
 * alloc_contig_range() vary a lot under emulation).
 */
static double round_trip_us(unsigned long alloc, unsigned long free_cmd,
			    unsigned int flag)
{
	struct MM_PARAM p = { 0 };
	double best = 1e12, t;
	int fd, round, i;

	fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (round = 0; round < 20; round++) {
		t = now_us();
		for (i = 0; i < 20; i++) {
			if (alloc_on(fd, alloc, flag, 8192) || ioctl(fd, free_cmd, &p)) {
				close(fd);
				return -1;
			}
		}
		t = (now_us() - t) / 20;
		if (t < best)
			best = t;
	}
	close(fd);
	return best;
}

struct live_bufs {
	int *fds;
	int n;
};

FIXTURE(live) {
	struct live_bufs b;
};

FIXTURE_SETUP(live)
{
	struct rlimit rl = { MANY * 2 + 64, MANY * 2 + 64 };

	/* One file per buffer: the Renesas ABI's model. */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	self->b.fds = calloc(MANY, sizeof(int));
	ASSERT_TRUE(!!self->b.fds);
	self->b.n = 0;
}

FIXTURE_TEARDOWN(live)
{
	while (self->b.n)
		close(self->b.fds[--self->b.n]);
	free(self->b.fds);
}

/*
 * Grow to @n live one-page buffers; with @holes, each followed by a free
 * page, so that a carve-out's free-space tree has @n extents.
 */
static int grow(struct live_bufs *b, int n, unsigned long alloc,
		unsigned int flag, int holes)
{
	int hole = -1;

	while (b->n < n) {
		b->fds[b->n] = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
		if (b->fds[b->n] < 0 || alloc_on(b->fds[b->n], alloc, flag, 4096))
			return -1;
		if (holes) {
			hole = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
			if (hole < 0 || alloc_on(hole, alloc, flag, 4096))
				return -1;
			close(hole);
		}
		b->n++;
	}
	return 0;
}

/* Microseconds per round trip with FEW and with MANY live buffers. */
static void measure(struct __test_metadata *_metadata,
		    struct live_bufs *b, unsigned long alloc,
		    unsigned long free_cmd, unsigned int flag, int holes,
		    double *few, double *many)
{
	ASSERT_EQ(0, grow(b, FEW, alloc, flag, holes));
	*few = round_trip_us(alloc, free_cmd, flag);
	ASSERT_EQ(0, grow(b, MANY, alloc, flag, holes));
	*many = round_trip_us(alloc, free_cmd, flag);
	ASSERT_LT(0, *few);
	ASSERT_LT(0, *many);
}

/*
 * mmngr's part of a carve-out allocation (its allocator and the buffer
 * registry) is O(log n): next to the syscall and alloc_contig_range() it
 * stays flat, where a walk over 10,000 buffers would multiply the cost by
 * tens.  The bound leaves room for the emulator's noise; tests/unit
 * measures the allocator itself precisely.
 */
TEST_F_TIMEOUT(live, carveout, 600)
{
	double few, many;

	if (sizeof(long) == 4)
		SKIP(return, "measured by the 64-bit build");
	if (instrumented_kernel())
		SKIP(return, "timing under KASAN/kmemleak means nothing");
	if (!has_pool("multimedia"))
		SKIP(return, "no multimedia pool on this board");
	measure(_metadata, &self->b, MM_IOC_ALLOC_CO, MM_IOC_FREE_CO, MM_CARVEOUT, 1,
		&few, &many);
	TH_LOG("ALLOC_CO + FREE_CO, 8 KiB: %.1f us with %d live buffers, %.1f us with %d",
	       few, FEW, many, MANY);
	EXPECT_LT(many, 5 * few);
}

/*
 * The kernel heap's cost is the page allocator's; this records it and
 * checks that 10,000 live buffers work and all go back.
 */
TEST_F_TIMEOUT(live, kernelheap, 600)
{
	double few, many;

	if (sizeof(long) == 4)
		SKIP(return, "measured by the 64-bit build");
	if (instrumented_kernel())
		SKIP(return, "timing under KASAN/kmemleak means nothing");
	measure(_metadata, &self->b, MM_IOC_ALLOC, MM_IOC_FREE, MM_KERNELHEAP, 0,
		&few, &many);
	TH_LOG("ALLOC + FREE (kernel heap), 8 KiB: %.1f us with %d live buffers, %.1f us with %d",
	       few, FEW, many, MANY);
}

TEST_HARNESS_MAIN
