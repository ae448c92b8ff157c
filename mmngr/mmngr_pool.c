// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation from mmngr's pools (mmngr_discover.c finds them): the DMA API
 * for the kernelheap pool, our range allocator plus chunks claimed from
 * the page allocator (mmngr_chunk.c) for CMA regions and ZONE_MOVABLE, the
 * range allocator alone for no-map memory.
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
 * mmngr_pool_capacity() - the most the pool could ever give
 * @pool: the pool
 *
 * Return: bytes: the pool's size, or for the kernelheap pool, which has
 * none of its own, all RAM.
 */
u64 mmngr_pool_capacity(const struct mmngr_pool *pool)
{
	return pool->size ?: (u64)totalram_pages() << PAGE_SHIFT;
}

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
		 * Take the range's pages from the page allocator (its chunks,
		 * mmngr_chunk.c); the range stays taken in our allocator
		 * meanwhile.
		 */
		ret = mmngr_chunks_get(pool, start, buf->size);
		if (ret) {
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
		mmngr_chunks_put(pool, buf->phys, buf->size);

	mutex_lock(&pool->lock);
	if (pool->kind != MMNGR_POOL_DMA)
		mmngr_range_free(&pool->range, buf->phys, buf->size, buf->spare);
	buf->spare = NULL;
	pool->used -= buf->size;
	pool->nr_buffers--;
	mutex_unlock(&pool->lock);
}
