// SPDX-License-Identifier: GPL-2.0-only
/*
 * Claiming the memory of contig pools (a reusable CMA region, ZONE_MOVABLE)
 * from the page allocator, in chunks.
 *
 * alloc_contig_range() isolates and drains whole pageblocks and migrates
 * what lives in them: its cost hardly depends on the length asked for (a
 * 4 KiB buffer paid ~2.8 ms on TCG when each buffer claimed its own pages).
 * So the pool claims aligned chunks of max(pageblock, largest buddy order)
 * pages, counts the live buffers in each, and the range allocator hands
 * out parts of them.  A chunk that has no buffer left goes back to the page
 * allocator lazily, from a delayed work: only once it has stayed unused for
 * a whole period (MMNGR_CHUNK_IDLE), so that alloc/free cycles do not pay
 * for a claim each time, and memory does not stay away from the system for
 * longer than two periods after its last buffer.  Under memory pressure a
 * shrinker gives idle chunks back at once.
 */

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "mmngr_drv.h"

/* How long an unused chunk stays claimed, at least (one to two periods). */
#define MMNGR_CHUNK_IDLE	HZ

/*
 * alloc_contig_range() isolates whole pageblocks; two calls on one
 * pageblock fail each other with EBUSY.  CMA serialises its calls the same
 * way (cma_mutex).
 */
static DEFINE_MUTEX(contig_lock);

/**
 * mmngr_contig_claimable() - whether a free range of ZONE_MOVABLE can be
 *			      claimed now
 * @pfn:	first page frame
 * @nr:		page frames
 *
 * Claims the range and gives it back.  Pages that cannot move make a range
 * useless for a pool although nothing in their struct pages says so: seen
 * at the top of ZONE_MOVABLE, where the first page cache of the boot (the
 * initramfs's files) lands, on 5.10 and on the 6.1 debug kernels.
 *
 * Return: true if alloc_contig_range() succeeded on it.
 */
bool mmngr_contig_claimable(unsigned long pfn, unsigned long nr)
{
	int ret;

	mutex_lock(&contig_lock);
	ret = alloc_contig_range(pfn, pfn + nr, ACR_FLAGS_NONE, GFP_KERNEL);
	mutex_unlock(&contig_lock);
	if (ret)
		return false;
	free_contig_range(pfn, nr);
	return true;
}

/* First and last byte + 1 of chunk @c, clipped to the pool. */
static void chunk_bounds(const struct mmngr_pool *pool, unsigned long c,
			 u64 *start, u64 *end)
{
	u64 first = ALIGN_DOWN(pool->base, pool->chunk_size);

	*start = max_t(u64, first + c * pool->chunk_size, pool->base);
	*end = min_t(u64, first + (c + 1) * pool->chunk_size,
		     pool->base + pool->size);
}

static unsigned long chunk_of(const struct mmngr_pool *pool, u64 addr)
{
	return div64_u64(addr - ALIGN_DOWN(pool->base, pool->chunk_size),
			 pool->chunk_size);
}

/* CMA ranges are MIGRATE_CMA pageblocks; isolation must keep them so. */
static acr_flags_t contig_flags(const struct mmngr_pool *pool)
{
	return pool->cma ? ACR_FLAGS_CMA : ACR_FLAGS_NONE;
}

/* Claim chunks [@a, @b), none of them claimed.  Under chunk_lock. */
static int chunks_claim(struct mmngr_pool *pool, unsigned long a,
			unsigned long b)
{
	u64 start, end, s;
	int tries = 3, ret;

	chunk_bounds(pool, a, &start, &s);
	chunk_bounds(pool, b - 1, &s, &end);
	/*
	 * Transient pins (a page under I/O) make it fail with EBUSY: try
	 * again a few times.
	 */
	do {
		mutex_lock(&contig_lock);
		ret = alloc_contig_range(PHYS_PFN(start), PHYS_PFN(end),
					 contig_flags(pool), GFP_KERNEL);
		mutex_unlock(&contig_lock);
	} while (ret == -EBUSY && --tries);
	if (ret) {
		dev_dbg(pool->mdev->dev, "%s: cannot claim [%#llx, %#llx): %d\n",
			pool->name, start, end, ret);
		return ret;
	}
	bitmap_set(pool->chunk_claimed, a, b - a);
	pool->claimed += end - start;
	return 0;
}

