// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr's pools as dma-buf heaps.
 *
 * Each pool whose memory has struct pages gets /dev/dma_heap/mmngr-<pool>,
 * which speaks the kernel's dma-heap ABI (include/uapi/linux/dma-heap.h)
 * as drivers/dma-buf/dma-heap.c does: one command, DMA_HEAP_IOCTL_ALLOC,
 * matched on its number alone; the argument read at whatever size the
 * caller's structure has, zero-extended when shorter, its tail ignored
 * when longer; fd, fd_flags, heap_flags and len checked in that order,
 * with EINVAL.  The dma-buf is a whole mmngr buffer made by the same
 * exporter as MMNGRBUF_IOCTL_ALLOC's, so it is zeroed, cache-maintained,
 * charged to the caller's user and listed in debugfs like any other.
 *
 * By default the nodes are misc devices whose node name puts them under
 * /dev/dma_heap/, on every kernel.  With real_heaps=1, on kernels that let
 * modules add heaps (MMNGR_HAVE_DMA_HEAP_ADD), they are the kernel's own
 * dma-buf heaps instead, listed in /sys/class/dma_heap: the framework
 * cannot remove a heap, so the module then stays loaded until reboot, and
 * a heap whose pool goes keeps its name and fails with ENODEV until a pool
 * of that name comes back.  The heap_linux_cma and heap_reserved
 * parameters also show a pool as /dev/dma_heap/linux,cma or reserved, the
 * names programs such as libcamera look for, unless the kernel has a heap
 * of that name; those are always misc devices, since they come and go.
 */

#include <linux/compat.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include <linux/mmngr.h>
#include <mmngr_kcompat.h>

#include "mmngrbuf_drv.h"

MODULE_IMPORT_NS(MMNGR_DMA_HEAP_NS);

#define POOL_NAME_MAX	24

/**
 * struct mmngrbuf_heap - one node under /dev/dma_heap
 * @ref:	the node's registration and each open file
 * @misc:	the node
 * @node:	in heaps (pool heaps; aliases are in alias_heap[])
 * @lock:	@pool against its removal
 * @pool:	where its buffers come from; NULL once the pool is gone
 * @real:	the kernel's heap, with real_heaps; then @misc is unused, and
 *		the heap is never freed
 * @name:	its misc device name, or the real heap's name
 * @nodename:	"dma_heap/<heap name>" (MMNGR_HEAP_NODE_DIR)
 */
struct mmngrbuf_heap {
	struct kref ref;
	struct miscdevice misc;
	struct list_head node;
	struct rw_semaphore lock;	/* pool */
	struct mmngr_pool *pool;
	struct dma_heap *real;
	char name[48];
	char nodename[48];
};

enum { ALIAS_CMA, ALIAS_RESERVED, NR_ALIASES };

static const char *const alias_names[NR_ALIASES] = {
	[ALIAS_CMA] = "linux,cma",
	[ALIAS_RESERVED] = "reserved",
};

static bool real_heaps;
module_param(real_heaps, bool, 0444);
MODULE_PARM_DESC(real_heaps,
		 "Register the pools as the kernel's own dma-buf heaps (Linux 6.18 on, CONFIG_DMABUF_HEAPS=y; reads N where the kernel cannot), not as compatible nodes: the module then cannot be unloaded until reboot (default N)");

/*
 * The heaps, the alias parameters and their nodes: under heaps_lock.
 * Real heaps whose pool has gone wait in retired for a pool of their name.
 */
static DEFINE_MUTEX(heaps_lock);
static LIST_HEAD(heaps);
static LIST_HEAD(retired);
static char alias_pool[NR_ALIASES][POOL_NAME_MAX];
static struct mmngrbuf_heap *alias_heap[NR_ALIASES];

static void heap_free(struct kref *ref)
{
	kfree(container_of(ref, struct mmngrbuf_heap, ref));
}

