// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngrbuf's modern commands (include/uapi/linux/mmngrbuf.h) on
 * /dev/rgnmmbuf.  One layout for 32- and 64-bit callers, so the compat path
 * is the same code.  Structures may grow: a command is matched on type,
 * number and direction, and its size goes to copy_struct_from_user().
 */

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <linux/mmngr.h>
#include <mmngr_kcompat.h>
#include <mmngr_xa.h>
#include <uapi/linux/mmngrbuf.h>

#include "mmngrbuf_drv.h"

/* Imports per file: each pins a mapping, so there is a bound. */
#define MAX_IMPORTS	65536

static unsigned int file_max_imports = 1024;
module_param(file_max_imports, uint, 0644);
MODULE_PARM_DESC(file_max_imports,
		 "Imports one open /dev/rgnmmbuf may hold (1-65536, default 1024)");

static int get_arg(void *karg, size_t ksize, unsigned int cmd,
		   void __user *uarg)
{
	return copy_struct_from_user(karg, ksize, uarg, _IOC_SIZE(cmd));
}

static int put_arg(void __user *uarg, unsigned int cmd, const void *karg,
		   size_t ksize)
{
	return copy_to_user(uarg, karg, min_t(size_t, ksize, _IOC_SIZE(cmd))) ?
	       -EFAULT : 0;
}

static struct mmngr_buffer *mmngr_fd_buffer(int fd, u32 handle)
{
	struct mmngr_buffer *buf;
	struct fd mfd = fdget(fd);

	if (!fd_file(mfd))
		return ERR_PTR(-EBADF);
	buf = mmngr_file_buffer(fd_file(mfd), handle);
	fdput(mfd);
	return buf;
}

static int ioctl_export(unsigned int cmd, void __user *uarg)
{
	struct mmngrbuf_export e;
	struct mmngr_buffer *buf;
	int ret;

	ret = get_arg(&e, sizeof(e), cmd, uarg);
	if (ret)
		return ret;
	if (e.reserved[0] || e.reserved[1] || e.fd)
		return -EINVAL;

	buf = mmngr_fd_buffer(e.mmngr_fd, e.handle);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (!e.size)
		e.size = e.offset < mmngr_buffer_size(buf) ?
			 mmngr_buffer_size(buf) - e.offset : 0;
	e.fd = mmngrbuf_export(buf, e.offset, e.size, e.fd_flags);
	mmngr_buffer_put(buf);
	if (e.fd < 0)
		return e.fd;
	/* As DMA_HEAP_IOCTL_ALLOC: once the fd exists, the caller owns it. */
	return put_arg(uarg, cmd, &e, sizeof(e));
}

