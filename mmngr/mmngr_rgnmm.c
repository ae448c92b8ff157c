// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/rgnmm: the Renesas-compatible character device.
 *
 * One open file holds at most one buffer, as in the original: ALLOC (kernel
 * heap) or ALLOC_CO (carve-outs) creates it, SHARE attaches to a range of a
 * buffer allocated elsewhere, mmap at offset 0 maps it, and closing the
 * file drops it (mappings keep it alive until they go).  Unlike the
 * original, SHARE only reaches live mmngr buffers whose owner the share
 * policy allows, GET discloses no kernel or physical address, FLUSH and
 * INVAL copy their argument and check its bounds, device addresses that do
 * not fit the ABI's 32 bits are an error rather than truncated, and every
 * failure is an errno.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/rgnmm.h>

#include "mmngr_drv.h"

/**
 * struct rgnmm_file - state of one open /dev/rgnmm
 * @mdev:	the device
 * @lock:	serialises the ioctls and mmap on this file
 * @buf:	the buffer allocated here, or attached by SHARE
 * @shared:	@buf came from SHARE
 * @flag:	MM_PARAM.flag of the ALLOC / ALLOC_CO (0 after SHARE)
 * @addr:	device address the file stands for: the buffer's start, or the
 *		address given to SHARE
 * @size:	bytes from @addr the user asked for
 * @user_virt_addr: stored by SET, returned by GET
 */
struct rgnmm_file {
	struct mmngr_device *mdev;
	struct mutex lock;		/* ioctls and mmap of this file */
	struct mmngr_buffer *buf;
	bool shared;
	u32 flag;
	dma_addr_t addr;
	u64 size;
	unsigned long user_virt_addr;
};

#ifdef CONFIG_COMPAT
/* The structures as 32-bit ARM user space lays them out. */
struct compat_mm_param {
	compat_size_t	size;
	compat_u64	phy_addr;
	u32		hard_addr;
	compat_ulong_t	user_virt_addr;
	compat_ulong_t	kernel_virt_addr;
	u32		flag;
};

struct compat_mm_cache_param {
	compat_size_t	offset;
	compat_size_t	len;
};
#endif

#define RGNMM_NR_IOCTLS	10

static const unsigned int rgnmm_cmds[RGNMM_NR_IOCTLS] = {
	MM_IOC_ALLOC, MM_IOC_FREE, MM_IOC_SET, MM_IOC_GET, MM_IOC_ALLOC_CO,
	MM_IOC_FREE_CO, MM_IOC_SHARE, MM_IOC_FLUSH, MM_IOC_INVAL, MM_IOC_VTOP,
};

#ifdef CONFIG_COMPAT
#define C(nr, type)	_IOWR('m', nr, type)
static const unsigned int rgnmm_compat_cmds[RGNMM_NR_IOCTLS] = {
	C(0, struct compat_mm_param), C(1, struct compat_mm_param),
	C(2, struct compat_mm_param), C(3, struct compat_mm_param),
	C(4, struct compat_mm_param), C(5, struct compat_mm_param),
	C(6, struct compat_mm_param), C(7, struct compat_mm_cache_param),
	C(8, struct compat_mm_cache_param), C(9, struct compat_mm_param),
};

#undef C
#endif

static int get_param(void __user *uarg, bool compat, struct MM_PARAM *p)
{
#ifdef CONFIG_COMPAT
	if (compat) {
		struct compat_mm_param c;

		if (copy_from_user(&c, uarg, sizeof(c)))
			return -EFAULT;
		memset(p, 0, sizeof(*p));
		p->size = c.size;
		p->phy_addr = c.phy_addr;
		p->hard_addr = c.hard_addr;
		p->user_virt_addr = c.user_virt_addr;
		p->flag = c.flag;
		return 0;
	}
#endif
	return copy_from_user(p, uarg, sizeof(*p)) ? -EFAULT : 0;
}

static int put_param(void __user *uarg, bool compat, const struct MM_PARAM *p)
{
#ifdef CONFIG_COMPAT
	if (compat) {
		struct compat_mm_param c;

		memset(&c, 0, sizeof(c));
		c.size = p->size;
		c.phy_addr = p->phy_addr;
		c.hard_addr = p->hard_addr;
		c.user_virt_addr = p->user_virt_addr;
		c.flag = p->flag;
		return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
	}
#endif
	return copy_to_user(uarg, p, sizeof(*p)) ? -EFAULT : 0;
}

static int get_cache_param(void __user *uarg, bool compat, u64 *offset,
			   u64 *len)
{
	struct MM_CACHE_PARAM p;

#ifdef CONFIG_COMPAT
	if (compat) {
		struct compat_mm_cache_param c;

		if (copy_from_user(&c, uarg, sizeof(c)))
			return -EFAULT;
		*offset = c.offset;
		*len = c.len;
		return 0;
	}
#endif
	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	*offset = p.offset;
	*len = p.len;
	return 0;
}

