// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-pool statistics in sysfs, one value per file:
 *
 *   /sys/bus/platform/devices/<mmngr>/pools/<name>/
 *     kind          dma | cma | movable | no-map
 *     size          bytes (0 for the kernelheap pool: not known to modules)
 *     used          bytes in live buffers
 *     free          bytes (size - used)
 *     largest_free  the largest buffer that fits now (0 where unknown)
 *     buffers       live buffers
 *     failed        allocations refused for lack of memory
 *     claimed       bytes taken from the page allocator (cma, movable:
 *                   the chunks live buffers are in, and idle ones not yet
 *                   given back; 0 for the others)
 *
 * and the per-user limits (mmngr_quota.c), which root may change:
 *
 *     user_max_bytes    bytes one user without CAP_SYS_RESOURCE may hold
 *     user_max_buffers  buffers one such user may hold
 *     quota_refused     allocations refused for those limits (EDQUOT)
 *     cgroup_refused    allocations refused for a cgroup's dmem.max (EDQUOT)
 */

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/sysfs.h>

#include "mmngr_drv.h"

#define to_pool(k) container_of(k, struct mmngr_pool, kobj)

static ssize_t kind_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct mmngr_pool *pool = to_pool(kobj);
	const char *kind = "no-map";

	if (pool->kind == MMNGR_POOL_DMA)
		kind = "dma";
	else if (pool->kind == MMNGR_POOL_CONTIG)
		kind = pool->cma ? "cma" : "movable";
	return sysfs_emit(buf, "%s\n", kind);
}

static ssize_t size_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pool(kobj)->size);
}

/* One snapshot of the counters, under the pool's lock. */
static ssize_t stat_show(struct kobject *kobj, char *buf, int which)
{
	struct mmngr_pool *pool = to_pool(kobj);
	u64 v[4];

	mutex_lock(&pool->lock);
	v[0] = pool->used;
	v[1] = pool->size ? pool->size - pool->used : 0;
	v[2] = pool->nr_buffers;
	v[3] = pool->failed;
	mutex_unlock(&pool->lock);
	return sysfs_emit(buf, "%llu\n", v[which]);
}

static ssize_t used_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return stat_show(kobj, buf, 0);
}

static ssize_t free_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return stat_show(kobj, buf, 1);
}

static ssize_t buffers_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return stat_show(kobj, buf, 2);
}

static ssize_t failed_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return stat_show(kobj, buf, 3);
}

static ssize_t largest_free_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mmngr_pool_largest_free(to_pool(kobj)));
}

static ssize_t claimed_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct mmngr_pool *pool = to_pool(kobj);
	u64 v;

	mutex_lock(&pool->chunk_lock);
	v = pool->claimed;
	mutex_unlock(&pool->chunk_lock);
	return sysfs_emit(buf, "%llu\n", v);
}

/* One value under the pool's lock. */
static ssize_t quota_show(struct kobject *kobj, char *buf, int which)
{
	struct mmngr_pool *pool = to_pool(kobj);
	u64 v[4];

	mutex_lock(&pool->lock);
	v[0] = pool->user_max_bytes;
	v[1] = pool->user_max_buffers;
	v[2] = pool->quota_refused;
	v[3] = pool->cgroup_refused;
	mutex_unlock(&pool->lock);
	return sysfs_emit(buf, "%llu\n", v[which]);
}

static ssize_t user_max_bytes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return quota_show(kobj, buf, 0);
}

static ssize_t user_max_bytes_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct mmngr_pool *pool = to_pool(kobj);
	u64 v;
	int ret;

	ret = kstrtou64(buf, 0, &v);
	if (ret)
		return ret;
	/* Buffers already held stay; new ones count against the new limit. */
	mutex_lock(&pool->lock);
	pool->user_max_bytes = v;
	mutex_unlock(&pool->lock);
	return count;
}

static ssize_t user_max_buffers_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return quota_show(kobj, buf, 1);
}

static ssize_t user_max_buffers_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	struct mmngr_pool *pool = to_pool(kobj);
	unsigned int v;
	int ret;

	ret = kstrtouint(buf, 0, &v);
	if (ret)
		return ret;
	mutex_lock(&pool->lock);
	pool->user_max_buffers = v;
	mutex_unlock(&pool->lock);
	return count;
}

static ssize_t quota_refused_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return quota_show(kobj, buf, 2);
}

static ssize_t cgroup_refused_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return quota_show(kobj, buf, 3);
}

static struct kobj_attribute kind_attr = __ATTR_RO(kind);
static struct kobj_attribute size_attr = __ATTR_RO(size);
static struct kobj_attribute used_attr = __ATTR_RO(used);
static struct kobj_attribute free_attr = __ATTR_RO(free);
static struct kobj_attribute largest_free_attr = __ATTR_RO(largest_free);
static struct kobj_attribute buffers_attr = __ATTR_RO(buffers);
static struct kobj_attribute failed_attr = __ATTR_RO(failed);
static struct kobj_attribute claimed_attr = __ATTR_RO(claimed);
static struct kobj_attribute user_max_bytes_attr = __ATTR_RW(user_max_bytes);
static struct kobj_attribute user_max_buffers_attr = __ATTR_RW(user_max_buffers);
static struct kobj_attribute quota_refused_attr = __ATTR_RO(quota_refused);
static struct kobj_attribute cgroup_refused_attr = __ATTR_RO(cgroup_refused);

static struct attribute *pool_attrs[] = {
	&kind_attr.attr,
	&size_attr.attr,
	&used_attr.attr,
	&free_attr.attr,
	&largest_free_attr.attr,
	&buffers_attr.attr,
	&failed_attr.attr,
	&claimed_attr.attr,
	&user_max_bytes_attr.attr,
	&user_max_buffers_attr.attr,
	&quota_refused_attr.attr,
	&cgroup_refused_attr.attr,
	NULL
};

static const struct attribute_group pool_group = {
	.attrs = pool_attrs,
};

const struct attribute_group *mmngr_pool_groups[] = {
	&pool_group,
	NULL
};

static void sysfs_remove(void *data)
{
	struct mmngr_device *mdev = data;
	struct mmngr_pool *pool;

	list_for_each_entry(pool, &mdev->pools, node)
		if (pool->kobj.state_in_sysfs)
			kobject_del(&pool->kobj);
	kobject_put(mdev->pools_kobj);
}

/**
 * mmngr_sysfs_init() - publish the pools under the device
 * @mdev: the device, with its pools discovered
 *
 * Return: 0 or a negative errno.
 */
int mmngr_sysfs_init(struct mmngr_device *mdev)
{
	struct mmngr_pool *pool;
	int ret;

	mdev->pools_kobj = kobject_create_and_add("pools", &mdev->dev->kobj);
	if (!mdev->pools_kobj)
		return -ENOMEM;
	ret = devm_add_action_or_reset(mdev->dev, sysfs_remove, mdev);
	if (ret)
		return ret;

	list_for_each_entry(pool, &mdev->pools, node) {
		ret = kobject_add(&pool->kobj, mdev->pools_kobj, "%s", pool->name);
		if (ret)
			return ret;
		/* Tell udev, as a device's attributes would. */
		kobject_uevent(&pool->kobj, KOBJ_ADD);
	}
	return 0;
}
