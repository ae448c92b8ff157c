// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmmbuf: the Renesas-compatible character device.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <linux/file.h>
#include <linux/slab.h>

#include <linux/mmngr.h>
#include <mmngr_kcompat.h>
#include <uapi/linux/mmngrbuf.h>
#include <uapi/linux/rgnmm.h>

#include "mmngrbuf_drv.h"

/**
 * struct rgnmmbuf_file - state of one open /dev/rgnmmbuf
 * @lock:	serialises the Renesas commands on this file
 * @export_fd:	the dma-buf fd EXPORT_START made, for EXPORT_END; -1 if none
 */
struct rgnmmbuf_file {
	struct mutex lock;	/* Renesas export state */
	int export_fd;
};

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
static int export_start(struct rgnmmbuf_file *f, struct MM_BUF_PARAM *p)
{
	struct mmngr_buffer *buf;
	int fd;

	if (!p->size)
		return -EINVAL;
	buf = mmngr_buffer_lookup(p->hard_addr, p->size);
	if (!buf)
		return -EINVAL;
	if (!mmngr_buffer_may_share(buf)) {
		mmngr_buffer_put(buf);
		return -EACCES;
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
static int export_end(struct rgnmmbuf_file *f, struct MM_BUF_PARAM *p)
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

static long rgnmm_cmd(struct rgnmmbuf_file *f, unsigned int nr,
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
	default:
		/* IMPORT_START / IMPORT_END: not implemented yet. */
		return -EOPNOTSUPP;
	}
	return ret ?: put_param(uarg, compat, &p);
}

static int modern_export(unsigned int cmd, void __user *uarg)
{
	struct mmngrbuf_export e;
	struct mmngr_buffer *buf;
	struct fd mfd;
	int ret;

	ret = copy_struct_from_user(&e, sizeof(e), uarg, _IOC_SIZE(cmd));
	if (ret)
		return ret;
	if (e.reserved[0] || e.reserved[1] || e.fd)
		return -EINVAL;

	mfd = fdget(e.mmngr_fd);
	if (!fd_file(mfd))
		return -EBADF;
	buf = mmngr_file_buffer(fd_file(mfd), e.handle);
	fdput(mfd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (!e.size)
		e.size = e.offset < mmngr_buffer_size(buf) ?
			 mmngr_buffer_size(buf) - e.offset : 0;
	e.fd = mmngrbuf_export(buf, e.offset, e.size, e.fd_flags);
	mmngr_buffer_put(buf);
	if (e.fd < 0)
		return e.fd;
	if (copy_to_user(uarg, &e, min_t(size_t, sizeof(e), _IOC_SIZE(cmd)))) {
		/* The caller cannot know the fd: the fd table has it now. */
		return -EFAULT;
	}
	return 0;
}

/* Matched on number and direction: its size may differ (see above). */
static bool is_modern_export(unsigned int cmd)
{
	const unsigned int size_bits = _IOC_SIZEMASK << _IOC_SIZESHIFT;

	return (cmd & ~size_bits) == (MMNGRBUF_IOCTL_EXPORT & ~size_bits);
}

static long mmngrbuf_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (is_modern_export(cmd))
		return modern_export(cmd, uarg);
	if (_IOC_TYPE(cmd) != 'd' || _IOC_NR(cmd) > _IOC_NR(MM_IOC_IMPORT_END) ||
	    cmd != _IOWR('d', _IOC_NR(cmd), struct MM_BUF_PARAM))
		return -ENOTTY;
	return rgnmm_cmd(file->private_data, _IOC_NR(cmd), uarg, false);
}

#ifdef CONFIG_COMPAT
static long mmngrbuf_compat_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	void __user *uarg = compat_ptr(arg);

	if (is_modern_export(cmd))
		return modern_export(cmd, uarg);
	if (_IOC_TYPE(cmd) != 'd' || _IOC_NR(cmd) > _IOC_NR(MM_IOC_IMPORT_END) ||
	    cmd != _IOWR('d', _IOC_NR(cmd), struct compat_mm_buf_param))
		return -ENOTTY;
	return rgnmm_cmd(file->private_data, _IOC_NR(cmd), uarg, true);
}
#else
#define mmngrbuf_compat_ioctl NULL
#endif

static int mmngrbuf_open(struct inode *inode, struct file *file)
{
	struct rgnmmbuf_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->export_fd = -1;
	file->private_data = f;
	return 0;
}

static int mmngrbuf_release(struct inode *inode, struct file *file)
{
	struct rgnmmbuf_file *f = file->private_data;

	/* The dma-buf fd stays the process's, as in the original. */
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