/* A whole new buffer of @len (page-aligned, not 0) from the heap's pool. */
static struct dma_buf *heap_alloc_dmabuf(struct mmngrbuf_heap *heap, u64 len,
					 unsigned int fd_flags)
{
	struct mmngr_buffer *buf;
	struct dma_buf *dmabuf;

	down_read(&heap->lock);
	buf = heap->pool ?
	      mmngr_pool_alloc_buffer(heap->pool, len, MMNGR_CACHING_CACHED) :
	      ERR_PTR(-ENODEV);
	up_read(&heap->lock);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	dmabuf = mmngrbuf_export_dmabuf(buf, 0, len, fd_flags & O_ACCMODE);
	/* The dma-buf holds the buffer now, or nobody does. */
	mmngr_buffer_put(buf);
	return dmabuf;
}

/* As dma_heap_ioctl_allocate(), with the caller told before the fd is live. */
static int heap_alloc(struct mmngrbuf_heap *heap,
		      struct dma_heap_allocation_data *data, void __user *uarg,
		      unsigned int out_size)
{
	struct dma_buf *dmabuf;
	u64 len;
	int fd;

	if (data->fd || data->fd_flags & ~DMA_HEAP_VALID_FD_FLAGS ||
	    data->heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;
	len = PAGE_ALIGN(data->len);
	if (!len)
		return -EINVAL;

	dmabuf = heap_alloc_dmabuf(heap, len, data->fd_flags);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = get_unused_fd_flags(data->fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	data->fd = fd;
	if (copy_to_user(uarg, data, out_size)) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;
}

static long heap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dma_heap_allocation_data data = { };
	void __user *uarg = (void __user *)arg;
	unsigned int in_size, out_size;

	/* dma-heap.c knows commands by number only; there is one. */
	if (_IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC))
		return -EINVAL;
	/*
	 * Older callers' shorter structures read as zero-extended, newer
	 * ones' longer tails are neither read nor changed.
	 */
	in_size = _IOC_DIR(cmd) & _IOC_WRITE ? _IOC_SIZE(cmd) : 0;
	out_size = _IOC_DIR(cmd) & _IOC_READ ? _IOC_SIZE(cmd) : 0;
	in_size = min_t(unsigned int, in_size, sizeof(data));
	out_size = min_t(unsigned int, out_size, sizeof(data));
	if (copy_from_user(&data, uarg, in_size))
		return -EFAULT;
	return heap_alloc(file->private_data, &data, uarg, out_size);
}

static int heap_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice here, and holds its lock. */
	struct mmngrbuf_heap *heap = container_of(file->private_data,
						  struct mmngrbuf_heap, misc);

	kref_get(&heap->ref);
	file->private_data = heap;
	return nonseekable_open(inode, file);
}

static int heap_release(struct inode *inode, struct file *file)
{
	struct mmngrbuf_heap *heap = file->private_data;

	kref_put(&heap->ref, heap_free);
	return 0;
}

