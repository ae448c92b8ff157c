// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/mmngr: the modern ABI (include/uapi/linux/mmngr.h).
 *
 * An open file holds any number of buffers in an xarray, each named by a
 * handle and holding one reference.  A buffer's mmap offset is its handle
 * shifted up by 32 bits: a 4 GiB window each, reachable by 32-bit programs
 * built with large-file support for handles below 4096.
 */

#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <mmngr_xa.h>
#include <uapi/linux/mmngr.h>

#include "mmngr_drv.h"

#define MMAP_SHIFT	32
#define MAX_SIZE	BIT_ULL(MMAP_SHIFT)
#define MAX_HANDLE	((1U << (64 - PAGE_SHIFT - MMAP_SHIFT)) - 1)

static unsigned int file_max_buffers = 16384;
module_param(file_max_buffers, uint, 0644);
MODULE_PARM_DESC(file_max_buffers,
		 "Buffers one open /dev/mmngr may hold (1 to the mmap window's limit, default 16384)");

static_assert(MMNGR_CACHING_CACHED == MMNGR_CACHED);
static_assert(MMNGR_CACHING_WRITECOMBINE == MMNGR_WRITECOMBINE);
static_assert(MMNGR_CACHING_UNCACHED == MMNGR_UNCACHED);

/**
 * struct mmngr_file - state of one open /dev/mmngr
 * @mdev:	the device
 * @buffers:	handle -> &struct mmngr_buffer, a reference each
 */
struct mmngr_file {
	struct mmngr_device *mdev;
	struct xarray buffers;
};

/*
 * The argument of @cmd: its size comes from the command, so that programs
 * built against an older (shorter) or newer (longer) structure keep
 * working; copy_struct_from_user() zero-extends the former and refuses the
 * latter's unknown tail unless it is zero.
 */
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

static bool all_zero(const u64 *v, unsigned int n)
{
	while (n--)
		if (v[n])
			return false;
	return true;
}

/* A reference to the buffer behind @handle, or NULL. */
static struct mmngr_buffer *file_buffer(struct mmngr_file *f, u32 handle)
{
	struct mmngr_buffer *buf;

	xa_lock(&f->buffers);
	buf = xa_load(&f->buffers, handle);
	if (buf)
		mmngr_buffer_get(buf);
	xa_unlock(&f->buffers);
	return buf;
}

static int ioctl_pool_info(struct mmngr_file *f, unsigned int cmd,
			   void __user *uarg)
{
	struct mmngr_pool_info info;
	struct mmngr_pool *pool;
	int ret;

	ret = get_arg(&info, sizeof(info), cmd, uarg);
	if (ret)
		return ret;
	if (!all_zero(info.reserved, ARRAY_SIZE(info.reserved)))
		return -EINVAL;
	pool = mmngr_pool_by_index(f->mdev, info.index);
	if (!pool)
		return -ENOENT;

	memset(&info, 0, sizeof(info));
	info.index = pool->index;
	if (pool->kind == MMNGR_POOL_DMA)
		info.kind = MMNGR_POOL_KIND_DMA;
	else if (pool->kind == MMNGR_POOL_STATIC)
		info.kind = MMNGR_POOL_KIND_NOMAP;
	else
		info.kind = pool->cma ? MMNGR_POOL_KIND_CMA : MMNGR_POOL_KIND_MOVABLE;
	strscpy(info.name, pool->name, sizeof(info.name));
	info.size = pool->size;
	info.largest_free = mmngr_pool_largest_free(pool);
	mutex_lock(&pool->lock);
	info.used = pool->used;
	info.buffers = pool->nr_buffers;
	mutex_unlock(&pool->lock);
	info.caching = BIT(MMNGR_CACHING_WRITECOMBINE) | BIT(MMNGR_CACHING_UNCACHED);
	if (mmngr_pool_has_pages(pool))
		info.caching |= BIT(MMNGR_CACHING_CACHED);
	return put_arg(uarg, cmd, &info, sizeof(info));
}