static void chunk_release(struct mmngr_pool *pool, unsigned long c)
{
	u64 start, end;

	chunk_bounds(pool, c, &start, &end);
	free_contig_range(PHYS_PFN(start), (end - start) >> PAGE_SHIFT);
	clear_bit(c, pool->chunk_claimed);
	pool->claimed -= end - start;
}

static void chunks_drop(struct mmngr_pool *pool, unsigned long a,
			unsigned long b)
{
	bool idle = false;

	for (; a < b; a++)
		if (!--pool->chunk_users[a])
			idle = true;
	if (idle)
		schedule_delayed_work(&pool->chunk_work, MMNGR_CHUNK_IDLE);
}

/**
 * mmngr_chunks_get() - claim the memory of a range for a buffer
 * @pool:	a contig pool
 * @start:	first byte, from the pool's range allocator
 * @size:	bytes
 *
 * Return: 0, or the error of alloc_contig_range() (nothing claimed).
 */
int mmngr_chunks_get(struct mmngr_pool *pool, u64 start, u64 size)
{
	unsigned long first = chunk_of(pool, start);
	unsigned long last = chunk_of(pool, start + size - 1);
	unsigned long c, run;
	int ret = 0;

	mutex_lock(&pool->chunk_lock);
	for (c = first; c <= last; c = run) {
		/* One call for each run of unclaimed chunks. */
		for (run = c; run <= last && !test_bit(run, pool->chunk_claimed);)
			run++;
		if (run > c) {
			ret = chunks_claim(pool, c, run);
			if (ret)
				break;
		} else {
			run = c + 1;
		}
	}
	if (ret) {
		/*
		 * Chunks this call claimed have no buffer and are not marked
		 * recent: the next idle scan gives them back.
		 */
		schedule_delayed_work(&pool->chunk_work, MMNGR_CHUNK_IDLE);
	} else {
		for (c = first; c <= last; c++) {
			pool->chunk_users[c]++;
			set_bit(c, pool->chunk_recent);
		}
	}
	mutex_unlock(&pool->chunk_lock);
	return ret;
}

/**
 * mmngr_chunks_put() - a buffer no longer uses a range
 * @pool:	a contig pool
 * @start:	as given to mmngr_chunks_get()
 * @size:	likewise
 *
 * Chunks left without buffers go back to the page allocator later.
 */
void mmngr_chunks_put(struct mmngr_pool *pool, u64 start, u64 size)
{
	mutex_lock(&pool->chunk_lock);
	chunks_drop(pool, chunk_of(pool, start),
		    chunk_of(pool, start + size - 1) + 1);
	mutex_unlock(&pool->chunk_lock);
}

/*
 * Give back the chunks without buffers that were not used since the last
 * run (all of them with @all).  Under chunk_lock.
 *
 * Return: whether some stay claimed unused, to be looked at again.
 */
static bool chunks_release_idle_locked(struct mmngr_pool *pool, bool all)
{
	unsigned long c;
	bool again = false;

	lockdep_assert_held(&pool->chunk_lock);
	for_each_set_bit(c, pool->chunk_claimed, pool->nr_chunks) {
		if (pool->chunk_users[c])
			continue;
		if (!all && test_and_clear_bit(c, pool->chunk_recent))
			again = true;
		else
			chunk_release(pool, c);
	}
	return again;
}

static void chunks_release_idle(struct mmngr_pool *pool, bool all)
{
	mutex_lock(&pool->chunk_lock);
	if (chunks_release_idle_locked(pool, all))
		schedule_delayed_work(&pool->chunk_work, MMNGR_CHUNK_IDLE);
	mutex_unlock(&pool->chunk_lock);
}