static const struct file_operations heap_fops = {
	.owner = THIS_MODULE,
	.open = heap_open,
	.release = heap_release,
	.unlocked_ioctl = heap_ioctl,
	/* One layout for 32- and 64-bit callers. */
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * The kernel's heap framework checked fd_flags, heap_flags and the length
 * (page-aligned, not 0) before this, as heap_alloc() does for the nodes.
 */
static struct dma_buf *real_heap_allocate(struct dma_heap *real,
					  unsigned long len, u32 fd_flags,
					  u64 heap_flags)
{
	return heap_alloc_dmabuf(dma_heap_get_drvdata(real), len, fd_flags);
}

static const struct dma_heap_ops real_heap_ops = {
	.allocate = real_heap_allocate,
};

/*
 * Add @heap to the kernel's heaps.  From then on nothing can remove it,
 * so neither the heap nor this module may ever go: both are pinned.
 */
static int real_heap_add(struct mmngrbuf_heap *heap)
{
	struct dma_heap_export_info info = {
		.name = heap->name,
		.ops = &real_heap_ops,
		.priv = heap,
	};
	struct dma_heap *real;

	real = dma_heap_add(&info);
	if (IS_ERR(real)) {
		pr_warn("mmngrbuf: cannot add the %s heap: %pe\n", heap->name, real);
		return PTR_ERR(real);
	}
	heap->real = real;
	kref_get(&heap->ref);
	__module_get(THIS_MODULE);
	return 0;
}

static struct mmngrbuf_heap *heap_create(struct mmngr_pool *pool,
					 const char *name, const char *heap_name,
					 bool real)
{
	struct mmngrbuf_heap *heap;
	int ret;

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	kref_init(&heap->ref);
	init_rwsem(&heap->lock);
	heap->pool = pool;
	strscpy(heap->name, name, sizeof(heap->name));
	snprintf(heap->nodename, sizeof(heap->nodename),
		 MMNGR_HEAP_NODE_DIR "%s", heap_name);
	if (real) {
		ret = real_heap_add(heap);
		if (ret) {
			kfree(heap);
			return ERR_PTR(ret);
		}
		return heap;
	}
	heap->misc.minor = MISC_DYNAMIC_MINOR;
	heap->misc.name = heap->name;
	heap->misc.nodename = heap->nodename;
	heap->misc.fops = &heap_fops;

	ret = misc_register(&heap->misc);
	if (ret) {
		pr_warn("mmngrbuf: cannot register /dev/%s: %d\n",
			heap->nodename, ret);
		kfree(heap);
		return ERR_PTR(ret);
	}
	return heap;
}

/* Point a heap at a pool, or at none: no allocation from the old one after. */
static void heap_set_pool(struct mmngrbuf_heap *heap, struct mmngr_pool *pool)
{
	down_write(&heap->lock);
	heap->pool = pool;
	up_write(&heap->lock);
}

/*
 * No new opens, no allocation from the pool after this.  A real heap
 * cannot be removed: it stays, empty, in retired.
 */
static void heap_remove(struct mmngrbuf_heap *heap)
{
	if (heap->real) {
		heap_set_pool(heap, NULL);
		list_add_tail(&heap->node, &retired);
		return;
	}
	misc_deregister(&heap->misc);
	heap_set_pool(heap, NULL);
	kref_put(&heap->ref, heap_free);
}

/*
 * Whether the kernel has a heap of this name: its dma_heap class lists it.
 * Ours are misc devices, so never found here.
 */
static bool kernel_has_heap(const char *name)
{
	char path[64];
	struct path p;

	snprintf(path, sizeof(path), "/sys/class/dma_heap/%s", name);
	if (kern_path(path, 0, &p))
		return false;
	path_put(&p);
	return true;
}

/* Bring the alias nodes in line with the parameters and the pools. */
static void aliases_sync(void)
{
	struct mmngrbuf_heap *heap, *want;
	char name[48];
	int i;

	lockdep_assert_held(&heaps_lock);
	for (i = 0; i < NR_ALIASES; i++) {
		want = NULL;
		list_for_each_entry(heap, &heaps, node)
			if (alias_pool[i][0] &&
			    !strcmp(mmngr_pool_name(heap->pool), alias_pool[i]))
				want = heap;
		if (alias_heap[i] && (!want || alias_heap[i]->pool != want->pool)) {
			heap_remove(alias_heap[i]);
			alias_heap[i] = NULL;
		}
		if (alias_heap[i] || !want)
			continue;
		if (kernel_has_heap(alias_names[i])) {
			pr_info("mmngrbuf: the kernel has a %s heap; not shadowed\n",
				alias_names[i]);
			continue;
		}
		snprintf(name, sizeof(name), "mmngr-alias-%s", alias_names[i]);
		heap = heap_create(want->pool, name, alias_names[i], false);
		if (!IS_ERR(heap))
			alias_heap[i] = heap;
	}
}

static void pool_add(struct mmngr_pool_watch *w, struct mmngr_pool *pool)
{
	struct mmngrbuf_heap *heap, *old;
	char name[48];

	/* Importers cannot map memory without struct pages (no-map pools). */
	if (!mmngr_pool_has_pages(pool))
		return;
	snprintf(name, sizeof(name), "mmngr-%s", mmngr_pool_name(pool));
	mutex_lock(&heaps_lock);
	/* A real heap of that name outlived an earlier pool: it is this one's. */
	heap = NULL;
	list_for_each_entry(old, &retired, node) {
		if (!strcmp(old->name, name)) {
			list_del(&old->node);
			heap_set_pool(old, pool);
			heap = old;
			break;
		}
	}
	if (!heap)
		heap = heap_create(pool, name, name, real_heaps);
	if (!IS_ERR(heap)) {
		list_add_tail(&heap->node, &heaps);
		aliases_sync();
	}
	mutex_unlock(&heaps_lock);
}

static void pool_remove(struct mmngr_pool_watch *w, struct mmngr_pool *pool)
{
	struct mmngrbuf_heap *heap, *tmp;
	int i;

	mutex_lock(&heaps_lock);
	for (i = 0; i < NR_ALIASES; i++) {
		if (alias_heap[i] && alias_heap[i]->pool == pool) {
			heap_remove(alias_heap[i]);
			alias_heap[i] = NULL;
		}
	}
	list_for_each_entry_safe(heap, tmp, &heaps, node) {
		if (heap->pool == pool) {
			list_del(&heap->node);
			heap_remove(heap);
		}
	}
	mutex_unlock(&heaps_lock);
}

static struct mmngr_pool_watch heap_watch = {
	.add = pool_add,
	.remove = pool_remove,
};

static int alias_set(const char *val, const struct kernel_param *kp)
{
	char (*slot)[POOL_NAME_MAX] = kp->arg;
	size_t len = strcspn(val, "\n");

	if (len >= POOL_NAME_MAX)
		return -EINVAL;
	mutex_lock(&heaps_lock);
	memcpy(*slot, val, len);
	(*slot)[len] = '\0';
	aliases_sync();
	mutex_unlock(&heaps_lock);
	return 0;
}

static int alias_get(char *buffer, const struct kernel_param *kp)
{
	char (*slot)[POOL_NAME_MAX] = kp->arg;
	int ret;

	mutex_lock(&heaps_lock);
	ret = scnprintf(buffer, PAGE_SIZE, "%s\n", *slot);
	mutex_unlock(&heaps_lock);
	return ret;
}

static const struct kernel_param_ops alias_ops = {
	.set = alias_set,
	.get = alias_get,
};

module_param_cb(heap_linux_cma, &alias_ops, &alias_pool[ALIAS_CMA], 0644);
MODULE_PARM_DESC(heap_linux_cma,
		 "Pool also shown as /dev/dma_heap/linux,cma where the kernel has no heap of that name (default none)");
module_param_cb(heap_reserved, &alias_ops, &alias_pool[ALIAS_RESERVED], 0644);
MODULE_PARM_DESC(heap_reserved,
		 "Pool also shown as /dev/dma_heap/reserved where the kernel has no heap of that name (default none)");

/**
 * mmngrbuf_heaps_init() - a heap node for every pool, now and later
 */
void mmngrbuf_heaps_init(void)
{
	if (real_heaps && !MMNGR_HAVE_DMA_HEAP_ADD) {
		pr_info("mmngrbuf: real_heaps: this kernel cannot add heaps from modules; compatible nodes instead\n");
		real_heaps = false;
	}
	mmngr_pool_watch_register(&heap_watch);
}

/**
 * mmngrbuf_heaps_exit() - remove every heap node
 */
void mmngrbuf_heaps_exit(void)
{
	mmngr_pool_watch_unregister(&heap_watch);
}
