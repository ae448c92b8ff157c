// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup accounting of pool memory: the device-memory ("dmem") controller.
 *
 * Each pool is a dmem region named "mmngr/<pool>", its capacity the pool's
 * size (for the kernelheap pool, which has none of its own, all RAM).  A
 * buffer is charged to the allocating task's cgroup for its whole life,
 * like the per-user limits of mmngr_quota.c, and an allocation that would
 * take a cgroup over its dmem.max is refused with -EDQUOT.  So an
 * administrator can bound, per service or per container, what one pool
 * may give, with the same files as for GPU memory:
 *
 *   echo "mmngr/multimedia 64M" > /sys/fs/cgroup/camera.slice/dmem.max
 *
 * The dmem controller came with 6.14 and needs CONFIG_CGROUP_DMEM; on
 * kernels without it (mmngr_kcompat.h) nothing is registered or charged.
 * The memory is not charged to the memory controller: CMA and carve-out
 * pages are not the page allocator's to account, and modules cannot
 * charge pages to a memcg.
 */

#include <linux/mm.h>

#include <mmngr_kcompat.h>

#include "mmngr_drv.h"

/**
 * mmngr_cgroup_register() - make a pool a dmem cgroup region
 * @pool:	a pool whose size is known (0 for the kernelheap pool)
 *
 * A pool without a region (no dmem controller, or registration failed) is
 * simply not accounted: cgroup accounting is never a reason to lose a pool.
 */
void mmngr_cgroup_register(struct mmngr_pool *pool)
{
	struct dmem_cgroup_region *region;
	char name[40];

	snprintf(name, sizeof(name), "mmngr/%s", pool->name);
	region = mmngr_dmem_register(mmngr_pool_capacity(pool), name);
	if (IS_ERR(region)) {
		dev_warn(pool->mdev->dev, "%s: no dmem cgroup region: %pe\n",
			 pool->name, region);
		region = NULL;
	}
	pool->dmem = region;
}

/**
 * mmngr_cgroup_unregister() - the pool is going
 * @pool:	the pool
 *
 * Charges still held (there are none once the pool's buffers are gone)
 * would keep the region's accounting alive until they are uncharged.
 */
void mmngr_cgroup_unregister(struct mmngr_pool *pool)
{
	if (pool->dmem)
		dmem_cgroup_unregister_region(pool->dmem);
	pool->dmem = NULL;
}

/**
 * mmngr_cgroup_charge() - charge a new buffer to the current task's cgroup
 * @buf:	the buffer, with its pool and @charged set
 *
 * The charge is the size asked for (@charged), not what the pool rounds
 * it up to later for alignment, and is given back in the same amount.
 * The caller has refused requests beyond the region's capacity with
 * -ENOMEM: the root cgroup's counter is capped at it, and such a request
 * is a lack of memory, not of quota.
 *
 * Return: 0, -EDQUOT if a cgroup's dmem.max for the pool would be
 * exceeded, or -ENOMEM.
 */
int mmngr_cgroup_charge(struct mmngr_buffer *buf)
{
	struct mmngr_pool *pool = buf->pool;
	int ret;

	if (!pool->dmem)
		return 0;
	/* No limiting cgroup asked for: nothing here can be evicted for it. */
	ret = dmem_cgroup_try_charge(pool->dmem, buf->charged, &buf->dmem, NULL);
	if (ret == -EAGAIN) {
		mutex_lock(&pool->lock);
		pool->cgroup_refused++;
		mutex_unlock(&pool->lock);
		ret = -EDQUOT;
	}
	return ret;
}

/**
 * mmngr_cgroup_uncharge() - a buffer charged with mmngr_cgroup_charge() is
 *			     gone
 * @buf:	the buffer
 */
void mmngr_cgroup_uncharge(struct mmngr_buffer *buf)
{
	if (buf->dmem)
		dmem_cgroup_uncharge(buf->dmem, buf->charged);
	buf->dmem = NULL;
}
