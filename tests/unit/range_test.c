// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr_range: the carve-out pools' allocator, compiled for the host
 * against the kernel's tools/ headers and checked against a page bitmap.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../mmngr/mmngr_range.h"
#include "kselftest_harness.h"

#define PG	4096ULL

struct block {
	u64 start, size;
	struct mmngr_extent *spare;
};

/* Check the tree against its invariants and return the free bytes. */
static u64 check_node(struct rb_node *n, u64 *prev_end, unsigned long *count,
		      int *bad)
{
	struct mmngr_extent *e;
	u64 max, l = 0, r = 0, sum;

	if (!n)
		return 0;
	e = rb_entry(n, struct mmngr_extent, rb);
	sum = check_node(n->rb_left, prev_end, count, bad);
	/* In order, never touching: touching extents must have merged. */
	if (*prev_end != (u64)-1 && e->start <= *prev_end)
		*bad |= 1;
	if (!e->size)
		*bad |= 2;
	*prev_end = e->start + e->size;
	(*count)++;
	sum += e->size;
	sum += check_node(n->rb_right, prev_end, count, bad);
	if (n->rb_left)
		l = rb_entry(n->rb_left, struct mmngr_extent, rb)->subtree_max;
	if (n->rb_right)
		r = rb_entry(n->rb_right, struct mmngr_extent, rb)->subtree_max;
	max = e->size;
	if (l > max)
		max = l;
	if (r > max)
		max = r;
	if (e->subtree_max != max)
		*bad |= 4;
	return sum;
}

static int check_range(struct mmngr_range *r)
{
	u64 prev_end = (u64)-1;
	unsigned long count = 0;
	int bad = 0;
	u64 sum = check_node(r->free.rb_node, &prev_end, &count, &bad);

	if (sum != r->avail)
		bad |= 8;
	if (count != r->nr_extents)
		bad |= 16;
	return bad;
}

static int alloc_block(struct mmngr_range *r, u64 size, u64 align,
		       struct block *b)
{
	struct mmngr_extent *split = mmngr_extent_alloc();
	int ret;

	b->spare = mmngr_extent_alloc();
	ret = mmngr_range_alloc(r, size, align, &split, &b->start);
	free(split);
	b->size = size;
	if (ret)
		free(b->spare);
	return ret;
}

static void free_block(struct mmngr_range *r, struct block *b)
{
	mmngr_range_free(r, b->start, b->size, b->spare);
}

TEST(rejects_malformed)
{
	struct mmngr_range r;
	struct block b;

	EXPECT_EQ(-EINVAL, mmngr_range_init(&r, 0x1000, 0, PG));
	EXPECT_EQ(-EINVAL, mmngr_range_init(&r, 0x1800, PG, PG));
	EXPECT_EQ(-EINVAL, mmngr_range_init(&r, 0, PG * 3, 3000));
	ASSERT_EQ(0, mmngr_range_init(&r, 0x40000000, 64 * PG, PG));
	EXPECT_EQ(-EINVAL, alloc_block(&r, 0, PG, &b));
	EXPECT_EQ(-EINVAL, alloc_block(&r, 100, PG, &b));
	EXPECT_EQ(-EINVAL, alloc_block(&r, PG, 3 * PG, &b));
	EXPECT_EQ(-EINVAL, alloc_block(&r, PG, PG / 2, &b));
	EXPECT_EQ(-ENOMEM, alloc_block(&r, 65 * PG, PG, &b));
	EXPECT_EQ(64 * PG, r.avail);
	mmngr_range_destroy(&r);
}

