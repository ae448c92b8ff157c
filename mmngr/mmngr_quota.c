// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-user limits on each pool.
 *
 * Whoever may open the device nodes could otherwise take a whole CMA area,
 * carve-out or the DMA zone, and keep it.  Each pool therefore counts, per
 * effective user, the bytes and buffers that user's allocations hold, and
 * refuses with -EDQUOT an allocation that would go over the pool's limits.
 * Users with CAP_SYS_RESOURCE are counted but not refused, as with
 * rlimits.  The limits are per pool in sysfs (user_max_bytes,
 * user_max_buffers) and start from the module parameters below.
 *
 * A buffer is charged to the user that allocated it for its whole life,
 * whoever holds it later (a dma-buf passed to another process, a mapping
 * inherited by a child): the allocator chose to create it.
 */

#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "mmngr_drv.h"

static unsigned int user_limit_pct = 75;
module_param(user_limit_pct, uint, 0444);
MODULE_PARM_DESC(user_limit_pct,
		 "Share of each pool, in percent, one user without CAP_SYS_RESOURCE may hold at first (kernelheap: of a quarter of RAM); pools/<name>/user_max_bytes changes it (default 75)");

static unsigned int user_max_buffers = 16384;
module_param(user_max_buffers, uint, 0444);
MODULE_PARM_DESC(user_max_buffers,
		 "Buffers of each pool one user without CAP_SYS_RESOURCE may hold at first; pools/<name>/user_max_buffers changes it (default 16384)");

/**
 * struct mmngr_quota_user - what one user holds of a pool
 * @bytes:	bytes charged
 * @buffers:	buffers charged
 */
struct mmngr_quota_user {
	u64 bytes;
	unsigned int buffers;
};

/**
 * mmngr_quota_init() - set a pool's limits from the module parameters
 * @pool:	a pool whose size is known (0 for the kernelheap pool)
 */
void mmngr_quota_init(struct mmngr_pool *pool)
{
	u64 ref = pool->size ?: (u64)totalram_pages() << PAGE_SHIFT >> 2;

	pool->user_max_bytes = div_u64(ref * min(user_limit_pct, 100U), 100);
	pool->user_max_buffers = user_max_buffers;
}

/**
 * mmngr_quota_destroy() - free a pool's accounting
 * @pool:	a pool with no buffers left
 */
void mmngr_quota_destroy(struct mmngr_pool *pool)
{
	struct mmngr_quota_user *u;
	unsigned long uid;

	/* Only a failed probe or a leak leaves entries: free them anyway. */
	xa_for_each(&pool->users, uid, u)
		kfree(u);
	xa_destroy(&pool->users);
}

/**
 * mmngr_quota_charge() - charge a new buffer to its user
 * @pool:	the pool it comes from
 * @uid:	the allocating user
 * @bytes:	its size
 *
 * Return: 0, -EDQUOT if the user would hold more of @pool than its limits
 * allow, or -ENOMEM.
 */
int mmngr_quota_charge(struct mmngr_pool *pool, kuid_t uid, u64 bytes)
{
	unsigned long index = from_kuid(&init_user_ns, uid);
	struct mmngr_quota_user *u;
	bool exempt;
	int ret = 0;

	/* Outside the lock: capable() may audit. */
	exempt = capable(CAP_SYS_RESOURCE);
	mutex_lock(&pool->lock);
	u = xa_load(&pool->users, index);
	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u) {
			ret = -ENOMEM;
			goto unlock;
		}
		ret = xa_err(xa_store(&pool->users, index, u, GFP_KERNEL));
		if (ret) {
			kfree(u);
			goto unlock;
		}
	}
	if (!exempt && (u->buffers >= pool->user_max_buffers ||
			bytes > pool->user_max_bytes ||
			u->bytes > pool->user_max_bytes - bytes)) {
		pool->quota_refused++;
		ret = -EDQUOT;
		if (!u->buffers) {
			xa_erase(&pool->users, index);
			kfree(u);
		}
		goto unlock;
	}
	u->bytes += bytes;
	u->buffers++;
unlock:
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * mmngr_quota_uncharge() - a buffer charged with mmngr_quota_charge() is gone
 * @pool:	its pool
 * @uid:	the user it was charged to
 * @bytes:	the size it was charged with
 */
void mmngr_quota_uncharge(struct mmngr_pool *pool, kuid_t uid, u64 bytes)
{
	unsigned long index = from_kuid(&init_user_ns, uid);
	struct mmngr_quota_user *u;

	mutex_lock(&pool->lock);
	u = xa_load(&pool->users, index);
	if (!WARN_ON(!u || u->bytes < bytes || !u->buffers)) {
		u->bytes -= bytes;
		if (!--u->buffers) {
			xa_erase(&pool->users, index);
			kfree(u);
		}
	}
	mutex_unlock(&pool->lock);
}
