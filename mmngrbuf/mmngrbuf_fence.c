// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fences for hardware that user space drives.
 *
 * R-Car's codecs and scalers are programmed from user space (VSPM, OMX), so
 * no kernel driver knows when they are done with a buffer.  User space
 * stands in for that driver: it attaches a fence to the buffer's
 * reservation object before starting the hardware and signals it when the
 * hardware has finished, and every implicit-sync user of the buffer
 * (poll(), DMA_BUF_IOCTL_SYNC, importing drivers) waits for it meanwhile.
 *
 * A fence that user space forgets would block those users for ever, so
 * each fence has a timeout that signals it with -ETIMEDOUT, and closing the
 * file signals all of its fences with -ECANCELED.  Each fence has a context
 * of its own: user space may signal them in any order.
 */

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/workqueue.h>

#include <uapi/linux/mmngrbuf.h>

#include "mmngrbuf_drv.h"

/* Unsignalled or uncollected fences per file. */
#define MAX_FENCES	4096

static unsigned int fence_timeout_ms = 10000;
module_param(fence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fence_timeout_ms,
		 "Default time after which a user-space fence is signalled with ETIMEDOUT (ms, 1-60000)");

/**
 * struct mmngrbuf_fence - a fence user space signals
 * @base:	the fence
 * @lock:	@base's lock
 * @timeout:	signals @base with -ETIMEDOUT
 * @dmabuf:	the dma-buf whose reservation object holds @base, until the
 *		fence is retired
 */
struct mmngrbuf_fence {
	struct dma_fence base;
	spinlock_t lock;	/* dma_fence state */
	struct delayed_work timeout;
	struct dma_buf *dmabuf;
};

static const char *fence_driver_name(struct dma_fence *fence)
{
	return "mmngrbuf";
}

static const char *fence_timeline_name(struct dma_fence *fence)
{
	return "user";
}

/*
 * A fence outlives the file that made it (in reservation objects and
 * sync_files), and its ops are this module's code: each fence holds the
 * module.
 */