TEST(fill_and_drain)
{
	struct mmngr_range r;
	struct block b[64], extra;
	int i;

	ASSERT_EQ(0, mmngr_range_init(&r, 0x70000000, 64 * PG, PG));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, alloc_block(&r, PG, PG, &b[i]));
		/* First fit: the lowest free page. */
		EXPECT_EQ(0x70000000 + i * PG, b[i].start);
	}
	EXPECT_EQ(0, r.avail);
	EXPECT_EQ(0, mmngr_range_largest(&r));
	EXPECT_EQ(-ENOMEM, alloc_block(&r, PG, PG, &extra));
	/* Free every other page, then the rest: everything merges. */
	for (i = 0; i < 64; i += 2)
		free_block(&r, &b[i]);
	EXPECT_EQ(32, r.nr_extents);
	EXPECT_EQ(PG, mmngr_range_largest(&r));
	EXPECT_EQ(-ENOMEM, alloc_block(&r, 2 * PG, PG, &extra));
	for (i = 1; i < 64; i += 2)
		free_block(&r, &b[i]);
	EXPECT_EQ(1, r.nr_extents);
	EXPECT_EQ(64 * PG, mmngr_range_largest(&r));
	EXPECT_EQ(0, check_range(&r));
	mmngr_range_destroy(&r);
}

TEST(alignment)
{
	struct mmngr_range r;
	struct block a, b, c;

	/* A base that is page- but not MiB-aligned. */
	ASSERT_EQ(0, mmngr_range_init(&r, 0x54001000, 48ULL << 20, PG));
	ASSERT_EQ(0, alloc_block(&r, PG, PG, &a));
	EXPECT_EQ(0x54001000, a.start);
	ASSERT_EQ(0, alloc_block(&r, 3 * PG, 1 << 20, &b));
	EXPECT_EQ(0x54100000, b.start);
	ASSERT_EQ(0, alloc_block(&r, PG, 16ULL << 20, &c));
	EXPECT_EQ(0x55000000, c.start);
	EXPECT_EQ(0, check_range(&r));
	free_block(&r, &b);
	free_block(&r, &a);
	free_block(&r, &c);
	EXPECT_EQ(1, r.nr_extents);
	mmngr_range_destroy(&r);
}

/* With no slack anywhere, the exact search must still find an aligned fit. */
TEST(exact_fit_when_fragmented)
{
	struct mmngr_range r;
	struct block lo, mid, hi, got;

	ASSERT_EQ(0, mmngr_range_init(&r, 0, 16 * PG, PG));
	ASSERT_EQ(0, alloc_block(&r, 4 * PG, PG, &lo));
	ASSERT_EQ(0, alloc_block(&r, 4 * PG, PG, &mid));
	ASSERT_EQ(0, alloc_block(&r, 8 * PG, PG, &hi));
	free_block(&r, &mid);		/* hole [4, 8) pages */
	/* 4 pages at 4-page alignment: fits exactly, with no slack. */
	ASSERT_EQ(0, alloc_block(&r, 4 * PG, 4 * PG, &got));
	EXPECT_EQ(4 * PG, got.start);
	free_block(&r, &got);
	/* 4 pages at 8-page alignment: does not fit. */
	EXPECT_EQ(-ENOMEM, alloc_block(&r, 4 * PG, 8 * PG, &got));
	free_block(&r, &lo);
	free_block(&r, &hi);
	EXPECT_EQ(0, check_range(&r));
	mmngr_range_destroy(&r);
}

TEST(double_free_is_refused)
{
	struct mmngr_range r;
	struct block a, b;

	ASSERT_EQ(0, mmngr_range_init(&r, 0, 16 * PG, PG));
	ASSERT_EQ(0, alloc_block(&r, 4 * PG, PG, &a));
	ASSERT_EQ(0, alloc_block(&r, 4 * PG, PG, &b));
	free_block(&r, &a);
	a.spare = mmngr_extent_alloc();
	free_block(&r, &a);
	EXPECT_EQ(12 * PG, r.avail);
	b.spare = NULL;
	b.start = 15 * PG;		/* runs off the end */
	mmngr_range_free(&r, b.start, 4 * PG, mmngr_extent_alloc());
	EXPECT_EQ(12 * PG, r.avail);
	EXPECT_EQ(0, check_range(&r));
	mmngr_range_destroy(&r);
}

