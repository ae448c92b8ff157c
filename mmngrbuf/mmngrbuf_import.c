// SPDX-License-Identifier: GPL-2.0-only
/*
 * Foreign dma-bufs seen by the mmngr hardware.
 *
 * User space that drives hardware through mmngr device addresses (the
 * Renesas IMPORT_START, MMNGRBUF_IOCTL_IMPORT) needs one address for a whole
 * buffer.  The buffer is attached to the mmngrbuf device and mapped for it,
 * so the address is the one that device sees (through an IOMMU, if it has
 * one), and it stays mapped until the import is released.  A buffer the
 * mapping leaves in several pieces has no such address: that is an error,
 * not its first piece.
 */

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "mmngrbuf_drv.h"

/**
 * struct mmngrbuf_import - one imported dma-buf, shared by its importers
 * @ref:	imports of it not yet released, in any file
 * @node:	in &mmngrbuf_device.imports
 * @bdev:	the importing device
 * @dmabuf:	the buffer, one reference
 * @attach:	its attachment to the mmngrbuf device
 * @sgt:	the attachment's mapping
 * @dir:	the direction it is mapped in
 * @dma_addr:	start of the mapping
 * @size:	bytes
 *
 * A device has one mapping of a buffer however often it is imported:
 * overlapping mappings of the same memory for the same device only cost
 * IOMMU space and cache maintenance, and the DMA API tracks at most seven.
 */
struct mmngrbuf_import {
	struct kref ref;
	struct hlist_node node;
	struct mmngrbuf_device *bdev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	dma_addr_t dma_addr;
	u64 size;
};

/* Bytes from the start of @sgt's DMA mapping that are one contiguous run. */
static u64 contiguous_size(struct sg_table *sgt)
{
	dma_addr_t next = sg_dma_address(sgt->sgl);
	struct scatterlist *sg;
	u64 size = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (sg_dma_address(sg) != next)
			break;
		next += sg_dma_len(sg);
		size += sg_dma_len(sg);
	}
	return size;
}

/*
 * A device without an IOMMU whose DMA mask does not reach the buffer gets
 * swiotlb bounce slots from dma_map_*(): its hardware would read and write
 * those copies, which only the DMA API's own syncs ever carry over to the
 * buffer, so such an address is no device address of the buffer at all.
 */
static bool mapping_bounces(struct device *dev, struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	if (device_iommu_mapped(dev))
		return false;
	for_each_sgtable_dma_sg(sgt, sg, i)
		if (mmngr_dma_is_bounce(dev, sg_dma_address(sg)))
			return true;
	return false;
}

/* Attach and map @dmabuf for @bdev; takes over the caller's reference. */
static struct mmngrbuf_import *import_new(struct mmngrbuf_device *bdev,
					  struct dma_buf *dmabuf)
{
	struct device *dev = bdev->dev;
	struct mmngrbuf_import *imp;
	int ret;

	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	if (!imp) {
		ret = -ENOMEM;
		goto err_put;
	}
	kref_init(&imp->ref);
	imp->bdev = bdev;
	imp->dmabuf = dmabuf;
	imp->size = dmabuf->size;
	/*
	 * The hardware may read and write what it may: a buffer shared
	 * read-only is mapped for reading only, as its write fences are
	 * refused.
	 */
	imp->dir = dmabuf->file->f_mode & FMODE_WRITE ? DMA_BIDIRECTIONAL :
							DMA_TO_DEVICE;

	imp->attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		goto err_free;
	}
	imp->sgt = dma_buf_map_attachment_unlocked(imp->attach, imp->dir);
	if (IS_ERR(imp->sgt)) {
		ret = PTR_ERR(imp->sgt);
		goto err_detach;
	}
	if (contiguous_size(imp->sgt) < imp->size) {
		dev_dbg(dev, "a dma-buf of %s is not contiguous for %s\n",
			dmabuf->exp_name, dev_name(dev));
		ret = -EXDEV;
		goto err_unmap;
	}
	if (mapping_bounces(dev, imp->sgt)) {
		dev_dbg(dev, "a dma-buf of %s reaches %s only through bounce buffers\n",
			dmabuf->exp_name, dev_name(dev));
		ret = -EXDEV;
		goto err_unmap;
	}
	imp->dma_addr = sg_dma_address(imp->sgt->sgl);
	return imp;

err_unmap:
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, imp->dir);
err_detach:
	dma_buf_detach(dmabuf, imp->attach);
err_free:
	kfree(imp);
err_put:
	dma_buf_put(dmabuf);
	return ERR_PTR(ret);
}

/**
 * mmngrbuf_import() - attach a dma-buf to a device and map it as one block
 * @bdev:	the importing device
 * @fd:		a dma-buf file descriptor of the caller
 *
 * A buffer the device has imported already is not mapped again: the
 * caller shares that import.
 *
 * Return: the import, to be released with mmngrbuf_import_put(), or
 * ERR_PTR(-EBADF) for a bad @fd, ERR_PTR(-EINVAL) if it is not a dma-buf,
 * ERR_PTR(-EXDEV) if the mapping is not contiguous, or the exporter's error.
 */
struct mmngrbuf_import *mmngrbuf_import(struct mmngrbuf_device *bdev, int fd)
{
	struct mmngrbuf_import *imp;
	struct dma_buf *dmabuf;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);

	mutex_lock(&bdev->import_lock);
	hash_for_each_possible(bdev->imports, imp, node, (unsigned long)dmabuf) {
		if (imp->dmabuf == dmabuf) {
			kref_get(&imp->ref);
			mutex_unlock(&bdev->import_lock);
			dma_buf_put(dmabuf);
			return imp;
		}
	}
	imp = import_new(bdev, dmabuf);
	if (!IS_ERR(imp))
		hash_add(bdev->imports, &imp->node, (unsigned long)dmabuf);
	mutex_unlock(&bdev->import_lock);
	return imp;
}

static void import_release(struct kref *ref)
{
	struct mmngrbuf_import *imp = container_of(ref, struct mmngrbuf_import, ref);

	hash_del(&imp->node);
	mutex_unlock(&imp->bdev->import_lock);

	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, imp->dir);
	dma_buf_detach(imp->dmabuf, imp->attach);
	dma_buf_put(imp->dmabuf);
	kfree(imp);
}

/**
 * mmngrbuf_import_put() - release one import of a buffer
 * @imp:	from mmngrbuf_import(); unmapped and freed with its last import
 */
void mmngrbuf_import_put(struct mmngrbuf_import *imp)
{
	kref_put_mutex(&imp->ref, import_release, &imp->bdev->import_lock);
}

/**
 * mmngrbuf_import_size() - size of an imported dma-buf
 * @imp:	the import
 *
 * Return: bytes.
 */
u64 mmngrbuf_import_size(const struct mmngrbuf_import *imp)
{
	return imp->size;
}

/**
 * mmngrbuf_import_dma_addr() - where the importing device sees the buffer
 * @imp:	the import
 *
 * Return: the start of the one contiguous mapping.
 */
dma_addr_t mmngrbuf_import_dma_addr(const struct mmngrbuf_import *imp)
{
	return imp->dma_addr;
}