static int ioctl_alloc(unsigned int cmd, void __user *uarg)
{
	struct mmngr_buffer *buf;
	struct mmngrbuf_alloc a;
	struct fd mfd;
	int ret;

	ret = get_arg(&a, sizeof(a), cmd, uarg);
	if (ret)
		return ret;
	if (a.fd || a.reserved0 || a.dev_addr || a.reserved[0] ||
	    a.reserved[1] || !mmngrbuf_fd_flags_valid(a.fd_flags))
		return -EINVAL;

	mfd = fdget(a.mmngr_fd);
	if (!fd_file(mfd))
		return -EBADF;
	buf = mmngr_file_alloc(fd_file(mfd), a.pool, a.size, a.align,
			       a.caching);
	fdput(mfd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	a.fd = mmngrbuf_export(buf, 0, mmngr_buffer_size(buf), a.fd_flags);
	a.dev_addr = mmngr_buffer_dma_addr(buf);
	/* The dma-buf holds the buffer now, or nobody does. */
	mmngr_buffer_put(buf);
	if (a.fd < 0)
		return a.fd;
	return put_arg(uarg, cmd, &a, sizeof(a));
}

/*
 * As fences: the handle is reserved, and entered only once the caller has
 * it, so that a racing IMPORT_RELEASE cannot free the import under us.
 */
static int ioctl_import(struct mmngrbuf_file *f, unsigned int cmd,
			void __user *uarg)
{
	struct mmngrbuf_import *imp;
	struct mmngrbuf_import i;
	int ret;

	ret = get_arg(&i, sizeof(i), cmd, uarg);
	if (ret)
		return ret;
	if (i.flags || i.handle || i.reserved0 || i.size || i.dev_addr ||
	    i.reserved[0] || i.reserved[1])
		return -EINVAL;

	ret = xa_alloc(&f->imports, &i.handle, NULL,
		       XA_LIMIT(1, clamp_val(READ_ONCE(file_max_imports), 1,
					     MAX_IMPORTS)),
		       GFP_KERNEL);
	if (ret == -EBUSY) {
		atomic64_inc(&f->bdev->imports_refused);
		return -ENOSPC;
	}
	if (ret)
		return ret;
	imp = mmngrbuf_import(f->bdev, i.fd);
	if (IS_ERR(imp)) {
		ret = PTR_ERR(imp);
		goto err_release;
	}
	i.size = mmngrbuf_import_size(imp);
	i.dev_addr = mmngrbuf_import_dma_addr(imp);
	ret = put_arg(uarg, cmd, &i, sizeof(i));
	if (ret)
		goto err_put;
	/* The reserved slot needs no memory: this cannot fail. */
	WARN_ON(xa_err(xa_store(&f->imports, i.handle, imp, GFP_KERNEL)));
	return 0;

err_put:
	mmngrbuf_import_put(imp);
err_release:
	xa_release(&f->imports, i.handle);
	return ret;
}

static int ioctl_import_release(struct mmngrbuf_file *f, unsigned int cmd,
				void __user *uarg)
{
	struct mmngrbuf_import_release r;
	struct mmngrbuf_import *imp;
	int ret;

	ret = get_arg(&r, sizeof(r), cmd, uarg);
	if (ret)
		return ret;
	if (r.reserved)
		return -EINVAL;
	imp = mmngr_xa_take(&f->imports, r.handle);
	if (!imp)
		return -ENOENT;
	mmngrbuf_import_put(imp);
	return 0;
}

/*
 * The fence's number is reserved first and the fence entered under it only
 * when everything else has worked and the caller has the answer: until
 * then no other thread can signal it, and an undo never meets a number
 * someone else has been given since.
 */
static int ioctl_fence_attach(struct mmngrbuf_file *f, unsigned int cmd,
			      void __user *uarg)
{
	const u32 flags = MMNGRBUF_FENCE_WRITE | MMNGRBUF_FENCE_SYNC_FILE;
	struct mmngrbuf_fence_attach a;
	struct sync_file *sync = NULL;
	struct dma_fence *fence;
	int ret;

	ret = get_arg(&a, sizeof(a), cmd, uarg);
	if (ret)
		return ret;
	if (a.flags & ~flags || a.fence || a.sync_file || a.reserved0 ||
	    a.reserved[0] || a.reserved[1])
		return -EINVAL;

	ret = mmngrbuf_fence_reserve(f, &a.fence);
	if (ret)
		return ret;
	fence = mmngrbuf_fence_create(a.fd, a.flags & MMNGRBUF_FENCE_WRITE,
				      a.timeout_ms);
	if (IS_ERR(fence)) {
		ret = PTR_ERR(fence);
		goto err_unreserve;
	}

	a.sync_file = -1;
	if (a.flags & MMNGRBUF_FENCE_SYNC_FILE) {
		sync = sync_file_create(fence);
		if (!sync) {
			ret = -ENOMEM;
			goto err_cancel;
		}
		ret = get_unused_fd_flags(O_CLOEXEC);
		if (ret < 0)
			goto err_fput;
		a.sync_file = ret;
	}
	ret = put_arg(uarg, cmd, &a, sizeof(a));
	if (ret)
		goto err_put_fd;

	mmngrbuf_fence_publish(f, a.fence, fence);
	/* Only now: an fd the caller never learnt of would leak. */
	if (sync)
		fd_install(a.sync_file, sync->file);
	return 0;

err_put_fd:
	if (sync)
		put_unused_fd(a.sync_file);
err_fput:
	if (sync)
		fput(sync->file);
err_cancel:
	/* Nobody knows the fence: it must not hold up the buffer. */
	mmngrbuf_fence_cancel(fence);
err_unreserve:
	mmngrbuf_fence_unreserve(f, a.fence);
	return ret;
}

static int ioctl_fence_signal(struct mmngrbuf_file *f, unsigned int cmd,
			      void __user *uarg)
{
	struct mmngrbuf_fence_signal s;
	int ret;

	ret = get_arg(&s, sizeof(s), cmd, uarg);
	if (ret)
		return ret;
	if (s.reserved || s.error > 0 || s.error < -MAX_ERRNO)
		return -EINVAL;
	return mmngrbuf_fence_signal(f, s.fence, s.error);
}

/* The command's type, number and direction, without its size. */
#define CMD_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/**
 * mmngrbuf_uapi_ioctl() - run a modern command
 * @f:		the file
 * @cmd:	the command, of any size
 * @uarg:	its argument
 *
 * Return: the command's result, or -ENOTTY if @cmd is none of them.
 */
long mmngrbuf_uapi_ioctl(struct mmngrbuf_file *f, unsigned int cmd,
			 void __user *uarg)
{
	switch (CMD_BASE(cmd)) {
	case CMD_BASE(MMNGRBUF_IOCTL_EXPORT):
		return ioctl_export(cmd, uarg);
	case CMD_BASE(MMNGRBUF_IOCTL_ALLOC):
		return ioctl_alloc(cmd, uarg);
	case CMD_BASE(MMNGRBUF_IOCTL_IMPORT):
		return ioctl_import(f, cmd, uarg);
	case CMD_BASE(MMNGRBUF_IOCTL_IMPORT_RELEASE):
		return ioctl_import_release(f, cmd, uarg);
	case CMD_BASE(MMNGRBUF_IOCTL_FENCE_ATTACH):
		return ioctl_fence_attach(f, cmd, uarg);
	case CMD_BASE(MMNGRBUF_IOCTL_FENCE_SIGNAL):
		return ioctl_fence_signal(f, cmd, uarg);
	}
	return -ENOTTY;
}
