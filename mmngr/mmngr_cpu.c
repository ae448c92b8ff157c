// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU access to mmngr buffers: user mappings with the buffer's caching
 * mode, and the cache maintenance that keeps the CPU's view and the
 * devices' coherent.
 */

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>

#include <linux/mmngr.h>
#include <mmngr_kcompat.h>

#include "mmngr_drv.h"

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
 * mmngr_buffer_coherent() - whether a buffer needs no cache maintenance
 * @buf: the buffer
 *
 * Return: true if mmngr_buffer_sync() does no cache maintenance on @buf
 * (the mmngr device is DMA-coherent, or the memory is never cached):
 * another device that is not coherent must then have its own mapping
 * synced.
 */
bool mmngr_buffer_coherent(const struct mmngr_buffer *buf)
{
	return !buf->page || dev_is_dma_coherent(mmngr_buffer_dev(buf));
}
EXPORT_SYMBOL_GPL(mmngr_buffer_coherent);

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
	struct device *dev = mmngr_buffer_dev(buf);

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
