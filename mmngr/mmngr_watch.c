// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pools for other modules: mmngrbuf gives each pool a dma-buf heap node,
 * so it must learn of every pool while it lives, including those of a
 * device that binds after mmngrbuf loaded (a device-tree node probed late),
 * and must let go of a pool before the pool is freed.
 *
 * A device's pools are published here once it is fully probed and taken
 * back first when it is unbound; watchers are told of both under one lock,
 * so a watcher never sees a pool twice, or after it went.
 */

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include <linux/mmngr.h>

#include "mmngr_drv.h"

static DEFINE_MUTEX(watch_lock);	/* watchers, devices */
static LIST_HEAD(watchers);
static LIST_HEAD(devices);

static void tell_add(struct mmngr_pool_watch *w, struct mmngr_device *mdev)
{
	struct mmngr_pool *pool;

	list_for_each_entry(pool, &mdev->pools, node)
		w->add(w, pool);
}

static void tell_remove(struct mmngr_pool_watch *w, struct mmngr_device *mdev)
{
	struct mmngr_pool *pool;

	list_for_each_entry_reverse(pool, &mdev->pools, node)
		w->remove(w, pool);
}

static void device_unpublish(void *data)
{
	struct mmngr_device *mdev = data;
	struct mmngr_pool_watch *w;

	mutex_lock(&watch_lock);
	list_del(&mdev->watch_node);
	list_for_each_entry(w, &watchers, node)
		tell_remove(w, mdev);
	mutex_unlock(&watch_lock);
}

/**
 * mmngr_watch_publish() - tell watchers of a fully probed device's pools
 * @mdev: the device
 *
 * They are taken back before the pools go when the device is unbound.
 *
 * Return: 0 or a negative errno.
 */
int mmngr_watch_publish(struct mmngr_device *mdev)
{
	struct mmngr_pool_watch *w;

	mutex_lock(&watch_lock);
	list_add_tail(&mdev->watch_node, &devices);
	list_for_each_entry(w, &watchers, node)
		tell_add(w, mdev);
	mutex_unlock(&watch_lock);
	return devm_add_action_or_reset(mdev->dev, device_unpublish, mdev);
}

/**
 * mmngr_pool_watch_register() - be told of pools as they come and go
 * @w:	add() and remove(), which are called with a lock held that
 *	serialises them and may sleep
 *
 * add() is called at once for every pool there is, and later for the
 * pools of devices that bind; remove() before a pool goes, and for every
 * pool still there at mmngr_pool_watch_unregister().  A pool stays valid
 * from add() until remove() returns.
 */
void mmngr_pool_watch_register(struct mmngr_pool_watch *w)
{
	struct mmngr_device *mdev;

	mutex_lock(&watch_lock);
	list_add_tail(&w->node, &watchers);
	list_for_each_entry(mdev, &devices, watch_node)
		tell_add(w, mdev);
	mutex_unlock(&watch_lock);
}
EXPORT_SYMBOL_GPL(mmngr_pool_watch_register);

/**
 * mmngr_pool_watch_unregister() - stop being told of pools
 * @w:	a registered watcher; remove() is called for every pool it has
 */
void mmngr_pool_watch_unregister(struct mmngr_pool_watch *w)
{
	struct mmngr_device *mdev;

	mutex_lock(&watch_lock);
	list_for_each_entry_reverse(mdev, &devices, watch_node)
		tell_remove(w, mdev);
	list_del(&w->node);
	mutex_unlock(&watch_lock);
}
EXPORT_SYMBOL_GPL(mmngr_pool_watch_unregister);

/**
 * mmngr_pool_name() - a pool's name
 * @pool: a pool between its watcher's add() and remove()
 *
 * Return: "kernelheap", "multimedia", ...: unique on its device.
 */
const char *mmngr_pool_name(const struct mmngr_pool *pool)
{
	return pool->name;
}
EXPORT_SYMBOL_GPL(mmngr_pool_name);

/**
 * mmngr_pool_alloc_buffer() - a new buffer for the current process
 * @pool:	a pool between its watcher's add() and remove()
 * @size:	bytes, rounded up to pages
 * @caching:	MMNGR_CACHING_* of CPU mappings
 *
 * As MMNGR_IOCTL_ALLOC: zeroed, charged to the calling user, listed in
 * debugfs under the calling process.  May sleep.
 *
 * Return: the buffer with the caller's reference, ERR_PTR(-EINVAL) for a
 * bad @caching or @size 0, ERR_PTR(-ENOMEM) for more than the pool can
 * ever hold (the kernelheap pool: the RAM) or has free, ERR_PTR(-EDQUOT)
 * over the user's limits.
 */
struct mmngr_buffer *mmngr_pool_alloc_buffer(struct mmngr_pool *pool,
					     u64 size, u32 caching)
{
	u64 most = pool->size ?: (u64)totalram_pages() << PAGE_SHIFT;

	if (!size || caching >= MMNGR_NR_CACHING)
		return ERR_PTR(-EINVAL);
	if (size > most)
		return ERR_PTR(-ENOMEM);
	return mmngr_buffer_create(pool, size, 0, caching);
}
EXPORT_SYMBOL_GPL(mmngr_pool_alloc_buffer);
