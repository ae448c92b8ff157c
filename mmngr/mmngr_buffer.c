// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr buffers: creation and lifetime, and the accessors other drivers
 * use.
 *
 * A buffer is reference counted: the file that allocated it, every user
 * mapping, every dma-buf made of it and every driver that looked it up hold
 * a reference, and the memory goes back to its pool with the last one.
 * Finding buffers by address is mmngr_registry.c's, CPU access
 * (mappings, cache maintenance) mmngr_cpu.c's.
 */

#include <linux/cred.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <linux/mmngr.h>

#include "mmngr_drv.h"

const char *const mmngr_caching_names[MMNGR_NR_CACHING] = {
	[MMNGR_CACHED] = "cached",
	[MMNGR_WRITECOMBINE] = "writecombine",
	[MMNGR_UNCACHED] = "uncached",
};

static atomic64_t next_id = ATOMIC64_INIT(0);

static void buffer_unmap(struct mmngr_buffer *buf)
{
	struct device *dev = mmngr_buffer_dev(buf);

	if (!buf->page)
		dma_unmap_resource(dev, buf->dma_addr, buf->size,
				   DMA_BIDIRECTIONAL, 0);
	else if (buf->pool->kind != MMNGR_POOL_DMA)
		dma_unmap_page_attrs(dev, buf->dma_addr, buf->size,
				     DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * Zero the memory and map it for the mmngr device.  Zeroes are written
 * through the kernel's cacheable mapping, so clean them to memory for
 * devices, and for CPU mappings that bypass the cache also invalidate, so
 * that no line of the cacheable alias outlives this.
 */
static int buffer_prepare(struct mmngr_buffer *buf)
{
	struct device *dev = mmngr_buffer_dev(buf);
	unsigned long i;
	void *va;

	if (!buf->page) {
		/* Memory outside the kernel's mapping: never cached. */
		va = memremap(buf->phys, buf->size, MEMREMAP_WC);
		if (!va)
			return -ENOMEM;
		memset(va, 0, buf->size);
		memunmap(va);
		buf->dma_addr = dma_map_resource(dev, buf->phys, buf->size,
						 DMA_BIDIRECTIONAL, 0);
		return dma_mapping_error(dev, buf->dma_addr) ? -ENOMEM : 0;
	}

	/*
	 * The DMA API zeroes what dma_alloc_pages() returns, as every
	 * dma_alloc_*() does since "dma-mapping: zero memory returned from
	 * dma_alloc_*": zeroing again doubled the cost of the kernelheap pool.
	 */
	if (buf->pool->kind != MMNGR_POOL_DMA) {
		for (i = 0; i < buf->size >> PAGE_SHIFT; i++)
			clear_highpage(buf->page + i);
		buf->dma_addr = dma_map_page_attrs(dev, buf->page, 0, buf->size,
						   DMA_BIDIRECTIONAL,
						   DMA_ATTR_SKIP_CPU_SYNC);
		if (dma_mapping_error(dev, buf->dma_addr))
			return -ENOMEM;
	}
	dma_sync_single_for_device(dev, buf->dma_addr, buf->size, DMA_TO_DEVICE);
	if (buf->caching != MMNGR_CACHED)
		dma_sync_single_for_cpu(dev, buf->dma_addr, buf->size,
					DMA_FROM_DEVICE);
	return 0;
}

/**
 * mmngr_buffer_create() - allocate a zeroed buffer
 * @pool:	where from
 * @size:	bytes; rounded up to whole pages
 * @align:	alignment of the device address, a power of two; 0 or anything
 *		below PAGE_SIZE means PAGE_SIZE
 * @caching:	how the CPU will map it
 *
 * The caller holds the only reference.
 *
 * Return: the buffer, or ERR_PTR(-EINVAL) for a request the pool cannot
 * honour, ERR_PTR(-ENOMEM) when it has no room, ERR_PTR(-EDQUOT) when the
 * caller's user would go over its limits on the pool.
 */
struct mmngr_buffer *mmngr_buffer_create(struct mmngr_pool *pool, u64 size,
					 u64 align, enum mmngr_caching caching)
{
	struct mmngr_buffer *buf;
	int ret;

	if (!size || size > U64_MAX - PAGE_SIZE || caching >= MMNGR_NR_CACHING)
		return ERR_PTR(-EINVAL);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (!is_power_of_2(align))
		return ERR_PTR(-EINVAL);
	/* Only memory in the kernel's own mapping can be cached safely. */
	if (caching == MMNGR_CACHED && !mmngr_pool_has_pages(pool))
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN(size);
	if (size > mmngr_pool_capacity(pool))
		return ERR_PTR(-ENOMEM);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	buf->pool = pool;
	buf->size = size;
	buf->caching = caching;
	buf->owner = get_task_pid(current, PIDTYPE_TGID);
	buf->uid = current_euid();
	get_task_comm(buf->comm, current);

	ret = mmngr_quota_charge(pool, buf->uid, size);
	if (ret)
		goto err_free;
	buf->charged = size;
	ret = mmngr_cgroup_charge(buf);
	if (ret)
		goto err_uncharge;
	ret = mmngr_pool_alloc(pool, buf, align);
	if (ret)
		goto err_uncharge_cgroup;
	ret = buffer_prepare(buf);
	if (ret)
		goto err_pool;
	/*
	 * The pool aligned the physical address; behind an IOMMU the device
	 * address is an IOVA, aligned as the IOVA allocator pleases.
	 */
	if (!IS_ALIGNED(buf->dma_addr, align)) {
		ret = -EINVAL;
		goto err_unmap;
	}

	buf->id = atomic64_inc_return(&next_id);
	mmngr_registry_insert(buf);
	return buf;

err_unmap:
	buffer_unmap(buf);
err_pool:
	mmngr_pool_free(pool, buf);
err_uncharge_cgroup:
	mmngr_cgroup_uncharge(buf);
err_uncharge:
	mmngr_quota_uncharge(pool, buf->uid, buf->charged);
err_free:
	put_pid(buf->owner);
	kfree(buf);
	return ERR_PTR(ret);
}

static void buffer_release(struct kref *ref)
{
	struct mmngr_buffer *buf = container_of(ref, struct mmngr_buffer, ref);

	mmngr_registry_remove(buf);

	buffer_unmap(buf);
	mmngr_pool_free(buf->pool, buf);
	mmngr_cgroup_uncharge(buf);
	mmngr_quota_uncharge(buf->pool, buf->uid, buf->charged);
	put_pid(buf->owner);
	kfree(buf);
}

/**
 * mmngr_buffer_get() - take a reference
 * @buf: a buffer the caller holds a reference to
 *
 * Return: @buf.
 */
struct mmngr_buffer *mmngr_buffer_get(struct mmngr_buffer *buf)
{
	kref_get(&buf->ref);
	return buf;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_get);

/**
 * mmngr_buffer_put() - drop a reference
 * @buf: the buffer
 *
 * The memory returns to its pool with the last reference.  May sleep.
 */
void mmngr_buffer_put(struct mmngr_buffer *buf)
{
	might_sleep();
	kref_put(&buf->ref, buffer_release);
}
EXPORT_SYMBOL_GPL(mmngr_buffer_put);

/**
 * mmngr_buffer_size() - a buffer's size
 * @buf: the buffer
 *
 * Return: bytes, a multiple of PAGE_SIZE.
 */
u64 mmngr_buffer_size(const struct mmngr_buffer *buf)
{
	return buf->size;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_size);

/**
 * mmngr_buffer_id() - a buffer's serial number
 * @buf: the buffer
 *
 * Return: the number debugfs mmngr/buffers lists it under; never reused
 * while the module is loaded.
 */
u64 mmngr_buffer_id(const struct mmngr_buffer *buf)
{
	return buf->id;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_id);

/**
 * mmngr_buffer_dma_addr() - a buffer's address for the mmngr device
 * @buf: the buffer
 *
 * Return: the device address (physical where no IOMMU translates it).
 */
dma_addr_t mmngr_buffer_dma_addr(const struct mmngr_buffer *buf)
{
	return buf->dma_addr;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_dma_addr);

/**
 * mmngr_buffer_pages() - a buffer's first page
 * @buf: the buffer
 *
 * Return: the first of its physically contiguous pages, or NULL for memory
 * that has no struct pages (no-map regions).
 */
struct page *mmngr_buffer_pages(const struct mmngr_buffer *buf)
{
	return buf->page;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_pages);