/* The ABI carries 32-bit device addresses: refuse, never truncate. */
static bool fits_abi(struct mmngr_device *mdev, dma_addr_t addr, u64 size)
{
	if (addr + size - 1 <= U32_MAX)
		return true;
	dev_warn_ratelimited(mdev->dev,
			     "%s: buffer at %pad is beyond the 32-bit Renesas ABI\n",
			     current->comm, &addr);
	return false;
}

static int rgnmm_attach(struct rgnmm_file *f, struct mmngr_buffer *buf,
			u32 flag, u64 size)
{
	if (!fits_abi(f->mdev, mmngr_buffer_dma_addr(buf), mmngr_buffer_size(buf))) {
		mmngr_buffer_put(buf);
		return -EOVERFLOW;
	}
	f->buf = buf;
	f->shared = false;
	f->flag = flag;
	f->addr = mmngr_buffer_dma_addr(buf);
	f->size = size;
	return 0;
}

static int rgnmm_alloc(struct rgnmm_file *f, const struct MM_PARAM *p)
{
	enum mmngr_caching caching;
	struct mmngr_buffer *buf;

	switch (p->flag) {
	case MM_KERNELHEAP:
		caching = MMNGR_WRITECOMBINE;
		break;
	case MM_KERNELHEAP_CACHED:
		caching = MMNGR_CACHED;
		break;
	default:
		return -EINVAL;
	}
	if (f->buf || !p->size)
		return -EINVAL;

	buf = mmngr_buffer_create(f->mdev->role[MMNGR_ROLE_KERNELHEAP], p->size,
				  0, caching);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	return rgnmm_attach(f, buf, p->flag, p->size);
}

static int rgnmm_alloc_co(struct rgnmm_file *f, const struct MM_PARAM *p)
{
	struct mmngr_device *mdev = f->mdev;
	struct mmngr_pool *pool;
	struct mmngr_buffer *buf;

	if (p->flag == MM_CARVEOUT) {
		pool = mdev->role[MMNGR_ROLE_OMXBUF] ?: mdev->role[MMNGR_ROLE_MULTIMEDIA];
	} else if (p->flag == MM_CARVEOUT_SSP) {
		pool = mdev->role[MMNGR_ROLE_SSP];
	} else if ((p->flag & 0xf) == MM_CARVEOUT_LOSSY && p->flag >> 4 >= 1 &&
		   p->flag >> 4 <= 3) {
		/* Lossy format in bits 4-7: YUV planar, YUV422, ARGB8888. */
		pool = mdev->role[MMNGR_ROLE_LOSSY];
	} else {
		return -EINVAL;
	}
	/* A pool the board does not have: the original's parameter error. */
	if (!pool || f->buf || !p->size)
		return -EINVAL;

	buf = mmngr_buffer_create(pool, p->size, 0, MMNGR_WRITECOMBINE);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	return rgnmm_attach(f, buf, p->flag, p->size);
}

static bool is_kernelheap_flag(u32 flag)
{
	return flag == MM_KERNELHEAP || flag == MM_KERNELHEAP_CACHED;
}

static int rgnmm_free(struct rgnmm_file *f, bool carveout)
{
	if (!f->buf || f->shared || is_kernelheap_flag(f->flag) == carveout)
		return -EINVAL;
	mmngr_buffer_put(f->buf);
	f->buf = NULL;
	f->flag = 0;
	f->addr = 0;
	f->size = 0;
	return 0;
}

static int rgnmm_share(struct rgnmm_file *f, const struct MM_PARAM *p)
{
	struct mmngr_buffer *buf;

	if (f->buf || !p->size)
		return -EINVAL;
	/*
	 * Only ranges inside a live buffer: no mapping of arbitrary memory.
	 * A buffer the caller may not use gets the same answer as none, so
	 * that nobody learns where other users' buffers are.
	 */
	buf = mmngr_buffer_lookup(p->phy_addr, p->size);
	if (!buf)
		return -EINVAL;
	if (!mmngr_buffer_may_share(buf)) {
		mmngr_buffer_put(buf);
		return -EINVAL;
	}
	f->buf = buf;
	f->shared = true;
	f->flag = 0;
	f->addr = p->phy_addr;
	f->size = p->size;
	return 0;
}

static void rgnmm_get(struct rgnmm_file *f, struct MM_PARAM *p)
{
	memset(p, 0, sizeof(*p));
	p->size = f->size;
	p->hard_addr = f->addr;
	p->user_virt_addr = f->user_virt_addr;
	p->flag = f->flag;
}

static int rgnmm_cache(struct rgnmm_file *f, u64 offset, u64 len,
		       bool for_device)
{
	u64 end;

	if (!f->buf)
		return -EINVAL;
	if (check_add_overflow(offset, len, &end) || end > f->size)
		return -EINVAL;
	/* Offsets count from the file's address, inside its buffer. */
	mmngr_buffer_sync(f->buf, f->addr - mmngr_buffer_dma_addr(f->buf) + offset,
			  len, for_device);
	return 0;
}

