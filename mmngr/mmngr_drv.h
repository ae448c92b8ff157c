/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmngr internals shared between the platform driver and the character
 * device.
 */
#ifndef _MMNGR_DRV_H
#define _MMNGR_DRV_H

#include <linux/device.h>
#include <linux/miscdevice.h>

/**
 * struct mmngr_device - one bound mmngr platform device
 * @dev:	the platform device; all allocations are made for it
 * @misc:	/dev/rgnmm
 */
struct mmngr_device {
	struct device *dev;
	struct miscdevice misc;
};

int mmngr_cdev_register(struct mmngr_device *mdev);

#endif /* _MMNGR_DRV_H */
