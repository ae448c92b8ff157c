// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmmbuf's Renesas commands (include/uapi/linux/rgnmm.h): EXPORT_START
 * and EXPORT_END, IMPORT_START and IMPORT_END, one export and one import per
 * file as in the original, native and 32-bit compat.
 */

#include <linux/compat.h>
#include <linux/err.h>
#include <linux/fs.h>
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

/* Whether @cmd is one of the four, in the caller's layout. */
static bool is_rgnmm_cmd(unsigned int cmd, bool compat)
{
	size_t size = sizeof(struct MM_BUF_PARAM);

#ifdef CONFIG_COMPAT
	if (compat)
		size = sizeof(struct compat_mm_buf_param);
#endif
	return _IOC_NR(cmd) <= _IOC_NR(MM_IOC_IMPORT_END) &&
	       cmd == _IOC(_IOC_READ | _IOC_WRITE, 'd', _IOC_NR(cmd), size);
}

/**
 * mmngrbuf_rgnmm_ioctl() - run a Renesas command
 * @f:		the file
 * @cmd:	the command
 * @uarg:	its argument
 * @compat:	from a 32-bit caller
 *
 * Return: the command's result, or -ENOTTY if @cmd is none of them.
 */
long mmngrbuf_rgnmm_ioctl(struct mmngrbuf_file *f, unsigned int cmd,
			  void __user *uarg, bool compat)
{
	if (!is_rgnmm_cmd(cmd, compat))
		return -ENOTTY;
	return rgnmm_cmd(f, _IOC_NR(cmd), uarg, compat);
}

/**
 * mmngrbuf_rgnmm_release() - drop what a closing file's commands hold
 * @f:		the file
 *
 * The import IMPORT_START made goes; an exported dma-buf fd stays the
 * process's, as in the original.
 */
void mmngrbuf_rgnmm_release(struct mmngrbuf_file *f)
{
	if (f->rgnmm_import)
		mmngrbuf_import_put(f->rgnmm_import);
}