/* The device address behind a user address in one of our mappings. */
static int rgnmm_vtop(struct mmngr_device *mdev, struct MM_PARAM *p)
{
	unsigned long va = p->user_virt_addr;
	struct vm_area_struct *vma;
	dma_addr_t addr;
	int ret = 0;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, va);
	if (!vma || !mmngr_vma_is_buffer(vma)) {
		ret = -EINVAL;
	} else {
		addr = mmngr_buffer_dma_addr(vma->vm_private_data) +
		       ((u64)vma->vm_pgoff << PAGE_SHIFT) + (va - vma->vm_start);
		if (fits_abi(mdev, addr, 1))
			p->hard_addr = addr;
		else
			ret = -EOVERFLOW;
	}
	mmap_read_unlock(current->mm);
	return ret;
}

static long rgnmm_do_ioctl(struct rgnmm_file *f, unsigned int nr,
			   void __user *uarg, bool compat)
{
	struct MM_PARAM p;
	u64 offset, len;
	int ret;

	if (nr == _IOC_NR(MM_IOC_FLUSH) || nr == _IOC_NR(MM_IOC_INVAL)) {
		ret = get_cache_param(uarg, compat, &offset, &len);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = rgnmm_cache(f, offset, len, nr == _IOC_NR(MM_IOC_FLUSH));
		mutex_unlock(&f->lock);
		return ret;
	}

	/* FREE and FREE_CO ignore their argument, as in the original. */
	if (nr != _IOC_NR(MM_IOC_FREE) && nr != _IOC_NR(MM_IOC_FREE_CO)) {
		ret = get_param(uarg, compat, &p);
		if (ret)
			return ret;
	}

	/* VTOP reads the caller's mappings, not the file. */
	if (nr == _IOC_NR(MM_IOC_VTOP)) {
		ret = rgnmm_vtop(f->mdev, &p);
		return ret ?: put_param(uarg, compat, &p);
	}

	/*
	 * No copy to user space under f->lock: a fault takes mmap_lock, which
	 * mmap() holds when it takes f->lock.
	 */
	mutex_lock(&f->lock);
	switch (nr) {
	case _IOC_NR(MM_IOC_ALLOC):
		ret = rgnmm_alloc(f, &p);
		break;
	case _IOC_NR(MM_IOC_FREE):
		ret = rgnmm_free(f, false);
		break;
	case _IOC_NR(MM_IOC_SET):
		f->user_virt_addr = p.user_virt_addr;
		ret = 0;
		break;
	case _IOC_NR(MM_IOC_GET):
		rgnmm_get(f, &p);
		ret = 0;
		break;
	case _IOC_NR(MM_IOC_ALLOC_CO):
		ret = rgnmm_alloc_co(f, &p);
		break;
	case _IOC_NR(MM_IOC_FREE_CO):
		ret = rgnmm_free(f, true);
		break;
	case _IOC_NR(MM_IOC_SHARE):
		ret = rgnmm_share(f, &p);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);

	if (!ret && nr == _IOC_NR(MM_IOC_GET))
		ret = put_param(uarg, compat, &p);
	return ret;
}

static long rgnmm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int nr = _IOC_NR(cmd);

	if (nr >= RGNMM_NR_IOCTLS || cmd != rgnmm_cmds[nr])
		return -ENOTTY;
	return rgnmm_do_ioctl(file->private_data, nr, (void __user *)arg, false);
}

#ifdef CONFIG_COMPAT
static long rgnmm_compat_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	unsigned int nr = _IOC_NR(cmd);

	if (nr >= RGNMM_NR_IOCTLS || cmd != rgnmm_compat_cmds[nr])
		return -ENOTTY;
	return rgnmm_do_ioctl(file->private_data, nr, compat_ptr(arg), true);
}
#else
#define rgnmm_compat_ioctl NULL
#endif

/*
 * Maps the file's buffer, or after SHARE the pages holding the shared
 * range, starting at the page that holds its first byte; vm_pgoff is an
 * offset into that.
 */
static int rgnmm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rgnmm_file *f = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 start, span, off;
	int ret = -EINVAL;

	mutex_lock(&f->lock);
	if (!f->buf)
		goto out;
	start = (f->addr & PAGE_MASK) - mmngr_buffer_dma_addr(f->buf);
	span = PAGE_ALIGN(offset_in_page(f->addr) + f->size);
	if (vma->vm_pgoff > span >> PAGE_SHIFT)
		goto out;
	off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	if (len > span - off)
		goto out;
	ret = mmngr_buffer_map_user(f->buf, vma, start + off);
out:
	mutex_unlock(&f->lock);
	return ret;
}

static int rgnmm_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct rgnmm_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->mdev = container_of(misc, struct mmngr_device, misc);
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int rgnmm_release(struct inode *inode, struct file *file)
{
	struct rgnmm_file *f = file->private_data;

	/* A process that exits or forgets to free: the buffer goes too. */
	if (f->buf)
		mmngr_buffer_put(f->buf);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

const struct file_operations mmngr_rgnmm_fops = {
	.owner = THIS_MODULE,
	.open = rgnmm_open,
	.release = rgnmm_release,
	.unlocked_ioctl = rgnmm_ioctl,
	.compat_ioctl = rgnmm_compat_ioctl,
	.mmap = rgnmm_mmap,
	.llseek = noop_llseek,
};
