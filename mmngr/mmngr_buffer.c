// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr buffers: creation, lifetime, the address registry, user mappings
 * and cache maintenance, and the in-kernel API other drivers use.
 *
 * A buffer is reference counted: the file that allocated it, every user
 * mapping, every dma-buf made of it and every driver that looked it up hold
 * a reference, and the memory goes back to its pool with the last one.
 *
 * Live buffers are kept in an rbtree keyed by device address, so that
 * "which buffer is this address in" (SHARE, export, validation by other
 * drivers) costs O(log n) under a spinlock held for the walk only.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <linux/mmngr.h>
#include <mmngr_kcompat.h>

#include "mmngr_drv.h"

const char *const mmngr_caching_names[MMNGR_NR_CACHING] = {
	[MMNGR_CACHED] = "cached",
	[MMNGR_WRITECOMBINE] = "writecombine",
	[MMNGR_UNCACHED] = "uncached",
};

enum {
	SHARE_PROCESS,	/* only the allocating process */
	SHARE_USER,	/* processes of the allocating process's effective user */
	SHARE_ANY,	/* any process that can open the devices */
};

static int share_policy = SHARE_USER;
module_param(share_policy, int, 0644);
MODULE_PARM_DESC(share_policy,
		 "Who may map or export (SHARE, dma-buf) a buffer allocated by another process: 0 the allocating process only, 1 the same effective user (default), 2 anyone who can open the devices; CAP_SYS_ADMIN always may");

static DEFINE_SPINLOCK(registry_lock);
static struct rb_root registry = RB_ROOT;
static atomic64_t next_id = ATOMIC64_INIT(0);
static struct dentry *debugfs_dir;

static void registry_insert(struct mmngr_buffer *buf)
{
	struct rb_node **link = &registry.rb_node, *parent = NULL;

	spin_lock(&registry_lock);
	while (*link) {
		parent = *link;
		if (buf->dma_addr < rb_entry(parent, struct mmngr_buffer, rb)->dma_addr)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&buf->rb, parent, link);
	rb_insert_color(&buf->rb, &registry);
	spin_unlock(&registry_lock);
}

static struct device *buf_dev(struct mmngr_buffer *buf)
{
	return buf->pool->mdev->dev;
}

/*
 * Zero the memory and map it for the mmngr device.  Zeroes are written
 * through the kernel's cacheable mapping, so clean them to memory for
 * devices, and for CPU mappings that bypass the cache also invalidate, so
 * that no line of the cacheable alias outlives this.
 */
