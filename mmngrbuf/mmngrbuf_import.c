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
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "mmngrbuf_drv.h"

/**
 * struct mmngrbuf_import - one imported dma-buf
 * @dmabuf:	the buffer, one reference
 * @attach:	its attachment to the mmngrbuf device
 * @sgt:	the attachment's mapping
 * @dma_addr:	start of the mapping
 * @size:	bytes
 */
struct mmngrbuf_import {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
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

/**
 * mmngrbuf_import() - attach a dma-buf to a device and map it as one block
 * @dev:	the importing device
 * @fd:		a dma-buf file descriptor of the caller
 *
 * Return: the import, to be released with mmngrbuf_import_release(), or
 * ERR_PTR(-EBADF) for a bad @fd, ERR_PTR(-EINVAL) if it is not a dma-buf,
 * ERR_PTR(-EXDEV) if the mapping is not contiguous, or the exporter's error.
 */
struct mmngrbuf_import *mmngrbuf_import(struct device *dev, int fd)
{
	struct mmngrbuf_import *imp;
	int ret;

	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	if (!imp)
		return ERR_PTR(-ENOMEM);

	imp->dmabuf = dma_buf_get(fd);
	if (IS_ERR(imp->dmabuf)) {
		ret = PTR_ERR(imp->dmabuf);
		goto err_free;
	}
	imp->size = imp->dmabuf->size;

	imp->attach = dma_buf_attach(imp->dmabuf, dev);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		goto err_put;
	}

	/* The hardware may read and write it: user space decides. */
	imp->sgt = dma_buf_map_attachment_unlocked(imp->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(imp->sgt)) {
		ret = PTR_ERR(imp->sgt);
		goto err_detach;
	}

	if (contiguous_size(imp->sgt) < imp->size) {
		dev_dbg(dev, "a dma-buf of %s is not contiguous for %s\n",
			imp->dmabuf->exp_name, dev_name(dev));
		ret = -EXDEV;
		goto err_unmap;
	}
	imp->dma_addr = sg_dma_address(imp->sgt->sgl);
	return imp;

err_unmap:
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt,
					  DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(imp->dmabuf, imp->attach);
err_put:
	dma_buf_put(imp->dmabuf);
err_free:
	kfree(imp);
	return ERR_PTR(ret);
}

/**
 * mmngrbuf_import_release() - undo mmngrbuf_import()
 * @imp:	the import; freed
 */
void mmngrbuf_import_release(struct mmngrbuf_import *imp)
{
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt,
					  DMA_BIDIRECTIONAL);
	dma_buf_detach(imp->dmabuf, imp->attach);
	dma_buf_put(imp->dmabuf);
	kfree(imp);
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
