// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation from mmngr's pools (mmngr_discover.c finds them): the DMA API
 * for the kernelheap pool, our range allocator plus alloc_contig_range()
 * for CMA regions and ZONE_MOVABLE, the range allocator alone for no-map
 * memory.
 */

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "mmngr_drv.h"

/**
 * mmngr_pool_by_index() - a pool by its position
 * @mdev:	the device
 * @index:	0 .. nr_pools - 1
 *
 * Return: the pool, or NULL.
 */
struct mmngr_pool *mmngr_pool_by_index(struct mmngr_device *mdev,
				       unsigned int index)
{
	struct mmngr_pool *pool;

	list_for_each_entry(pool, &mdev->pools, node)
		if (pool->index == index)
			return pool;
	return NULL;
}

/**
 * mmngr_pool_has_pages() - whether the pool's memory has struct pages
 * @pool: the pool
 *
 * Return: true for memory the page allocator manages (it can be cached,
 * shared with importers that need pages, and vmapped).
 */
bool mmngr_pool_has_pages(const struct mmngr_pool *pool)
{
	return pool->kind != MMNGR_POOL_STATIC;
}
EXPORT_SYMBOL_GPL(mmngr_pool_has_pages);

/**
 * mmngr_pool_largest_free() - the largest buffer the pool can give now
 * @pool: the pool
 *
 * Return: bytes, or 0 where unknown (the DMA pool).
 */
u64 mmngr_pool_largest_free(struct mmngr_pool *pool)
{
	u64 largest = 0;

	if (pool->kind != MMNGR_POOL_DMA) {
		mutex_lock(&pool->lock);
		largest = mmngr_range_largest(&pool->range);
		mutex_unlock(&pool->lock);
	}
	return largest;
}

static int pool_alloc_dma(struct mmngr_pool *pool, struct mmngr_buffer *buf,
			  u64 align)
{
	struct device *dev = pool->mdev->dev;
	size_t size = buf->size;

	/*
	 * The DMA API aligns a buffer to its size's order (up to the CMA
	 * alignment); ask for a buffer that large to get a larger alignment,
	 * and check that it came.
	 */
	if (align > PAGE_SIZE)
		size = max_t(u64, size, roundup_pow_of_two(align));
	buf->page = dma_alloc_pages(dev, size, &buf->dma_addr,
				    DMA_BIDIRECTIONAL, GFP_KERNEL | __GFP_NOWARN);
	if (!buf->page)
		return -ENOMEM;
	/*
	 * A NULL page is the only failure, but DMA-API debug files the
	 * allocation as a mapping and expects its error check.
	 */
	WARN_ON_ONCE(dma_mapping_error(dev, buf->dma_addr));
	if (!IS_ALIGNED(buf->dma_addr, align)) {
		dma_free_pages(dev, size, buf->page, buf->dma_addr,
			       DMA_BIDIRECTIONAL);
		return -EINVAL;
	}
	buf->size = size;
	buf->phys = page_to_phys(buf->page);
	return 0;
}

/*
 * alloc_contig_range() isolates whole pageblocks; two calls on one
 * pageblock fail each other with EBUSY.  CMA serialises its calls the same
 * way (cma_mutex).
 */
static DEFINE_MUTEX(contig_lock);

/* CMA ranges are MIGRATE_CMA pageblocks; isolation must keep them so. */
static acr_flags_t contig_flags(const struct mmngr_pool *pool)
{
	return pool->cma ? ACR_FLAGS_CMA : ACR_FLAGS_NONE;
}

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

static int pool_alloc_range(struct mmngr_pool *pool, struct mmngr_buffer *buf,
			    u64 align)
{
	struct mmngr_extent *split;
	u64 start;
	int ret;

	split = mmngr_extent_alloc();
	buf->spare = mmngr_extent_alloc();
	if (!split || !buf->spare) {
		ret = -ENOMEM;
		goto out;
	}

	mutex_lock(&pool->lock);
	ret = mmngr_range_alloc(&pool->range, buf->size, align, &split, &start);
	mutex_unlock(&pool->lock);
	if (ret)
		goto out;

	buf->phys = start;
	if (pool->kind == MMNGR_POOL_CONTIG) {
		/*
		 * Move the range's pages out of the page allocator's way.
		 * Transient pins (a page under I/O) make it fail with EBUSY;
		 * the range stays taken in our allocator meanwhile.
		 */
		int tries = 3;

		do {
			mutex_lock(&contig_lock);
			ret = alloc_contig_range(PHYS_PFN(start),
						 PHYS_PFN(start + buf->size),
						 contig_flags(pool), GFP_KERNEL);
			mutex_unlock(&contig_lock);
		} while (ret == -EBUSY && --tries);
		if (ret) {
			dev_dbg(pool->mdev->dev, "%s: cannot claim [%#llx, +%#llx): %d\n",
				pool->name, start, buf->size, ret);
			mutex_lock(&pool->lock);
			mmngr_range_free(&pool->range, start, buf->size, buf->spare);
			mutex_unlock(&pool->lock);
			buf->spare = NULL;
			ret = -ENOMEM;
			goto out;
		}
		buf->page = pfn_to_page(PHYS_PFN(start));
	}
out:
	kfree(split);
	if (ret) {
		kfree(buf->spare);
		buf->spare = NULL;
	}
	return ret;
}

/**
 * mmngr_pool_alloc() - take memory for a buffer
 * @pool:	the pool
 * @buf:	the buffer; @buf->size is set, page-aligned
 * @align:	alignment, a power of two, at least PAGE_SIZE
 *
 * Sets @buf->phys and @buf->page (memory with struct pages), and for the DMA
 * pool @buf->dma_addr; may round @buf->size up.  The memory is not zeroed.
 *
 * Return: 0, -ENOMEM when the pool cannot serve it, -EINVAL for an
 * alignment the pool cannot honour.
 */
int mmngr_pool_alloc(struct mmngr_pool *pool, struct mmngr_buffer *buf,
		     u64 align)
{
	int ret;

	if (pool->kind == MMNGR_POOL_DMA)
		ret = pool_alloc_dma(pool, buf, align);
	else
		ret = pool_alloc_range(pool, buf, align);

	mutex_lock(&pool->lock);
	if (ret) {
		pool->failed++;
	} else {
		pool->used += buf->size;
		pool->nr_buffers++;
	}
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * mmngr_pool_free() - give a buffer's memory back
 * @pool:	the pool
 * @buf:	a buffer from mmngr_pool_alloc()
 */
void mmngr_pool_free(struct mmngr_pool *pool, struct mmngr_buffer *buf)
{
	if (pool->kind == MMNGR_POOL_DMA)
		dma_free_pages(pool->mdev->dev, buf->size, buf->page,
			       buf->dma_addr, DMA_BIDIRECTIONAL);
	else if (pool->kind == MMNGR_POOL_CONTIG)
		free_contig_range(PHYS_PFN(buf->phys), buf->size >> PAGE_SHIFT);

	mutex_lock(&pool->lock);
	if (pool->kind != MMNGR_POOL_DMA)
		mmngr_range_free(&pool->range, buf->phys, buf->size, buf->spare);
	buf->spare = NULL;
	pool->used -= buf->size;
	pool->nr_buffers--;
	mutex_unlock(&pool->lock);
}