static int buffer_prepare(struct mmngr_buffer *buf)
{
	struct device *dev = buf_dev(buf);
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

	for (i = 0; i < buf->size >> PAGE_SHIFT; i++)
		clear_highpage(buf->page + i);
	if (buf->pool->kind != MMNGR_POOL_DMA) {
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

static void buffer_unmap(struct mmngr_buffer *buf)
{
	struct device *dev = buf_dev(buf);

	if (!buf->page)
		dma_unmap_resource(dev, buf->dma_addr, buf->size,
				   DMA_BIDIRECTIONAL, 0);
	else if (buf->pool->kind != MMNGR_POOL_DMA)
		dma_unmap_page_attrs(dev, buf->dma_addr, buf->size,
				     DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
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
	if (pool->size && size > pool->size)
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
	ret = mmngr_pool_alloc(pool, buf, align);
	if (ret)
		goto err_uncharge;
	ret = buffer_prepare(buf);
	if (ret)
		goto err_pool;

	buf->id = atomic64_inc_return(&next_id);
	registry_insert(buf);
	return buf;

err_pool:
	mmngr_pool_free(pool, buf);
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

	spin_lock(&registry_lock);
	rb_erase(&buf->rb, &registry);
	spin_unlock(&registry_lock);

	buffer_unmap(buf);
	mmngr_pool_free(buf->pool, buf);
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
 * mmngr_buffer_lookup() - find the live buffer holding a range
 * @addr:	device address (the Renesas ABI's "hard address")
 * @size:	bytes from @addr, at least 1
 *
 * Return: the buffer with a reference the caller must drop, or NULL if no
 * single live buffer holds all of [@addr, @addr + @size).
 */
struct mmngr_buffer *mmngr_buffer_lookup(dma_addr_t addr, u64 size)
{
	struct mmngr_buffer *buf, *found = NULL;
	struct rb_node *n;
	u64 end;

	if (!size || check_add_overflow((u64)addr, size, &end))
		return NULL;

	spin_lock(&registry_lock);
	n = registry.rb_node;
	while (n) {
		buf = rb_entry(n, struct mmngr_buffer, rb);
		if (addr < buf->dma_addr) {
			n = n->rb_left;
		} else if (addr >= buf->dma_addr + buf->size) {
			n = n->rb_right;
		} else {
			if (end <= buf->dma_addr + buf->size &&
			    kref_get_unless_zero(&buf->ref))
				found = buf;
			break;
		}
	}
	spin_unlock(&registry_lock);
	return found;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_lookup);

/**
 * mmngr_buffer_may_share() - whether the current task may use a buffer
 * @buf: a buffer the current task found by its address
 *
 * Buffers found by address (Renesas SHARE, mmngrbuf's EXPORT_START) belong
 * to the process that allocated them; the share_policy parameter says who
 * else may map or export them.
 *
 * Return: true if the current task may.
 */
bool mmngr_buffer_may_share(const struct mmngr_buffer *buf)
{
	/* The process itself, not a later one that got its number. */
	if (buf->owner == task_tgid(current))
		return true;
	switch (READ_ONCE(share_policy)) {
	case SHARE_ANY:
		return true;
	case SHARE_USER:
		if (uid_eq(buf->uid, current_euid()))
			return true;
		break;
	}
	return capable(CAP_SYS_ADMIN);
}
EXPORT_SYMBOL_GPL(mmngr_buffer_may_share);

/**
 * mmngr_validate_phys_addr() - check that a range belongs to a live buffer
 * @phys_addr:	device address of the first byte (the original's "hard
 *		address": physical where no IOMMU translates it)
 * @size:	length of the range in bytes
 *
 * Drivers that accept device addresses from user space call this before
 * programming them into hardware, so that a process cannot point a DMA
 * master at memory mmngr did not give out.  The answer can be stale as soon
 * as it is given; drivers that keep using the memory should hold a
 * reference from mmngr_buffer_lookup() instead.  May sleep.
 *
 * Return: true if [@phys_addr, @phys_addr + @size) lies inside one live
 * buffer, false otherwise (and for empty or wrapping ranges).
 */
bool mmngr_validate_phys_addr(phys_addr_t phys_addr, u64 size)
{
	struct mmngr_buffer *buf = mmngr_buffer_lookup(phys_addr, size);

	if (!buf)
		return false;
	mmngr_buffer_put(buf);
	return true;
}
EXPORT_SYMBOL_GPL(mmngr_validate_phys_addr);

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

static void mmngr_vm_open(struct vm_area_struct *vma)
{
	mmngr_buffer_get(vma->vm_private_data);
}

static void mmngr_vm_close(struct vm_area_struct *vma)
{
	mmngr_buffer_put(vma->vm_private_data);
}

static const struct vm_operations_struct mmngr_vm_ops = {
	.open = mmngr_vm_open,
	.close = mmngr_vm_close,
};

/**
 * mmngr_vma_is_buffer() - whether a mapping is an mmngr buffer's
 * @vma: the mapping
 *
 * Such a mapping has the buffer in vm_private_data and the offset into it,
 * in pages, in vm_pgoff.
 *
 * Return: true if mmngr_buffer_map_user() made it.
 */
bool mmngr_vma_is_buffer(struct vm_area_struct *vma)
{
	return vma->vm_ops == &mmngr_vm_ops;
}

/**
 * mmngr_buffer_pgprot() - page protection for a CPU mapping of a buffer
 * @buf:	the buffer
 * @prot:	the cacheable protection of the mapping (vm_page_prot,
 *		PAGE_KERNEL)
 *
 * Return: @prot adjusted to the buffer's caching mode.
 */
pgprot_t mmngr_buffer_pgprot(const struct mmngr_buffer *buf, pgprot_t prot)
{
	/* Coherent DMA: RAM stays cacheable, as dma_mmap_attrs() maps it. */
	if (buf->page && dev_is_dma_coherent(buf->pool->mdev->dev))
		return prot;

	switch (buf->caching) {
	case MMNGR_CACHED:
		return prot;
	case MMNGR_WRITECOMBINE:
		return pgprot_writecombine(prot);
	default:
		/* Normal non-cacheable where the architecture has it. */
		return pgprot_dmacoherent(prot);
	}
}
EXPORT_SYMBOL_GPL(mmngr_buffer_pgprot);

/**
 * mmngr_buffer_map_user() - map part of a buffer into user space
 * @buf:	the buffer
 * @vma:	a shared mapping, from an mmap() handler
 * @offset:	page-aligned offset into @buf of the mapping's start
 *
 * The mapping holds a reference on @buf until it is unmapped, and uses the
 * buffer's caching mode.
 *
 * Return: 0, -EINVAL for a private mapping or one that does not fit in the
 * buffer, or an error from remap_pfn_range().
 */
int mmngr_buffer_map_user(struct mmngr_buffer *buf,
			  struct vm_area_struct *vma, u64 offset)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	int ret;

	/*
	 * Copy-on-write of device memory means nothing.  VM_MAYSHARE, not
	 * VM_SHARED: a shared mapping of a file opened read-only has only
	 * the former.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (!PAGE_ALIGNED(offset) || offset > buf->size || len > buf->size - offset)
		return -EINVAL;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = mmngr_buffer_pgprot(buf, vma->vm_page_prot);
	ret = remap_pfn_range(vma, vma->vm_start, PHYS_PFN(buf->phys + offset),
			      len, vma->vm_page_prot);
	if (ret)
		return ret;

	/* vm_pgoff is the offset into the buffer from here on (VTOP). */
	vma->vm_pgoff = offset >> PAGE_SHIFT;
	vma->vm_private_data = mmngr_buffer_get(buf);
	vma->vm_ops = &mmngr_vm_ops;
	return 0;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_map_user);

/**
 * mmngr_buffer_sync() - cache maintenance on part of a buffer
 * @buf:	the buffer
 * @offset:	start of the range in @buf
 * @len:	length of the range; the caller has checked it is inside @buf
 * @for_device:	true: make CPU writes visible to devices (clean);
 *		false: make device writes visible to the CPU (invalidate)
 */
void mmngr_buffer_sync(struct mmngr_buffer *buf, u64 offset, u64 len,
		       bool for_device)
{
	struct device *dev = buf_dev(buf);

	if (!len)
		return;
	if (!buf->page) {
		/*
		 * Never cached: only order the CPU's accesses against the
		 * device's (writes done before the device starts, reads after
		 * it has finished).
		 */
		if (for_device)
			wmb();	/* CPU writes before the device reads */
		else
			rmb();	/* device writes before CPU reads */
		return;
	}
	if (for_device)
		dma_sync_single_for_device(dev, buf->dma_addr + offset, len,
					   DMA_TO_DEVICE);
	else
		dma_sync_single_for_cpu(dev, buf->dma_addr + offset, len,
					DMA_FROM_DEVICE);
}
EXPORT_SYMBOL_GPL(mmngr_buffer_sync);

static int buffers_show(struct seq_file *m, void *unused)
{
	struct mmngr_buffer *buf;
	struct rb_node *n;

	seq_puts(m, "id\tpool\tsize\tcaching\tdev_addr\trefs\tpid\tcomm\n");
	spin_lock(&registry_lock);
	for (n = rb_first(&registry); n; n = rb_next(n)) {
		buf = rb_entry(n, struct mmngr_buffer, rb);
		seq_printf(m, "%llu\t%s\t%llu\t%s\t%pad\t%u\t%d\t%s\n",
			   buf->id, buf->pool->name, buf->size,
			   mmngr_caching_names[buf->caching], &buf->dma_addr,
			   kref_read(&buf->ref), pid_nr(buf->owner), buf->comm);
	}
	spin_unlock(&registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buffers);

/**
 * mmngr_debugfs_init() - create /sys/kernel/debug/mmngr/buffers
 *
 * Return: 0; debugfs is optional.
 */
int mmngr_debugfs_init(void)
{
	debugfs_dir = debugfs_create_dir("mmngr", NULL);
	debugfs_create_file("buffers", 0400, debugfs_dir, NULL, &buffers_fops);
	return 0;
}

void mmngr_debugfs_exit(void)
{
	debugfs_remove_recursive(debugfs_dir);
}
