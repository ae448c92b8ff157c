// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmmbuf: the Renesas-compatible character device.
 */

#include <linux/compat.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
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
#endif

static int get_param(void __user *uarg, bool compat, struct MM_BUF_PARAM *p)
{
#ifdef CONFIG_COMPAT
	if (compat) {
		struct compat_mm_buf_param c;

		if (copy_from_user(&c, uarg, sizeof(c)))
			return -EFAULT;
		p->size = c.size;
		p->hard_addr = c.hard_addr;
		p->buf = c.buf;
		return 0;
	}
#endif
	return copy_from_user(p, uarg, sizeof(*p)) ? -EFAULT : 0;
}

static int put_param(void __user *uarg, bool compat,
		     const struct MM_BUF_PARAM *p)
{
#ifdef CONFIG_COMPAT
	if (compat) {
		struct compat_mm_buf_param c = {
			.size = p->size, .hard_addr = p->hard_addr, .buf = p->buf,
		};

		return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
	}
#endif
	return copy_to_user(uarg, p, sizeof(*p)) ? -EFAULT : 0;
}

/*
 * EXPORT_START: a dma-buf of [hard_addr, hard_addr + size), which must lie
 * in a live mmngr buffer the caller may use.  The original exported any
 * address it was given.  No O_CLOEXEC, as in the original.
 */
static int export_start(struct mmngrbuf_file *f, struct MM_BUF_PARAM *p)
{
	struct mmngr_buffer *buf;
	int fd;

	if (!p->size)
		return -EINVAL;
	buf = mmngr_buffer_lookup(p->hard_addr, p->size);
	if (!buf)
		return -EINVAL;
	/* As for none: nobody learns where other users' buffers are. */
	if (!mmngr_buffer_may_share(buf)) {
		mmngr_buffer_put(buf);
		return -EINVAL;
	}
	mutex_lock(&f->lock);
	if (f->export_fd >= 0) {
		fd = -EBUSY;
	} else {
		fd = mmngrbuf_export(buf, p->hard_addr - mmngr_buffer_dma_addr(buf),
				     p->size, O_RDWR);
		if (fd >= 0)
			f->export_fd = fd;
	}
	mutex_unlock(&f->lock);
	mmngr_buffer_put(buf);
	if (fd < 0)
		return fd;
	p->buf = fd;
	return 0;
}

/* EXPORT_END: hand back the fd number; the library closes it. */
static int export_end(struct mmngrbuf_file *f, struct MM_BUF_PARAM *p)
{
	int ret = 0;

	mutex_lock(&f->lock);
	if (f->export_fd < 0) {
		ret = -EINVAL;
	} else {
		p->buf = f->export_fd;
		f->export_fd = -1;
	}
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * IMPORT_START: the address of a whole dma-buf for the mmngrbuf device, one
 * per file as in the original.  The original returned the first piece of a
 * scattered buffer, and truncated addresses above 4 GiB.
 */
static int import_start(struct mmngrbuf_file *f, struct MM_BUF_PARAM *p)
{
	struct mmngrbuf_import *imp;
	dma_addr_t addr;
	u64 size;
	int ret = 0;

	mutex_lock(&f->lock);
	if (f->rgnmm_import) {
		ret = -EBUSY;
		goto unlock;
	}
	imp = mmngrbuf_import(f->bdev, p->buf);
	if (IS_ERR(imp)) {
		ret = PTR_ERR(imp);
		goto unlock;
	}
	addr = mmngrbuf_import_dma_addr(imp);
	size = mmngrbuf_import_size(imp);
	if (upper_32_bits(addr + size - 1)) {
		mmngrbuf_import_put(imp);
		ret = -EOVERFLOW;
		goto unlock;
	}
	f->rgnmm_import = imp;
	p->size = size;
	p->hard_addr = addr;
unlock:
	mutex_unlock(&f->lock);
	return ret;
}

static int import_end(struct mmngrbuf_file *f)
{
	int ret = 0;

	mutex_lock(&f->lock);
	if (f->rgnmm_import) {
		mmngrbuf_import_put(f->rgnmm_import);
		f->rgnmm_import = NULL;
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static long rgnmm_cmd(struct mmngrbuf_file *f, unsigned int nr,
		      void __user *uarg, bool compat)
{
	struct MM_BUF_PARAM p;
	int ret;

	ret = get_param(uarg, compat, &p);
	if (ret)
		return ret;
	switch (nr) {
	case _IOC_NR(MM_IOC_EXPORT_START):
		ret = export_start(f, &p);
		break;
	case _IOC_NR(MM_IOC_EXPORT_END):
		ret = export_end(f, &p);
		break;
	case _IOC_NR(MM_IOC_IMPORT_START):
		ret = import_start(f, &p);
		break;
	default:
		ret = import_end(f);
		break;
	}
	return ret ?: put_param(uarg, compat, &p);
}

static long mmngrbuf_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != 'd' || _IOC_NR(cmd) > _IOC_NR(MM_IOC_IMPORT_END))
		return mmngrbuf_uapi_ioctl(file->private_data, cmd, uarg);
	if (cmd != _IOWR('d', _IOC_NR(cmd), struct MM_BUF_PARAM))
		return -ENOTTY;
	return rgnmm_cmd(file->private_data, _IOC_NR(cmd), uarg, false);
}

#ifdef CONFIG_COMPAT
static long mmngrbuf_compat_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	void __user *uarg = compat_ptr(arg);

	/* The modern commands have one layout for both. */
	if (_IOC_TYPE(cmd) != 'd' || _IOC_NR(cmd) > _IOC_NR(MM_IOC_IMPORT_END))
		return mmngrbuf_uapi_ioctl(file->private_data, cmd, uarg);
	if (cmd != _IOWR('d', _IOC_NR(cmd), struct compat_mm_buf_param))
		return -ENOTTY;
	return rgnmm_cmd(file->private_data, _IOC_NR(cmd), uarg, true);
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
	if (f->rgnmm_import)
		mmngrbuf_import_put(f->rgnmm_import);
	/* An exported dma-buf fd stays the process's, as in the original. */
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
