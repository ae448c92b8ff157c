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
#include <linux/workqueue.h>

#include <mmngr_xa.h>
#include <uapi/linux/mmngrbuf.h>

#include "mmngrbuf_drv.h"

/* Unsignalled or uncollected fences per file: at most, and at first. */
#define MAX_FENCES	65536

static unsigned int file_max_fences = 4096;
module_param(file_max_fences, uint, 0644);
MODULE_PARM_DESC(file_max_fences,
		 "Fences one open /dev/rgnmmbuf may hold, signalled by their timeout or not (1-65536, default 4096)");

static unsigned int fence_timeout_ms = 10000;
module_param(fence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fence_timeout_ms,
		 "Default time after which a user-space fence is signalled with ETIMEDOUT (ms, 1-60000)");

/*
 * Timeouts run on a queue of ours: module unload destroys it, which waits
 * for a timeout that is still returning from dropping the last reference
 * to its fence (and with it the module reference the fence held).
 */
static struct workqueue_struct *fence_wq;

/**
 * struct mmngrbuf_fence - a fence user space signals
 * @base:	the fence
 * @lock:	@base's lock
 * @timeout:	signals @base with -ETIMEDOUT; holds a reference while queued
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

static struct mmngrbuf_fence *to_mmngrbuf_fence(struct dma_fence *fence)
{
	return container_of(fence, struct mmngrbuf_fence, base);
}

/*
 * Signal @fence with @error unless it is signalled already.  The timeout
 * and user space race to signal; the lock makes one of them win whole, so
 * that no error is set on a signalled fence.
 *
 * Return: true if this call signalled it.
 */
static bool fence_signal_once(struct mmngrbuf_fence *fence, int error)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&fence->lock, flags);
	first = !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->base.flags);
	if (first) {
		if (error)
			dma_fence_set_error(&fence->base, error);
		dma_fence_signal_locked(&fence->base);
	}
	spin_unlock_irqrestore(&fence->lock, flags);
	return first;
}

static void fence_timeout(struct work_struct *work)
{
	struct mmngrbuf_fence *fence =
		container_of(work, struct mmngrbuf_fence, timeout.work);

	fence_signal_once(fence, -ETIMEDOUT);
	dma_fence_put(&fence->base);	/* the queued work's reference */
}

/*
 * Signal a fence, unless its timeout already has, let go of its dma-buf
 * and drop the caller's reference.  Once for every fence: when user space
 * signals it, when its file is closed, or when its attach fails.  Does not
 * wait for a timeout that is running: it holds a reference of its own.
 */