/* A new buffer from one of the file's device's pools, checked for user space. */
static struct mmngr_buffer *file_alloc(struct mmngr_file *f, u32 pool_index,
				       u64 size, u64 align, u32 caching)
{
	struct mmngr_pool *pool;

	if (!size || size > MAX_SIZE || caching >= MMNGR_NR_CACHING ||
	    (align && !is_power_of_2(align)))
		return ERR_PTR(-EINVAL);
	pool = mmngr_pool_by_index(f->mdev, pool_index);
	if (!pool)
		return ERR_PTR(-EINVAL);
	return mmngr_buffer_create(pool, size, align, caching);
}

/*
 * The handle is reserved first and the buffer entered under it only once
 * the caller has the answer: a racing FREE of the predictable handle finds
 * nothing until then, and the undo never meets a handle given out since.
 */
static int ioctl_alloc(struct mmngr_file *f, unsigned int cmd,
		       void __user *uarg)
{
	struct mmngr_buffer *buf;
	struct mmngr_alloc a;
	u32 handle;
	int ret;

	ret = get_arg(&a, sizeof(a), cmd, uarg);
	if (ret)
		return ret;
	if (a.flags || !all_zero(a.reserved, ARRAY_SIZE(a.reserved)))
		return -EINVAL;
	ret = xa_alloc(&f->buffers, &handle, NULL,
		       XA_LIMIT(1, clamp_val(READ_ONCE(file_max_buffers), 1,
					     MAX_HANDLE)),
		       GFP_KERNEL);
	if (ret == -EBUSY) {
		atomic64_inc(&f->mdev->handles_refused);
		return -ENOSPC;
	}
	if (ret)
		return ret;
	buf = file_alloc(f, a.pool, a.size, a.align, a.caching);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto err_release;
	}

	a.handle = handle;
	a.mmap_offset = (u64)handle << MMAP_SHIFT;
	a.dev_addr = mmngr_buffer_dma_addr(buf);
	ret = put_arg(uarg, cmd, &a, sizeof(a));
	if (ret)
		goto err_put;
	/* The reserved slot needs no memory: this cannot fail. */
	WARN_ON(xa_err(xa_store(&f->buffers, handle, buf, GFP_KERNEL)));
	return 0;

err_put:
	mmngr_buffer_put(buf);
err_release:
	xa_release(&f->buffers, handle);
	return ret;
}

static int ioctl_free(struct mmngr_file *f, unsigned int cmd,
		      void __user *uarg)
{
	struct mmngr_buffer *buf;
	struct mmngr_free fr;
	int ret;

	ret = get_arg(&fr, sizeof(fr), cmd, uarg);
	if (ret)
		return ret;
	if (fr.reserved)
		return -EINVAL;
	buf = mmngr_xa_take(&f->buffers, fr.handle);
	if (!buf)
		return -ENOENT;
	mmngr_buffer_put(buf);
	return 0;
}

static int ioctl_sync(struct mmngr_file *f, unsigned int cmd,
		      void __user *uarg)
{
	struct mmngr_buffer *buf;
	struct mmngr_sync s;
	u64 end;
	int ret;

	ret = get_arg(&s, sizeof(s), cmd, uarg);
	if (ret)
		return ret;
	if (s.reserved || s.flags & ~(MMNGR_SYNC_RW | MMNGR_SYNC_END) ||
	    !(s.flags & MMNGR_SYNC_RW) || !s.len ||
	    check_add_overflow(s.offset, s.len, &end))
		return -EINVAL;
	buf = file_buffer(f, s.handle);
	if (!buf)
		return -ENOENT;
	if (end > mmngr_buffer_size(buf)) {
		ret = -EINVAL;
	} else if (!(s.flags & MMNGR_SYNC_END)) {
		/* Start: drop stale lines before the CPU reads or writes. */
		mmngr_buffer_sync(buf, s.offset, s.len, false);
	} else if (s.flags & MMNGR_SYNC_WRITE) {
		/* End of writing: clean the CPU's writes to memory. */
		mmngr_buffer_sync(buf, s.offset, s.len, true);
	}
	mmngr_buffer_put(buf);
	return ret;
}

