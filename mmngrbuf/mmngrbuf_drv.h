/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _MMNGRBUF_DRV_H
#define _MMNGRBUF_DRV_H

#include <linux/device.h>
#include <linux/miscdevice.h>

/**
 * struct mmngrbuf_device - one bound mmngrbuf platform device
 * @dev:	the platform device; it is the importer of foreign dma-bufs
 * @misc:	/dev/rgnmmbuf
 */
struct mmngrbuf_device {
	struct device *dev;
	struct miscdevice misc;
};

struct mmngr_buffer;

int mmngrbuf_cdev_register(struct mmngrbuf_device *bdev);
int mmngrbuf_export(struct mmngr_buffer *buf, u64 offset, u64 size,
		    unsigned int fd_flags);

#endif /* _MMNGRBUF_DRV_H */
