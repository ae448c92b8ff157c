/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _MMNGRBUF_DRV_H
#define _MMNGRBUF_DRV_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <mmngr_kcompat.h>

/**
 * struct mmngrbuf_device - one bound mmngrbuf platform device
 * @dev:	the platform device; it is the importer of foreign dma-bufs
 * @misc:	/dev/rgnmmbuf
 * @import_lock: @imports
 * @imports:	&struct mmngrbuf_import by dma-buf: one mapping per buffer
 * @fences_refused: FENCE_ATTACHes refused for the file_max_fences limit
 * @imports_refused: IMPORTs refused for the file_max_imports limit
 */
struct mmngrbuf_device {
	struct device *dev;
	struct miscdevice misc;
	struct mutex import_lock;	/* imports */
	DECLARE_HASHTABLE(imports, 6);
	atomic64_t fences_refused;
	atomic64_t imports_refused;
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

int mmngrbuf_misc_register(struct mmngrbuf_device *bdev);

bool mmngrbuf_fd_flags_valid(unsigned int fd_flags);
struct dma_buf *mmngrbuf_export_dmabuf(struct mmngr_buffer *buf, u64 offset,
				       u64 size, unsigned int mode);
int mmngrbuf_export(struct mmngr_buffer *buf, u64 offset, u64 size,
		    unsigned int fd_flags);

struct mmngrbuf_import *mmngrbuf_import(struct mmngrbuf_device *bdev, int fd);
void mmngrbuf_import_put(struct mmngrbuf_import *imp);
u64 mmngrbuf_import_size(const struct mmngrbuf_import *imp);
dma_addr_t mmngrbuf_import_dma_addr(const struct mmngrbuf_import *imp);

struct dma_fence *mmngrbuf_fence_create(int fd, bool write,
					unsigned int timeout_ms);
void mmngrbuf_fence_cancel(struct dma_fence *fence);
int mmngrbuf_fence_reserve(struct mmngrbuf_file *f, u32 *id);
void mmngrbuf_fence_unreserve(struct mmngrbuf_file *f, u32 id);
void mmngrbuf_fence_publish(struct mmngrbuf_file *f, u32 id,
			    struct dma_fence *fence);
int mmngrbuf_fence_signal(struct mmngrbuf_file *f, u32 id, int error);
void mmngrbuf_fences_release(struct mmngrbuf_file *f);
int mmngrbuf_fence_init(void);
void mmngrbuf_fence_exit(void);

void mmngrbuf_heaps_init(void);
void mmngrbuf_heaps_exit(void);

long mmngrbuf_uapi_ioctl(struct mmngrbuf_file *f, unsigned int cmd,
			 void __user *uarg);
long mmngrbuf_rgnmm_ioctl(struct mmngrbuf_file *f, unsigned int cmd,
			  void __user *uarg, bool compat);
void mmngrbuf_rgnmm_release(struct mmngrbuf_file *f);

#endif /* _MMNGRBUF_DRV_H */