/* Is there an aligned run of n free pages in the reference bitmap? */
static int model_fits(const unsigned char *used, u64 pages, u64 n, u64 align)
{
	u64 s, i;

	for (s = 0; s + n <= pages; s += align) {
		for (i = 0; i < n && !used[s + i]; i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

TEST(random_against_bitmap)
{
	const u64 pages = 2048;
	unsigned char *used = calloc(pages, 1);
	struct block *live = calloc(pages, sizeof(*live));
	struct mmngr_range r;
	int nlive = 0, i, step, bad = 0, refused = 0;
	u64 p;

	srandom(1);
	ASSERT_EQ(0, mmngr_range_init(&r, 0x80000000ULL, pages * PG, PG));
	for (step = 0; step < 200000 && !bad; step++) {
		if (nlive && (random() % 100) < 48) {
			i = random() % nlive;
			for (p = 0; p < live[i].size / PG; p++)
				used[(live[i].start - r.base) / PG + p] = 0;
			free_block(&r, &live[i]);
			live[i] = live[--nlive];
		} else {
			u64 n = 1 + random() % (random() % 4 ? 8 : 96);
			u64 align = 1ULL << (random() % 6);
			struct block b;

			if (alloc_block(&r, n * PG, align * PG, &b)) {
				/* Refused only when nothing fits. */
				refused++;
				if (model_fits(used, pages, n, align))
					bad |= 32;
				continue;
			}
			if (b.start % (align * PG) || b.start < r.base ||
			    b.start + b.size > r.base + r.size)
				bad |= 64;
			for (p = 0; p < n; p++) {
				if (used[(b.start - r.base) / PG + p]++)
					bad |= 128;
			}
			live[nlive++] = b;
		}
		if (step % 1000 == 0)
			bad |= check_range(&r);
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(100, refused);	/* the pool did fill up */
	while (nlive)
		free_block(&r, &live[--nlive]);
	EXPECT_EQ(0, check_range(&r));
	EXPECT_EQ(1, r.nr_extents);
	mmngr_range_destroy(&r);
	free(used);
	free(live);
}

/*
 * This thread's CPU time: the other processes of a busy machine (make
 * check's QEMU lanes) take the CPU away, but do not count here.
 */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * ns per allocate + free of two pages, with @nlive one-page buffers alive,
 * each followed by a one-page hole (so @nlive free extents too), in a pool
 * of @bytes.  Two pages fit no hole: each allocation walks the tree to the
 * free space at the end of the pool.
 */
static double cost(u64 bytes, int nlive)
{
	struct block *live = calloc(2 * nlive, sizeof(*live)), b;
	struct mmngr_range r;
	double best = 1e18, t;
	int i, rep, round;

	if (mmngr_range_init(&r, 0, bytes, PG))
		return -1;
	for (i = 0; i < 2 * nlive; i++)
		alloc_block(&r, PG, PG, &live[i]);
	for (i = 1; i < 2 * nlive; i += 2)
		free_block(&r, &live[i]);
	/* The last hole merges with the free tail. */
	if (r.nr_extents != (unsigned long)nlive)
		return -1;
	for (round = 0; round < 9; round++) {
		t = now_ns();
		for (rep = 0; rep < 20000; rep++) {
			alloc_block(&r, 2 * PG, PG, &b);
			free_block(&r, &b);
		}
		t = (now_ns() - t) / 20000;
		if (t < best)
			best = t;
	}
	for (i = 0; i < 2 * nlive; i += 2)
		free_block(&r, &live[i]);
	free(live);
	mmngr_range_destroy(&r);
	return best;
}

TEST(cost_does_not_grow_with_live_buffers)
{
	double small = cost(256ULL << 20, 10);
	double many = cost(256ULL << 20, 10000);
	double huge = cost(64ULL << 30, 10000);

	TH_LOG("alloc+free, ns: 10 live %.0f, 10000 live %.0f, 10000 live in 64 GiB %.0f",
	       small, many, huge);
	ASSERT_LT(0, small);
	ASSERT_LT(0, many);
	/* O(log n): a linear scan would be ~1000x slower at 10,000. */
	EXPECT_LT(many, 10 * small);
	EXPECT_LT(huge, 2 * many + 100);
}

TEST_HARNESS_MAIN
