// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmmbuf: the character device and its open files.  The Renesas
 * commands are in mmngrbuf_rgnmm.c, the modern ones in mmngrbuf_uapi.c.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <linux/mmngr.h>

#include "mmngrbuf_drv.h"

static long mmngrbuf_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) == MMNGR_IOC_MAGIC)
		return mmngrbuf_uapi_ioctl(file->private_data, cmd, uarg);
	return mmngrbuf_rgnmm_ioctl(file->private_data, cmd, uarg, false);
}

#ifdef CONFIG_COMPAT
static long mmngrbuf_compat_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	void __user *uarg = compat_ptr(arg);

	/* The modern commands have one layout for both. */
	if (_IOC_TYPE(cmd) == MMNGR_IOC_MAGIC)
		return mmngrbuf_uapi_ioctl(file->private_data, cmd, uarg);
	return mmngrbuf_rgnmm_ioctl(file->private_data, cmd, uarg, true);
}
#else
#define mmngrbuf_compat_ioctl NULL
#endif

static int mmngrbuf_open(struct inode *inode, struct file *file)
{
	struct mmngrbuf_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	/* misc_open() left the miscdevice here. */
	f->bdev = container_of(file->private_data, struct mmngrbuf_device, misc);
	mutex_init(&f->lock);
	f->export_fd = -1;
	xa_init_flags(&f->imports, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->fences, XA_FLAGS_ALLOC1);
	file->private_data = f;
	return 0;
}

static int mmngrbuf_release(struct inode *inode, struct file *file)
{
	struct mmngrbuf_file *f = file->private_data;
	struct mmngrbuf_import *imp;
	unsigned long handle;

	/* Before the imports: a fence may stand for work on them. */
	mmngrbuf_fences_release(f);
	xa_for_each(&f->imports, handle, imp)
		mmngrbuf_import_put(imp);
	xa_destroy(&f->imports);
	mmngrbuf_rgnmm_release(f);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations mmngrbuf_fops = {
	.owner = THIS_MODULE,
	.open = mmngrbuf_open,
	.release = mmngrbuf_release,
	.unlocked_ioctl = mmngrbuf_ioctl,
	.compat_ioctl = mmngrbuf_compat_ioctl,
	.llseek = noop_llseek,
};

static void mmngrbuf_misc_unregister(void *data)
{
	struct mmngrbuf_device *bdev = data;

	misc_deregister(&bdev->misc);
}

/**
 * mmngrbuf_misc_register() - create /dev/rgnmmbuf for a bound device
 * @bdev: the device, fully initialised
 *
 * Return: 0 or a negative errno.
 */
int mmngrbuf_misc_register(struct mmngrbuf_device *bdev)
{
	int ret;

	bdev->misc.minor = MISC_DYNAMIC_MINOR;
	bdev->misc.name = "rgnmmbuf";
	bdev->misc.fops = &mmngrbuf_fops;
	bdev->misc.parent = bdev->dev;

	ret = misc_register(&bdev->misc);
	if (ret)
		return dev_err_probe(bdev->dev, ret, "cannot register /dev/%s\n",
				     bdev->misc.name);

	return devm_add_action_or_reset(bdev->dev, mmngrbuf_misc_unregister,
					bdev);
}