static void fence_release(struct dma_fence *fence)
{
	dma_fence_free(fence);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops mmngrbuf_fence_ops = {
	.get_driver_name = fence_driver_name,
	.get_timeline_name = fence_timeline_name,
	.release = fence_release,
};

static void fence_timeout(struct work_struct *work)
{
	struct mmngrbuf_fence *fence =
		container_of(work, struct mmngrbuf_fence, timeout.work);

	/* Only this work and fence_retire() signal, and it cancels us first. */
	dma_fence_set_error(&fence->base, -ETIMEDOUT);
	dma_fence_signal(&fence->base);
}

/*
 * Signal a fence taken out of a file's table, unless the timeout already
 * has, and drop the table's reference.
 */
static int fence_retire(struct mmngrbuf_fence *fence, int error)
{
	int ret = 0;

	cancel_delayed_work_sync(&fence->timeout);
	if (dma_fence_is_signaled(&fence->base)) {
		ret = -ETIMEDOUT;
	} else {
		if (error)
			dma_fence_set_error(&fence->base, error);
		dma_fence_signal(&fence->base);
	}
	dma_buf_put(fence->dmabuf);
	dma_fence_put(&fence->base);
	return ret;
}

/* Put @fence in @dmabuf's reservation object, unless a conflicting one is. */
static int fence_add(struct dma_buf *dmabuf, struct dma_fence *fence,
		     bool write)
{
	struct dma_resv *resv = dmabuf->resv;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	/* A writer excludes everyone, a reader only writers: as vgem. */
	if (!dma_resv_test_signaled(resv, dma_resv_usage_rw(write))) {
		ret = -EBUSY;
		goto unlock;
	}
	ret = dma_resv_reserve_fences(resv, 1);
	if (ret)
		goto unlock;
	dma_resv_add_fence(resv, fence,
			   write ? DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
unlock:
	dma_resv_unlock(resv);
	return ret;
}

/**
 * mmngrbuf_fence_attach() - add a user-signalled fence to a dma-buf
 * @f:		the file that will signal it
 * @fd:		the dma-buf; opened for writing for a write fence
 * @write:	a write fence, else a read fence
 * @timeout_ms:	1 to %MMNGRBUF_FENCE_TIMEOUT_MAX_MS, or 0 for the default
 * @id:		out: the fence's number in @f
 *
 * Return: 0, -EBADF if @fd is no file or not writable for a write fence,
 * -EINVAL if it is not a dma-buf or @timeout_ms is too long, -EBUSY if a
 * conflicting fence is unsignalled, -ENOSPC if @f has too many fences.
 */
int mmngrbuf_fence_attach(struct mmngrbuf_file *f, int fd, bool write,
			  unsigned int timeout_ms, u32 *id)
{
	struct mmngrbuf_fence *fence;
	struct dma_buf *dmabuf;
	int ret;

	if (timeout_ms > MMNGRBUF_FENCE_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (!timeout_ms)
		timeout_ms = clamp_val(READ_ONCE(fence_timeout_ms), 1,
				       MMNGRBUF_FENCE_TIMEOUT_MAX_MS);

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (write && !(dmabuf->file->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
		goto out_put;
	}

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence) {
		ret = -ENOMEM;
		goto out_put;
	}
	__module_get(THIS_MODULE);
	spin_lock_init(&fence->lock);
	dma_fence_init(&fence->base, &mmngrbuf_fence_ops, &fence->lock,
		       dma_fence_context_alloc(1), 1);
	INIT_DELAYED_WORK(&fence->timeout, fence_timeout);

	ret = fence_add(dmabuf, &fence->base, write);
	if (ret) {
		dma_fence_put(&fence->base);
		goto out_put;
	}
	/*
	 * Until it is retired (signalled for sure) the fence keeps our
	 * reference to the dma-buf: before 5.15 ("dma-buf: fix and rework
	 * dma_buf_poll v7") releasing a dma-buf while a poll() callback
	 * waits on one of its fences is a BUG().
	 */
	fence->dmabuf = dmabuf;

	/* The reservation object may hold it now: it must be signalled. */
	ret = xa_alloc(&f->fences, id, fence, XA_LIMIT(1, MAX_FENCES),
		       GFP_KERNEL);
	if (ret) {
		fence_retire(fence, -ECANCELED);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	schedule_delayed_work(&fence->timeout, msecs_to_jiffies(timeout_ms));
	return 0;

out_put:
	dma_buf_put(dmabuf);
	return ret;
}

/**
 * mmngrbuf_fence_sync_file() - a sync_file of one of a file's fences
 * @f:		the file
 * @id:		the fence's number
 * @file:	out: the sync_file, with a reference for the caller
 *
 * Return: 0, -ENOENT for an unknown fence, or -ENOMEM.
 */
int mmngrbuf_fence_sync_file(struct mmngrbuf_file *f, u32 id,
			     struct file **file)
{
	struct mmngrbuf_fence *fence;
	struct sync_file *sync;

	/* Under the xarray's lock, so that a concurrent signal cannot free it. */
	xa_lock(&f->fences);
	fence = xa_load(&f->fences, id);
	if (fence)
		dma_fence_get(&fence->base);
	xa_unlock(&f->fences);
	if (!fence)
		return -ENOENT;

	sync = sync_file_create(&fence->base);
	dma_fence_put(&fence->base);
	if (!sync)
		return -ENOMEM;
	*file = sync->file;
	return 0;
}

/**
 * mmngrbuf_fence_signal() - signal one of a file's fences and forget it
 * @f:		the file
 * @id:		the fence's number
 * @error:	0, or the negative errno waiters see as the fence's status
 *
 * Return: 0, -ENOENT for an unknown fence, -ETIMEDOUT if its timeout
 * signalled it already (it is forgotten either way).
 */
int mmngrbuf_fence_signal(struct mmngrbuf_file *f, u32 id, int error)
{
	struct mmngrbuf_fence *fence;

	fence = xa_erase(&f->fences, id);
	if (!fence)
		return -ENOENT;
	return fence_retire(fence, error);
}

/**
 * mmngrbuf_fences_release() - signal every fence of a closing file
 * @f:		the file
 *
 * Its fences are signalled with -ECANCELED: the work they stood for will
 * not be reported done by anyone.
 */
void mmngrbuf_fences_release(struct mmngrbuf_file *f)
{
	struct mmngrbuf_fence *fence;
	unsigned long id;

	xa_for_each(&f->fences, id, fence) {
		xa_erase(&f->fences, id);
		fence_retire(fence, -ECANCELED);
	}
	xa_destroy(&f->fences);
}
