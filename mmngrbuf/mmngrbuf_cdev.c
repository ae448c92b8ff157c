// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmmbuf: the Renesas-compatible character device.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <linux/mmngr.h>
#include <uapi/linux/rgnmm.h>

#include "mmngrbuf_drv.h"

#ifdef CONFIG_COMPAT
/* struct MM_BUF_PARAM as laid out by 32-bit ARM user space. */
struct compat_mm_buf_param {
	compat_size_t	size;
	u32		hard_addr;
	s32		buf;
};

#define COMPAT_MM_IOC_EXPORT_START	_IOWR('d', 0, struct compat_mm_buf_param)
#endif

static int mmngrbuf_export_start(struct MM_BUF_PARAM *p)
{
	if (!p->size)
		return -EINVAL;

	/* Only ranges inside a live mmngr allocation may be exported. */
	if (!mmngr_validate_phys_addr(p->hard_addr, p->size))
		return -EINVAL;

	/* Turning the range into a dma-buf is not implemented yet. */
	return -EOPNOTSUPP;
}

static long mmngrbuf_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct MM_BUF_PARAM p;

	switch (cmd) {
	case MM_IOC_EXPORT_START:
		if (copy_from_user(&p, uarg, sizeof(p)))
			return -EFAULT;
		return mmngrbuf_export_start(&p);
	default:
		return -ENOTTY;
	}
}

#ifdef CONFIG_COMPAT
static long mmngrbuf_compat_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	void __user *uarg = compat_ptr(arg);
	struct compat_mm_buf_param cp;
	struct MM_BUF_PARAM p;

	switch (cmd) {
	case COMPAT_MM_IOC_EXPORT_START:
		if (copy_from_user(&cp, uarg, sizeof(cp)))
			return -EFAULT;
		p.size = cp.size;
		p.hard_addr = cp.hard_addr;
		p.buf = cp.buf;
		return mmngrbuf_export_start(&p);
	default:
		return -ENOTTY;
	}
}
#else
#define mmngrbuf_compat_ioctl NULL
#endif

static const struct file_operations mmngrbuf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mmngrbuf_ioctl,
	.compat_ioctl = mmngrbuf_compat_ioctl,
	.llseek = noop_llseek,
};

static void mmngrbuf_cdev_unregister(void *data)
{
	struct mmngrbuf_device *bdev = data;

	misc_deregister(&bdev->misc);
}

/**
 * mmngrbuf_cdev_register() - create /dev/rgnmmbuf for a bound device
 * @bdev: the device, fully initialised
 *
 * Return: 0 or a negative errno.
 */
int mmngrbuf_cdev_register(struct mmngrbuf_device *bdev)
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

	return devm_add_action_or_reset(bdev->dev, mmngrbuf_cdev_unregister,
					bdev);
}
