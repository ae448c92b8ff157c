// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr memory pools: what a device has, found at probe, and their
 * lifetime.  Allocation from them is mmngr_pool.c's.
 *
 * Every device has the "kernelheap" pool: the DMA API on the mmngr device,
 * which takes memory from the default CMA area (or from the page allocator,
 * up to its largest order, where the kernel has no CMA).
 *
 * The device tree adds pools through the mmngr node's memory-region list.
 * A region's role comes from memory-region-names, or failing that from the
 * region node's name ("linux,multimedia@70000000" is the multimedia pool),
 * compared whole, not as a substring:
 *
 *   multimedia  "linux,multimedia"        MM_CARVEOUT (unless omxbuf exists)
 *   omxbuf      "linux,omxbuf"            MM_CARVEOUT
 *   ssp         "linux,sspbuf"            MM_CARVEOUT_SSP
 *   lossy       "linux,lossy_decompress"  MM_CARVEOUT_LOSSY
 *
 * A reusable (CMA) region stays with the page allocator; buffers claim its
 * pages with alloc_contig_range(), in chunks (mmngr_chunk.c) that go back
 * soon after their last buffer, so the region costs the system nothing
 * while idle.  A no-map region is
 * memory Linux never touches; mmngr hands it out directly.
 *
 * Kernels with neither CMA nor a device tree (Debian's amd64 kernels) get
 * the same kind of pool from ZONE_MOVABLE: boot with movablecore=SIZE and
 * load mmngr with carveout=SIZE[@BASE].  ZONE_MOVABLE holds only movable
 * pages, so alloc_contig_range() can always empty a range of it, as CMA
 * does for its areas.
 */

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/slab.h>

#include "mmngr_drv.h"

static char *carveout;
module_param(carveout, charp, 0444);
MODULE_PARM_DESC(carveout,
		 "SIZE[@BASE] of ZONE_MOVABLE to use as the multimedia pool where the device tree has none (boot with movablecore=SIZE)");

static const char *const role_names[MMNGR_NR_ROLES] = {
	[MMNGR_ROLE_KERNELHEAP] = "kernelheap",
	[MMNGR_ROLE_MULTIMEDIA] = "multimedia",
	[MMNGR_ROLE_OMXBUF] = "omxbuf",
	[MMNGR_ROLE_SSP] = "ssp",
	[MMNGR_ROLE_LOSSY] = "lossy",
};

/* The region node names of Renesas BSP device trees, by role. */
static const char *const role_node_names[MMNGR_NR_ROLES] = {
	[MMNGR_ROLE_MULTIMEDIA] = "linux,multimedia",
	[MMNGR_ROLE_OMXBUF] = "linux,omxbuf",
	[MMNGR_ROLE_SSP] = "linux,sspbuf",
	[MMNGR_ROLE_LOSSY] = "linux,lossy_decompress",
};

static void pool_release(struct kobject *kobj)
{
	struct mmngr_pool *pool = container_of(kobj, struct mmngr_pool, kobj);

	/* A zeroed range (DMA pools, failed init) has nothing to free. */
	mmngr_range_destroy(&pool->range);
	mmngr_chunks_destroy(pool);
	mmngr_cgroup_unregister(pool);
	mmngr_quota_destroy(pool);
	mutex_destroy(&pool->chunk_lock);
	mutex_destroy(&pool->lock);
	kfree(pool);
}

static const struct kobj_type pool_ktype = {
	.release = pool_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = mmngr_pool_groups,
};

static struct mmngr_pool *pool_new(struct mmngr_device *mdev,
				   enum mmngr_role role,
				   enum mmngr_pool_kind kind)
{
	struct mmngr_pool *pool;

	if (mdev->role[role]) {
		dev_warn(mdev->dev, "second %s pool ignored\n", role_names[role]);
		return NULL;
	}
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->mdev = mdev;
	pool->role = role;
	pool->kind = kind;
	strscpy(pool->name, role_names[role], sizeof(pool->name));
	mutex_init(&pool->lock);
	mutex_init(&pool->chunk_lock);
	xa_init(&pool->users);
	kobject_init(&pool->kobj, &pool_ktype);
	return pool;
}

static void pool_add(struct mmngr_device *mdev, struct mmngr_pool *pool)
{
	mmngr_quota_init(pool);
	mmngr_cgroup_register(pool);
	pool->index = mdev->nr_pools++;
	list_add_tail(&pool->node, &mdev->pools);
	mdev->role[pool->role] = pool;
}

/* Carve-out pools must be addressable by the device without bouncing. */
static bool pool_reachable(struct mmngr_device *mdev, phys_addr_t base, u64 size)
{
	return device_iommu_mapped(mdev->dev) ||
	       base + size - 1 <= dma_get_mask(mdev->dev);
}

static int pool_add_range(struct mmngr_device *mdev, enum mmngr_role role,
			  enum mmngr_pool_kind kind, bool cma,
			  phys_addr_t base, u64 size)
{
	struct mmngr_pool *pool;
	u64 start = PAGE_ALIGN(base), end = (base + size) & PAGE_MASK;
	int ret;

	if (end <= start) {
		dev_err(mdev->dev, "%s: region too small\n", role_names[role]);
		return -EINVAL;
	}
	if (!pool_reachable(mdev, start, end - start)) {
		dev_err(mdev->dev, "%s: [%pa, +%llu MiB) is beyond the DMA mask\n",
			role_names[role], &base, size >> 20);
		return -ERANGE;
	}

	pool = pool_new(mdev, role, kind);
	if (IS_ERR_OR_NULL(pool))
		return PTR_ERR_OR_ZERO(pool);
	pool->cma = cma;
	pool->base = start;
	pool->size = end - start;
	ret = mmngr_range_init(&pool->range, start, end - start, PAGE_SIZE);
	if (!ret && kind == MMNGR_POOL_CONTIG)
		ret = mmngr_chunks_init(pool);
	if (ret) {
		kobject_put(&pool->kobj);
		return ret;
	}
	pool_add(mdev, pool);
	dev_info(mdev->dev, "pool %s: %llu MiB at %pa (%s)\n", pool->name,
		 pool->size >> 20, &pool->base,
		 kind == MMNGR_POOL_STATIC ? "no-map" :
		 cma ? "CMA, claimed in chunks" :
		 "ZONE_MOVABLE, claimed in chunks");
	return 0;
}

static enum mmngr_role role_of_region(struct device_node *np, const char *name)
{
	int r;

	for (r = MMNGR_ROLE_MULTIMEDIA; r < MMNGR_NR_ROLES; r++) {
		/* memory-region-names, else the BSP node name without @unit. */
		if (name ? !strcmp(name, role_names[r]) :
			   of_node_name_eq(np, role_node_names[r]))
			return r;
	}
	return MMNGR_NR_ROLES;
}

static int pools_from_dt(struct mmngr_device *mdev)
{
	struct device_node *dn = mdev->dev->of_node, *np;
	int i, n, ret = 0;

	n = of_count_phandle_with_args(dn, "memory-region", NULL);
	for (i = 0; i < n && !ret; i++) {
		const char *name = NULL;
		struct reserved_mem *rmem;
		enum mmngr_role role;

		np = of_parse_phandle(dn, "memory-region", i);
		if (!np)
			continue;
		of_property_read_string_index(dn, "memory-region-names", i, &name);
		role = role_of_region(np, name);
		rmem = of_reserved_mem_lookup(np);
		if (role == MMNGR_NR_ROLES) {
			dev_warn(mdev->dev, "%pOF: no known role, ignored\n", np);
		} else if (!rmem) {
			dev_warn(mdev->dev, "%pOF: not a reserved-memory region\n", np);
		} else if (of_property_read_bool(np, "reusable")) {
			/*
			 * Only CMA turns a reusable region into an area, and
			 * only a shared-dma-pool one: any other reusable
			 * region belongs to the driver of its compatible.
			 */
			if (!of_device_is_compatible(np, "shared-dma-pool"))
				dev_warn(mdev->dev, "%pOF: reusable but not a shared-dma-pool, ignored\n",
					 np);
			else if (IS_ENABLED(CONFIG_CMA))
				ret = pool_add_range(mdev, role, MMNGR_POOL_CONTIG,
						     true, rmem->base, rmem->size);
			else
				dev_warn(mdev->dev, "%pOF: reusable, but no CMA\n", np);
		} else if (of_property_read_bool(np, "no-map")) {
			ret = pool_add_range(mdev, role, MMNGR_POOL_STATIC,
					     false, rmem->base, rmem->size);
		} else {
			/*
			 * Neither: the kernel allocated it at boot and may
			 * use it; not ours to hand out.
			 */
			dev_warn(mdev->dev, "%pOF: neither reusable nor no-map, ignored\n",
				 np);
		}
		of_node_put(np);
	}
	return ret;
}

/*
 * A pageblock the page allocator manages and can always empty: RAM in
 * ZONE_MOVABLE, without pages reserved at boot (memblock allocations made
 * before the zones existed land in ZONE_MOVABLE too, and never move).
 */
static bool pageblock_claimable(unsigned long pfn)
{
	unsigned long i;

	for (i = 0; i < pageblock_nr_pages; i++) {
		if (!pfn_valid(pfn + i) || !page_is_ram(pfn + i))
			return false;
		if (!is_zone_movable_page(pfn_to_page(pfn + i)) ||
		    PageReserved(pfn_to_page(pfn + i)))
			return false;
	}
	/* And its pages can move now: not all ZONE_MOVABLE pages can. */
	return mmngr_contig_claimable(pfn, pageblock_nr_pages);
}

/* carveout=SIZE[@BASE]: a multimedia pool in ZONE_MOVABLE. */
static int pool_from_param(struct mmngr_device *mdev)
{
	unsigned long long size, base = 0;
	unsigned long start, end, limit, nr, pfn;
	char *p = carveout;
	bool found;

	size = memparse(p, &p);
	if (*p == '@')
		base = memparse(p + 1, &p);
	if (*p || !size || !PAGE_ALIGNED(size) || !PAGE_ALIGNED(base)) {
		dev_err(mdev->dev, "carveout=%s: want SIZE[@BASE], page-aligned\n",
			carveout);
		return -EINVAL;
	}
	nr = size >> PAGE_SHIFT;

	if (base) {
		start = PHYS_PFN(base);
		end = start + nr;
		for (pfn = ALIGN_DOWN(start, pageblock_nr_pages); pfn < end;
		     pfn += pageblock_nr_pages)
			if (!pageblock_claimable(pfn))
				break;
		found = pfn >= end;
	} else {
		/*
		 * The highest run of claimable pageblocks that is large enough
		 * and that the device can reach, scanned downwards.
		 */
		limit = min_t(u64, PHYS_PFN(dma_get_mask(mdev->dev)) + 1, ULONG_MAX);
		end = ALIGN_DOWN(limit, pageblock_nr_pages);
		for (pfn = end; pfn >= pageblock_nr_pages && end - pfn < nr;
		     pfn -= pageblock_nr_pages) {
			if (!pageblock_claimable(pfn - pageblock_nr_pages))
				end = pfn - pageblock_nr_pages;
		}
		found = end - pfn >= nr;
		start = end - nr;
	}
	if (!found) {
		dev_err(mdev->dev, "carveout=%s: no %llu MiB of ZONE_MOVABLE free of boot-time reservations; boot with a larger movablecore=\n",
			carveout, size >> 20);
		return -EINVAL;
	}
	return pool_add_range(mdev, MMNGR_ROLE_MULTIMEDIA, MMNGR_POOL_CONTIG,
			      false, PFN_PHYS(start), size);
}

static void pools_destroy(void *data)
{
	struct mmngr_device *mdev = data;
	struct mmngr_pool *pool, *tmp;

	list_for_each_entry_safe(pool, tmp, &mdev->pools, node) {
		/* Every holder pins the module, so nothing is left. */
		WARN_ON(pool->nr_buffers);
		mmngr_chunks_shutdown(pool);
		list_del(&pool->node);
		kobject_put(&pool->kobj);
	}
}

/**
 * mmngr_pools_init() - discover the device's pools
 * @mdev: the device
 *
 * Return: 0 or a negative errno.  The pools go away with the device.
 */
int mmngr_pools_init(struct mmngr_device *mdev)
{
	struct mmngr_pool *pool;
	int ret;

	INIT_LIST_HEAD(&mdev->pools);
	ret = devm_add_action(mdev->dev, pools_destroy, mdev);
	if (ret)
		return ret;

	pool = pool_new(mdev, MMNGR_ROLE_KERNELHEAP, MMNGR_POOL_DMA);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	pool_add(mdev, pool);

	if (mdev->dev->of_node) {
		ret = pools_from_dt(mdev);
		if (ret)
			return ret;
	}
	if (carveout) {
		ret = pool_from_param(mdev);
		if (ret)
			return ret;
	}
	return 0;
}
