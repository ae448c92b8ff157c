// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr buffers as dma-bufs.
 *
 * A dma-buf covers a page-aligned range of one mmngr buffer and holds a
 * reference on it, so the memory outlives the allocating process for as
 * long as any importer (a V4L2 queue, a DRM framebuffer, another process)
 * holds the dma-buf.  Each attachment gets its own sg_table, mapped for the
 * importing device with dma_map_sgtable(), so that importers behind an
 * IOMMU get addresses of their own.  CPU access brackets wait for the
 * devices' fences, then keep the CPU's view and every mapped attachment
 * coherent, with one pass over the CPU's caches whatever the number of
 * importers: the memory is the same for all of them.
 */

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <linux/mmngr.h>

#include "mmngrbuf_drv.h"

/**
 * struct mmngrbuf_export - what one exported dma-buf stands for
 * @buf:	the mmngr buffer, one reference
 * @page:	first page of the range
 * @offset:	start of the range in @buf
 * @size:	bytes, page-aligned
 * @lock:	@attachments, @vmap_count, @vaddr
 * @attachments: &struct mmngrbuf_attachment
 * @vmap_count:	vmap() calls not yet undone
 * @vaddr:	the kernel mapping while @vmap_count > 0
 * @cpu_writers: CPU-access brackets for writing begun and not yet ended
 *		(never below zero; a bracket its process never ended keeps
 *		it up, which only costs a cache clean per read bracket)
 */
struct mmngrbuf_export {
	struct mmngr_buffer *buf;
	struct page *page;
	u64 offset;
	u64 size;
	struct mutex lock;	/* attachments and kernel mapping */
	struct list_head attachments;
	unsigned int vmap_count;
	void *vaddr;
	atomic_t cpu_writers;
};

/**
 * struct mmngrbuf_attachment - one importing device
 * @dev:	the importer
 * @sgt:	the range, in segments no longer than @dev accepts; mapped for
 *		@dev while @mapped
 * @view:	a copy of @sgt, the table the importer is given while mapped
 * @node:	in &mmngrbuf_export.attachments
 * @mapped:	@sgt is mapped for @dev
 * @dir:	the direction it is mapped in
 * @own_sync:	while mapped: the CPU-access brackets must sync @sgt for
 *		@dev, because the exporter's own cache maintenance does not
 *		cover it (see attachment_needs_sync())
 *
 * The importer gets a copy of the mapped table because the table is the
 * importer's while mapped: with CONFIG_DMABUF_DEBUG the dma-buf core
 * scrambles its page links to catch importers that use them.  The CPU
 * access brackets sync @sgt, which stays ours, through the scatterlist API
 * the mapping was made with.
 */
struct mmngrbuf_attachment {
	struct device *dev;
	struct sg_table sgt;
	struct sg_table view;
	struct list_head node;
	bool mapped;
	bool own_sync;
	enum dma_data_direction dir;
};

static int mmngrbuf_attach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attachment)
{
	unsigned int seg = dma_get_max_seg_size(attachment->dev);
	struct mmngrbuf_export *exp = dmabuf->priv;
	struct mmngrbuf_attachment *a;
	struct scatterlist *sg;
	u64 off = 0;
	unsigned int i;
	int ret;

	/* The memory is one block, but the importer may take less at a time. */
	seg = max_t(unsigned int, round_down(seg, PAGE_SIZE), PAGE_SIZE);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = sg_alloc_table(&a->sgt, DIV_ROUND_UP_ULL(exp->size, seg), GFP_KERNEL);
	if (ret) {
		kfree(a);
		return ret;
	}
	for_each_sgtable_sg(&a->sgt, sg, i) {
		unsigned int len = min_t(u64, seg, exp->size - off);

		sg_set_page(sg, nth_page(exp->page, off >> PAGE_SHIFT), len, 0);
		off += len;
	}
	a->dev = attachment->dev;
	attachment->priv = a;

	mutex_lock(&exp->lock);
	list_add(&a->node, &exp->attachments);
	mutex_unlock(&exp->lock);
	return 0;
}

static void mmngrbuf_detach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attachment)
{
	struct mmngrbuf_export *exp = dmabuf->priv;
	struct mmngrbuf_attachment *a = attachment->priv;

	mutex_lock(&exp->lock);
	list_del(&a->node);
	mutex_unlock(&exp->lock);
	sg_free_table(&a->sgt);
	kfree(a);
}