static int fence_retire(struct mmngrbuf_fence *fence, int error)
{
	int ret;

	if (cancel_delayed_work(&fence->timeout))
		dma_fence_put(&fence->base);	/* it will not run */
	ret = fence_signal_once(fence, error) ? 0 : -ETIMEDOUT;
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
 * mmngrbuf_fence_create() - add a user-signalled fence to a dma-buf
 * @fd:		the dma-buf; opened for writing for a write fence
 * @write:	a write fence, else a read fence
 * @timeout_ms:	1 to %MMNGRBUF_FENCE_TIMEOUT_MAX_MS, or 0 for the default
 *
 * The fence is in the dma-buf's reservation object and its timeout is
 * armed, but no file knows it: the caller publishes it with
 * mmngrbuf_fence_publish() once nothing can fail any more, or drops it with
 * mmngrbuf_fence_cancel().
 *
 * Return: the fence with the caller's reference, or ERR_PTR(-EBADF) if @fd
 * is no file or not writable for a write fence, ERR_PTR(-EINVAL) if it is
 * not a dma-buf or @timeout_ms is too long, ERR_PTR(-EBUSY) if a
 * conflicting fence is unsignalled, ERR_PTR(-ENOMEM).
 */
struct dma_fence *mmngrbuf_fence_create(int fd, bool write,
					unsigned int timeout_ms)
{
	struct mmngrbuf_fence *fence;
	struct dma_buf *dmabuf;
	int ret;

	if (timeout_ms > MMNGRBUF_FENCE_TIMEOUT_MAX_MS)
		return ERR_PTR(-EINVAL);
	if (!timeout_ms)
		timeout_ms = clamp_val(READ_ONCE(fence_timeout_ms), 1,
				       MMNGRBUF_FENCE_TIMEOUT_MAX_MS);

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	if (write && !(dmabuf->file->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
		goto err_put_buf;
	}

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence) {
		ret = -ENOMEM;
		goto err_put_buf;
	}
	__module_get(THIS_MODULE);
	spin_lock_init(&fence->lock);
	dma_fence_init(&fence->base, &mmngrbuf_fence_ops, &fence->lock,
		       dma_fence_context_alloc(1), 1);
	INIT_DELAYED_WORK(&fence->timeout, fence_timeout);

	ret = fence_add(dmabuf, &fence->base, write);
	if (ret)
		goto err_put_fence;
	/*
	 * Until it is retired (signalled for sure) the fence keeps our
	 * reference to the dma-buf: before 5.15 ("dma-buf: fix and rework
	 * dma_buf_poll v7") releasing a dma-buf while a poll() callback
	 * waits on one of its fences is a BUG().
	 */
	fence->dmabuf = dmabuf;

	/* Waiters may see it now: something must signal it. */
	dma_fence_get(&fence->base);
	queue_delayed_work(fence_wq, &fence->timeout,
			   msecs_to_jiffies(timeout_ms));
	return &fence->base;

err_put_fence:
	dma_fence_put(&fence->base);
err_put_buf:
	dma_buf_put(dmabuf);
	return ERR_PTR(ret);
}

/**
 * mmngrbuf_fence_cancel() - signal a fence no file knows, and drop it
 * @fence:	from mmngrbuf_fence_create(); the caller's reference is dropped
 *
 * For an attach that failed after the fence was made: it must not hold up
 * the buffer until its timeout.
 */
void mmngrbuf_fence_cancel(struct dma_fence *fence)
{
	fence_retire(to_mmngrbuf_fence(fence), -ECANCELED);
}

/**
 * mmngrbuf_fence_reserve() - reserve a number for a fence in a file
 * @f:		the file
 * @id:		out: the number; nothing is found under it until published
 *
 * Return: 0, -ENOSPC if @f has too many fences, or -ENOMEM.
 */
int mmngrbuf_fence_reserve(struct mmngrbuf_file *f, u32 *id)
{
	u32 max = clamp_val(READ_ONCE(file_max_fences), 1, MAX_FENCES);
	int ret;

	ret = xa_alloc(&f->fences, id, NULL, XA_LIMIT(1, max), GFP_KERNEL);
	if (ret == -EBUSY) {
		atomic64_inc(&f->bdev->fences_refused);
		ret = -ENOSPC;
	}
	return ret;
}

/**
 * mmngrbuf_fence_unreserve() - give back a number that was never published
 * @f:		the file
 * @id:		from mmngrbuf_fence_reserve()
 */
void mmngrbuf_fence_unreserve(struct mmngrbuf_file *f, u32 id)
{
	xa_release(&f->fences, id);
}

/**
 * mmngrbuf_fence_publish() - enter a fence under its reserved number
 * @f:		the file
 * @id:		from mmngrbuf_fence_reserve()
 * @fence:	from mmngrbuf_fence_create(); the file takes over the
 *		caller's reference
 *
 * From here on another thread may signal and free the fence: the caller
 * must not touch it again.
 */
void mmngrbuf_fence_publish(struct mmngrbuf_file *f, u32 id,
			    struct dma_fence *fence)
{
	/* A reserved slot needs no memory: this cannot fail. */
	WARN_ON(xa_err(xa_store(&f->fences, id, to_mmngrbuf_fence(fence),
				GFP_KERNEL)));
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

	fence = mmngr_xa_take(&f->fences, id);
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

/**
 * mmngrbuf_fence_init() - set up what fences need, at module load
 *
 * Return: 0 or -ENOMEM.
 */
int mmngrbuf_fence_init(void)
{
	/*
	 * Unbound: a timeout has no CPU of its own, and since 6.17 a queue
	 * that names neither WQ_UNBOUND nor WQ_PERCPU draws a warning.
	 */
	fence_wq = alloc_workqueue("mmngrbuf_fence", WQ_UNBOUND, 0);
	return fence_wq ? 0 : -ENOMEM;
}

/**
 * mmngrbuf_fence_exit() - at module unload, once no fence is left
 *
 * Waits for a timeout that is still returning from freeing its fence.
 */
void mmngrbuf_fence_exit(void)
{
	destroy_workqueue(fence_wq);
}