/*
 * Under memory pressure idle chunks go back at once, not after their idle
 * period.  Reclaim can run inside this pool's own alloc_contig_range()
 * (migrating allocates) with chunk_lock held: never wait for the lock.
 */
static unsigned long chunks_count(struct shrinker *s, struct shrink_control *sc)
{
	struct mmngr_pool *pool = mmngr_shrinker_priv(s);
	unsigned long c, pages = 0;

	if (!mutex_trylock(&pool->chunk_lock))
		return 0;
	for_each_set_bit(c, pool->chunk_claimed, pool->nr_chunks)
		if (!pool->chunk_users[c])
			pages += pool->chunk_size >> PAGE_SHIFT;
	mutex_unlock(&pool->chunk_lock);
	return pages ?: SHRINK_EMPTY;
}

static unsigned long chunks_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct mmngr_pool *pool = mmngr_shrinker_priv(s);
	u64 before;

	if (!mutex_trylock(&pool->chunk_lock))
		return SHRINK_STOP;
	before = pool->claimed;
	chunks_release_idle_locked(pool, true);
	before -= pool->claimed;
	mutex_unlock(&pool->chunk_lock);
	return before >> PAGE_SHIFT;
}

static void chunk_work_fn(struct work_struct *work)
{
	struct mmngr_pool *pool = container_of(to_delayed_work(work),
					       struct mmngr_pool, chunk_work);

	chunks_release_idle(pool, false);
}

/**
 * mmngr_chunks_init() - set up chunk claiming for a contig pool
 * @pool: the pool, with @base and @size set
 *
 * Return: 0 or -ENOMEM.
 */
int mmngr_chunks_init(struct mmngr_pool *pool)
{
	char name[40];
	unsigned long nr;

	INIT_DELAYED_WORK(&pool->chunk_work, chunk_work_fn);
	pool->chunk_size = (u64)max_t(unsigned long, pageblock_nr_pages,
				      MAX_ORDER_NR_PAGES) << PAGE_SHIFT;
	nr = chunk_of(pool, pool->base + pool->size - 1) + 1;
	pool->chunk_users = kcalloc(nr, sizeof(*pool->chunk_users), GFP_KERNEL);
	pool->chunk_claimed = bitmap_zalloc(nr, GFP_KERNEL);
	pool->chunk_recent = bitmap_zalloc(nr, GFP_KERNEL);
	if (!pool->chunk_users || !pool->chunk_claimed || !pool->chunk_recent)
		return -ENOMEM;
	pool->nr_chunks = nr;
	snprintf(name, sizeof(name), "mmngr-%s", pool->name);
	pool->shrinker = mmngr_shrinker_create(name, pool, chunks_count,
					       chunks_scan);
	if (!pool->shrinker)
		return -ENOMEM;
	return 0;
}

/**
 * mmngr_chunks_shutdown() - give every chunk back
 * @pool: a contig pool without buffers
 *
 * Stops the delayed work first: the pool may be freed after this.
 */
void mmngr_chunks_shutdown(struct mmngr_pool *pool)
{
	if (!pool->nr_chunks)
		return;
	mmngr_shrinker_destroy(pool->shrinker);
	pool->shrinker = NULL;
	cancel_delayed_work_sync(&pool->chunk_work);
	chunks_release_idle(pool, true);
	/* Nothing can queue it again: no buffer is left to be freed. */
	WARN_ON(cancel_delayed_work_sync(&pool->chunk_work));
	WARN_ON(pool->claimed);
}

/**
 * mmngr_chunks_destroy() - free the chunk bookkeeping
 * @pool: the pool, after mmngr_chunks_shutdown() (or a failed init)
 */
void mmngr_chunks_destroy(struct mmngr_pool *pool)
{
	mmngr_shrinker_destroy(pool->shrinker);
	pool->shrinker = NULL;
	kfree(pool->chunk_users);
	bitmap_free(pool->chunk_claimed);
	bitmap_free(pool->chunk_recent);
}