static long mmngr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mmngr_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != MMNGR_IOC_MAGIC)
		return -ENOTTY;

	/* Match on number and direction; the size may differ (see get_arg). */
	switch (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) {
	case MMNGR_IOCTL_POOL_INFO & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT):
		return ioctl_pool_info(f, cmd, uarg);
	case MMNGR_IOCTL_ALLOC & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT):
		return ioctl_alloc(f, cmd, uarg);
	case MMNGR_IOCTL_FREE & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT):
		return ioctl_free(f, cmd, uarg);
	case MMNGR_IOCTL_SYNC & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT):
		return ioctl_sync(f, cmd, uarg);
	default:
		return -ENOTTY;
	}
}

static int mmngr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmngr_file *f = file->private_data;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct mmngr_buffer *buf;
	int ret;

	buf = file_buffer(f, offset >> MMAP_SHIFT);
	if (!buf)
		return -EINVAL;
	ret = mmngr_buffer_map_user(buf, vma, offset & (MAX_SIZE - 1));
	mmngr_buffer_put(buf);
	return ret;
}

static int mmngr_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct mmngr_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->mdev = container_of(misc, struct mmngr_device, uapi_misc);
	xa_init_flags(&f->buffers, XA_FLAGS_ALLOC1);
	file->private_data = f;
	return 0;
}

static int mmngr_release(struct inode *inode, struct file *file)
{
	struct mmngr_file *f = file->private_data;
	struct mmngr_buffer *buf;
	unsigned long handle;

	xa_for_each(&f->buffers, handle, buf)
		mmngr_buffer_put(buf);
	xa_destroy(&f->buffers);
	kfree(f);
	return 0;
}

const struct file_operations mmngr_uapi_fops = {
	.owner = THIS_MODULE,
	.open = mmngr_open,
	.release = mmngr_release,
	.unlocked_ioctl = mmngr_ioctl,
	/* Same layout for 32-bit callers. */
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mmngr_mmap,
	.llseek = noop_llseek,
};

/**
 * mmngr_file_buffer() - the buffer behind a handle of a /dev/mmngr file
 * @file:	a file the caller holds
 * @handle:	a handle from MMNGR_IOCTL_ALLOC on it
 *
 * For drivers that take (file descriptor, handle) pairs from user space,
 * such as mmngrbuf turning a buffer into a dma-buf.  May sleep.
 *
 * Return: the buffer with a reference the caller must drop, or
 * ERR_PTR(-EINVAL) if @file is not /dev/mmngr, ERR_PTR(-ENOENT) if it has
 * no such handle.
 */
struct mmngr_buffer *mmngr_file_buffer(struct file *file, u32 handle)
{
	struct mmngr_buffer *buf;

	if (file->f_op != &mmngr_uapi_fops)
		return ERR_PTR(-EINVAL);
	buf = file_buffer(file->private_data, handle);
	return buf ?: ERR_PTR(-ENOENT);
}
EXPORT_SYMBOL_GPL(mmngr_file_buffer);

/**
 * mmngr_file_alloc() - a new buffer from the pools of a /dev/mmngr file
 * @file:	a file the caller holds
 * @pool:	pool index, as MMNGR_IOCTL_POOL_INFO numbers them
 * @size:	bytes, rounded up to pages
 * @align:	0 or a power of two
 * @caching:	MMNGR_CACHING_* of CPU mappings
 *
 * MMNGR_IOCTL_ALLOC for drivers that hand the buffer straight back to user
 * space in another form (mmngrbuf's dma-buf allocation): the buffer is
 * zeroed, charged to the calling process, and not entered in the file's
 * handles.  The arguments come from user space and are checked as that
 * ioctl checks them.  May sleep.
 *
 * Return: the buffer with the caller's reference, ERR_PTR(-EINVAL) if @file
 * is not /dev/mmngr or an argument is invalid, ERR_PTR(-ENOMEM) if the pool
 * has no room.
 */
struct mmngr_buffer *mmngr_file_alloc(struct file *file, u32 pool, u64 size,
				      u64 align, u32 caching)
{
	if (file->f_op != &mmngr_uapi_fops)
		return ERR_PTR(-EINVAL);
	return file_alloc(file->private_data, pool, size, align, caching);
}
EXPORT_SYMBOL_GPL(mmngr_file_alloc);