/* @a->view: the pages and DMA addresses of the mapped @a->sgt. */
static int attachment_view(struct mmngrbuf_attachment *a)
{
	struct scatterlist *src, *dst;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(&a->view, a->sgt.orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	dst = a->view.sgl;
	for_each_sgtable_sg(&a->sgt, src, i) {
		sg_set_page(dst, sg_page(src), src->length, src->offset);
		sg_dma_address(dst) = sg_dma_address(src);
		sg_dma_len(dst) = sg_dma_len(src);
		dst = sg_next(dst);
	}
	a->view.nents = a->sgt.nents;
	return 0;
}

/*
 * Whether @a's mapping, just made, needs syncing of its own in the CPU
 * access brackets.  It does not when the importer reaches the memory at
 * its physical address (no IOMMU between, no swiotlb bounce slot) and is
 * not less coherent than the mmngr device: then syncing it would repeat,
 * line for line, the maintenance mmngr_buffer_sync() does on the same
 * memory, and k importers would cost k + 1 passes over the caches.
 * Otherwise (a bounce must be copied, an IOMMU's sync may do more than
 * the CPU's caches, or only the importer is not coherent) it does.
 */
static bool attachment_needs_sync(const struct mmngrbuf_export *exp,
				  const struct mmngrbuf_attachment *a)
{
	phys_addr_t phys = page_to_phys(exp->page);
	struct scatterlist *sg;
	unsigned int i;

	if (!dev_is_dma_coherent(a->dev) && mmngr_buffer_coherent(exp->buf))
		return true;
	for_each_sgtable_dma_sg(&a->sgt, sg, i) {
		if (dma_to_phys(a->dev, sg_dma_address(sg)) != phys)
			return true;
		phys += sg_dma_len(sg);
	}
	return false;
}

static struct sg_table *mmngrbuf_map(struct dma_buf_attachment *attachment,
				     enum dma_data_direction dir)
{
	struct mmngrbuf_export *exp = attachment->dmabuf->priv;
	struct mmngrbuf_attachment *a = attachment->priv;
	int ret;

	/* One mapping per attachment: the core caches nothing for us. */
	if (a->mapped)
		return ERR_PTR(-EBUSY);
	/*
	 * The importer's own view: through its IOMMU, if it has one.  The
	 * memory is mapped for the mmngr device for as long as it lives, and
	 * for every other importer: overlapping mappings, which the DMA API
	 * only allows when the caller keeps the caches right.  We do, here
	 * and in the CPU-access brackets, as drm_gem_map_dma_buf() does.
	 */
	ret = dma_map_sgtable(a->dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		return ERR_PTR(ret);
	dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	ret = attachment_view(a);
	if (ret) {
		dma_unmap_sgtable(a->dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
		return ERR_PTR(ret);
	}

	mutex_lock(&exp->lock);
	a->mapped = true;
	a->dir = dir;
	a->own_sync = attachment_needs_sync(exp, a);
	mutex_unlock(&exp->lock);
	return &a->view;
}

static void mmngrbuf_unmap(struct dma_buf_attachment *attachment,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
	struct mmngrbuf_export *exp = attachment->dmabuf->priv;
	struct mmngrbuf_attachment *a = attachment->priv;

	mutex_lock(&exp->lock);
	a->mapped = false;
	mutex_unlock(&exp->lock);
	dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
	dma_unmap_sgtable(a->dev, &a->sgt, a->dir, DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(&a->view);
}

/*
 * Sync the importers whose mappings the exporter's own cache maintenance
 * does not cover, in the direction each mapped in: its side of the
 * transfer decides what a bounce or an IOMMU must do.
 */
static void sync_attachments(struct mmngrbuf_export *exp, bool for_device)
{
	struct mmngrbuf_attachment *a;

	lockdep_assert_held(&exp->lock);
	list_for_each_entry(a, &exp->attachments, node) {
		if (!a->mapped || !a->own_sync)
			continue;
		if (for_device)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, a->dir);
		else
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
	}
}

/*
 * The direction is the caller's promise (DMA_BUF_SYNC_READ, _WRITE or
 * _RW), as for the kernel's heaps: a bracket that only writes need not
 * invalidate at its start, one that only reads need not clean at its end.
 */
static int mmngrbuf_begin_cpu_access(struct dma_buf *dmabuf,
				     enum dma_data_direction dir)
{
	struct mmngrbuf_export *exp = dmabuf->priv;
	bool write = dir != DMA_FROM_DEVICE;
	bool read = dir != DMA_TO_DEVICE;
	int writers;
	long ret;

	/*
	 * Devices first: what they write must be finished before the caches
	 * are invalidated over it.  The dma-buf core waits too, but only
	 * after this; a reader waits for writers, a writer for everyone.
	 */
	ret = dma_resv_wait_timeout(dmabuf->resv, dma_resv_usage_rw(write),
				    true, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;

	writers = write ? atomic_inc_return(&exp->cpu_writers) - 1 :
			  atomic_read(&exp->cpu_writers);
	/*
	 * Another bracket open for writing may have CPU writes still in the
	 * cache: write them back before invalidating, or they are lost.
	 */
	if (read && writers)
		mmngr_buffer_sync(exp->buf, exp->offset, exp->size, true);
	mutex_lock(&exp->lock);
	if (read && exp->vmap_count)
		invalidate_kernel_vmap_range(exp->vaddr, exp->size);
	sync_attachments(exp, false);
	mutex_unlock(&exp->lock);
	/* The CPU's own caches, once, for cached buffers. */
	if (read)
		mmngr_buffer_sync(exp->buf, exp->offset, exp->size, false);
	return 0;
}

static int mmngrbuf_end_cpu_access(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	struct mmngrbuf_export *exp = dmabuf->priv;
	bool write = dir != DMA_FROM_DEVICE;

	if (write) {
		mmngr_buffer_sync(exp->buf, exp->offset, exp->size, true);
		/* Only once written back: readers stop cleaning first. */
		atomic_dec_if_positive(&exp->cpu_writers);
	}
	mutex_lock(&exp->lock);
	if (write && exp->vmap_count)
		flush_kernel_vmap_range(exp->vaddr, exp->size);
	sync_attachments(exp, true);
	mutex_unlock(&exp->lock);
	return 0;
}

static int mmngrbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct mmngrbuf_export *exp = dmabuf->priv;

	/* dma-buf checked that vm_pgoff and the length fit the dma-buf. */
	return mmngr_buffer_map_user(exp->buf, vma,
				     exp->offset + ((u64)vma->vm_pgoff << PAGE_SHIFT));
}

static int mmngrbuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct mmngrbuf_export *exp = dmabuf->priv;
	unsigned long i, n = exp->size >> PAGE_SHIFT;
	struct page **pages;
	int ret = 0;

	mutex_lock(&exp->lock);
	if (!exp->vmap_count) {
		pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
		if (!pages) {
			ret = -ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++)
			pages[i] = nth_page(exp->page, i);
		exp->vaddr = vmap(pages, n, VM_MAP,
				  mmngr_buffer_pgprot(exp->buf, PAGE_KERNEL));
		kvfree(pages);
		if (!exp->vaddr) {
			ret = -ENOMEM;
			goto out;
		}
	}
	exp->vmap_count++;
	iosys_map_set_vaddr(map, exp->vaddr);
out:
	mutex_unlock(&exp->lock);
	return ret;
}

static void mmngrbuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct mmngrbuf_export *exp = dmabuf->priv;

	mutex_lock(&exp->lock);
	if (!WARN_ON(!exp->vmap_count) && !--exp->vmap_count) {
		vunmap(exp->vaddr);
		exp->vaddr = NULL;
	}
	mutex_unlock(&exp->lock);
	iosys_map_clear(map);
}

MMNGR_DEFINE_DMA_BUF_VMAP(mmngrbuf_vmap, mmngrbuf_vunmap)

static void export_free(struct mmngrbuf_export *exp)
{
	WARN_ON(exp->vmap_count);
	mmngr_buffer_put(exp->buf);
	mutex_destroy(&exp->lock);
	kfree(exp);
}

static void mmngrbuf_release(struct dma_buf *dmabuf)
{
	export_free(dmabuf->priv);
}

static const struct dma_buf_ops mmngrbuf_dmabuf_ops = {
	.attach = mmngrbuf_attach,
	.detach = mmngrbuf_detach,
	.map_dma_buf = mmngrbuf_map,
	.unmap_dma_buf = mmngrbuf_unmap,
	.begin_cpu_access = mmngrbuf_begin_cpu_access,
	.end_cpu_access = mmngrbuf_end_cpu_access,
	.mmap = mmngrbuf_mmap,
	MMNGR_DMA_BUF_VMAP_OPS(mmngrbuf_vmap, mmngrbuf_vunmap),
	.release = mmngrbuf_release,
};

/**
 * mmngrbuf_fd_flags_valid() - whether user space may ask for these dma-buf
 *			       file flags
 * @fd_flags:	O_CLOEXEC, and O_RDONLY or O_RDWR
 *
 * Return: true if mmngrbuf_export() accepts @fd_flags.
 */
bool mmngrbuf_fd_flags_valid(unsigned int fd_flags)
{
	unsigned int mode = fd_flags & O_ACCMODE;

	return !(fd_flags & ~(O_CLOEXEC | O_ACCMODE)) &&
	       (mode == O_RDONLY || mode == O_RDWR);
}

/**
 * mmngrbuf_export_dmabuf() - make a dma-buf of part of an mmngr buffer
 * @buf:	the buffer; the dma-buf takes its own reference
 * @offset:	page-aligned start of the range
 * @size:	bytes, rounded up to pages; the range must lie in @buf
 * @mode:	O_RDONLY, O_WRONLY or O_RDWR: the dma-buf file's access mode,
 *		already checked by the caller
 *
 * Return: the dma-buf, with the caller's reference, not yet in any file
 * table; ERR_PTR(-EINVAL) for a range outside @buf or memory without
 * struct pages (no-map pools, which importers cannot map).
 */
struct dma_buf *mmngrbuf_export_dmabuf(struct mmngr_buffer *buf, u64 offset,
				       u64 size, unsigned int mode)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct mmngrbuf_export *exp;
	struct dma_buf *dmabuf;
	const char *name;
	u64 end;

	size = PAGE_ALIGN(size);
	if (!size || !PAGE_ALIGNED(offset) ||
	    check_add_overflow(offset, size, &end) || end > mmngr_buffer_size(buf))
		return ERR_PTR(-EINVAL);
	if (!mmngr_buffer_pages(buf))
		return ERR_PTR(-EINVAL);

	exp = kzalloc(sizeof(*exp), GFP_KERNEL);
	if (!exp)
		return ERR_PTR(-ENOMEM);
	exp->buf = mmngr_buffer_get(buf);
	exp->page = nth_page(mmngr_buffer_pages(buf), offset >> PAGE_SHIFT);
	exp->offset = offset;
	exp->size = size;
	mutex_init(&exp->lock);
	INIT_LIST_HEAD(&exp->attachments);
	atomic_set(&exp->cpu_writers, 0);

	exp_info.ops = &mmngrbuf_dmabuf_ops;
	exp_info.size = size;
	exp_info.flags = mode & O_ACCMODE;
	exp_info.priv = exp;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		export_free(exp);
		return dmabuf;
	}

	/*
	 * Which buffer it is, for debugfs bufinfo and fdinfo readers (the
	 * mmngr tool) until user space names it with DMA_BUF_SET_NAME.
	 */
	name = kasprintf(GFP_KERNEL, "mmngr:%llu", mmngr_buffer_id(buf));
	spin_lock(&dmabuf->name_lock);
	dmabuf->name = name;
	spin_unlock(&dmabuf->name_lock);
	return dmabuf;
}

/**
 * mmngrbuf_export() - make a dma-buf of part of an mmngr buffer, as a new
 *		       file descriptor
 * @buf:	the buffer; the dma-buf takes its own reference
 * @offset:	page-aligned start of the range
 * @size:	bytes, rounded up to pages; the range must lie in @buf
 * @fd_flags:	O_CLOEXEC and/or O_RDWR (O_ACCMODE bits other than O_RDWR
 *		are refused)
 *
 * Return: a new dma-buf file descriptor, or a negative errno: -EINVAL for a
 * range outside @buf, bad flags, or memory without struct pages.
 */
int mmngrbuf_export(struct mmngr_buffer *buf, u64 offset, u64 size,
		    unsigned int fd_flags)
{
	struct dma_buf *dmabuf;
	int fd;

	if (!mmngrbuf_fd_flags_valid(fd_flags))
		return -EINVAL;
	dmabuf = mmngrbuf_export_dmabuf(buf, offset, size, fd_flags & O_ACCMODE);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = dma_buf_fd(dmabuf, fd_flags & O_CLOEXEC);
	if (fd < 0)
		/* release() drops the buffer and frees exp. */
		dma_buf_put(dmabuf);
	return fd;
}
