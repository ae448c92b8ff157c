// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmm: the Renesas-compatible character device.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "mmngr_drv.h"

static long mmngr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	/* The allocation ioctls are not implemented yet. */
	return -ENOTTY;
}

static const struct file_operations mmngr_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mmngr_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static void mmngr_cdev_unregister(void *data)
{
	struct mmngr_device *mdev = data;

	misc_deregister(&mdev->misc);
}

/**
 * mmngr_cdev_register() - create /dev/rgnmm for a bound device
 * @mdev: the device, fully initialised
 *
 * The node is removed again when @mdev's platform device is unbound.
 *
 * Return: 0 or a negative errno.
 */
int mmngr_cdev_register(struct mmngr_device *mdev)
{
	int ret;

	mdev->misc.minor = MISC_DYNAMIC_MINOR;
	mdev->misc.name = "rgnmm";
	mdev->misc.fops = &mmngr_fops;
	mdev->misc.parent = mdev->dev;

	ret = misc_register(&mdev->misc);
	if (ret)
		return dev_err_probe(mdev->dev, ret, "cannot register /dev/%s\n",
				     mdev->misc.name);

	return devm_add_action_or_reset(mdev->dev, mmngr_cdev_unregister, mdev);
}
