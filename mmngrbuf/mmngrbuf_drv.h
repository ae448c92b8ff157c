/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _MMNGRBUF_DRV_H
#define _MMNGRBUF_DRV_H

#include <linux/device.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <mmngr_kcompat.h>

/**
 * struct mmngrbuf_device - one bound mmngrbuf platform device
 * @dev:	the platform device; it is the importer of foreign dma-bufs
 * @misc:	/dev/rgnmmbuf
 */
struct mmngrbuf_device {
	struct device *dev;
	struct miscdevice misc;
};

struct mmngrbuf_import;

/**
 * struct mmngrbuf_file - state of one open /dev/rgnmmbuf
 * @bdev:	the device
 * @lock:	serialises the Renesas commands on this file
 * @export_fd:	the dma-buf fd EXPORT_START made, for EXPORT_END; -1 if none
 * @rgnmm_import: the import IMPORT_START made, for IMPORT_END
 * @imports:	MMNGRBUF_IOCTL_IMPORT's &struct mmngrbuf_import, by handle
 * @fences:	MMNGRBUF_IOCTL_FENCE_ATTACH's fences, by number
 */
struct mmngrbuf_file {
	struct mmngrbuf_device *bdev;
	struct mutex lock;	/* Renesas export and import state */
	int export_fd;
	struct mmngrbuf_import *rgnmm_import;
	struct xarray imports;
	struct xarray fences;
};

struct mmngr_buffer;

int mmngrbuf_cdev_register(struct mmngrbuf_device *bdev);

bool mmngrbuf_fd_flags_valid(unsigned int fd_flags);
int mmngrbuf_export(struct mmngr_buffer *buf, u64 offset, u64 size,
		    unsigned int fd_flags);

struct mmngrbuf_import *mmngrbuf_import(struct device *dev, int fd);
void mmngrbuf_import_release(struct mmngrbuf_import *imp);
u64 mmngrbuf_import_size(const struct mmngrbuf_import *imp);
dma_addr_t mmngrbuf_import_dma_addr(const struct mmngrbuf_import *imp);

int mmngrbuf_fence_attach(struct mmngrbuf_file *f, int fd, bool write,
			  unsigned int timeout_ms, u32 *id);
int mmngrbuf_fence_sync_file(struct mmngrbuf_file *f, u32 id,
			     struct file **file);
int mmngrbuf_fence_signal(struct mmngrbuf_file *f, u32 id, int error);
void mmngrbuf_fences_release(struct mmngrbuf_file *f);

long mmngrbuf_uapi_ioctl(struct mmngrbuf_file *f, unsigned int cmd,
			 void __user *uarg);

#endif /* _MMNGRBUF_DRV_H */
