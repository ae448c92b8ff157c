/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API changes between the kernels mmngr supports (5.10 to 7.x): one
 * shim per change, here and nowhere else, so that the driver reads as code
 * for the current kernel.  Each names the first kernel with the change and
 * the upstream commit that made it.
 */
#ifndef _MMNGR_KCOMPAT_H
#define _MMNGR_KCOMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/swiotlb.h>
#include <linux/version.h>

/*
 * 5.13, "mm: honor PF_MEMALLOC_PIN for all movable pages" added
 * is_zone_movable_page().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 13, 0)
static inline bool is_zone_movable_page(const struct page *page)
{
	return page_zonenum(page) == ZONE_MOVABLE;
}
#endif

/* 5.14, "mm: add vma_lookup()": the VMA that contains an address. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0)
static inline struct vm_area_struct *vma_lookup(struct mm_struct *mm,
						unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && addr >= vma->vm_start ? vma : NULL;
}
#endif

/*
 * 5.14, "dma-buf: drop the _rcu postfix on function names v3": the
 * reservation object's lockless waits lost their _rcu suffix.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0)
#define dma_resv_test_signaled	dma_resv_test_signaled_rcu
#define dma_resv_wait_timeout	dma_resv_wait_timeout_rcu
#endif

/*
 * 6.14, "kernel/cgroup: Add "dmem" memory accounting cgroup": the
 * device-memory controller.  Before it, as without CONFIG_CGROUP_DMEM,
 * no region is registered and nothing is charged.  Later, "cgroup/dmem:
 * Introduce struct dmem_cgroup_init for region initialization" (7.x; in
 * Debian's 7.3) made the region's size a field of a structure: the release
 * is not known here, so mmngr/Kbuild asks the kernel's header and defines
 * MMNGR_DMEM_CGROUP_INIT.  mmngr_dmem_register() registers either way.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#include <linux/cgroup_dmem.h>

static inline struct dmem_cgroup_region *mmngr_dmem_register(u64 size,
							     const char *name)
{
#ifdef MMNGR_DMEM_CGROUP_INIT
	struct dmem_cgroup_init init = { .size = size };

	return dmem_cgroup_register_region(&init, "%s", name);
#else
	return dmem_cgroup_register_region(size, "%s", name);
#endif
}
#else
struct dmem_cgroup_region;
struct dmem_cgroup_pool_state;

static inline struct dmem_cgroup_region *mmngr_dmem_register(u64 size,
							     const char *name)
{
	return NULL;
}

static inline void
dmem_cgroup_unregister_region(struct dmem_cgroup_region *region)
{
}

static inline int
dmem_cgroup_try_charge(struct dmem_cgroup_region *region, u64 size,
		       struct dmem_cgroup_pool_state **ret_pool,
		       struct dmem_cgroup_pool_state **ret_limit_pool)
{
	*ret_pool = NULL;
	return 0;
}

static inline void dmem_cgroup_uncharge(struct dmem_cgroup_pool_state *pool,
					u64 size)
{
}
#endif

/*
 * Shrinkers: 6.7, "mm: shrinker: add infrastructure for dynamically
 * allocating shrinker", made them objects the core allocates
 * (shrinker_alloc(), shrinker_register(), shrinker_free()) with a
 * private_data pointer; 6.0, "mm: shrinkers: provide shrinkers with
 * names", gave register_shrinker() a name.  mmngr_shrinker_create() and
 * mmngr_shrinker_destroy() are the 6.7 life cycle on every kernel.
 */
#include <linux/shrinker.h>
#include <linux/slab.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *
mmngr_shrinker_create(const char *name, void *priv,
		      unsigned long (*count)(struct shrinker *,
					     struct shrink_control *),
		      unsigned long (*scan)(struct shrinker *,
					    struct shrink_control *))
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = priv;
	shrinker_register(s);
	return s;
}

static inline void mmngr_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}

static inline void *mmngr_shrinker_priv(struct shrinker *s)
{
	return s->private_data;
}
#else
struct mmngr_shrinker {
	struct shrinker s;
	void *priv;
};

static inline struct shrinker *
mmngr_shrinker_create(const char *name, void *priv,
		      unsigned long (*count)(struct shrinker *,
					     struct shrink_control *),
		      unsigned long (*scan)(struct shrinker *,
					    struct shrink_control *))
{
	struct mmngr_shrinker *m = kzalloc(sizeof(*m), GFP_KERNEL);
	int ret;

	if (!m)
		return NULL;
	m->s.count_objects = count;
	m->s.scan_objects = scan;
	m->s.seeks = DEFAULT_SEEKS;
	m->priv = priv;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
	ret = register_shrinker(&m->s, "%s", name);
#else
	ret = register_shrinker(&m->s);
#endif
	if (ret) {
		kfree(m);
		return NULL;
	}
	return &m->s;
}

static inline void mmngr_shrinker_destroy(struct shrinker *s)
{
	if (!s)
		return;
	unregister_shrinker(s);
	kfree(container_of(s, struct mmngr_shrinker, s));
}

static inline void *mmngr_shrinker_priv(struct shrinker *s)
{
	return container_of(s, struct mmngr_shrinker, s)->priv;
}
#endif

/**
 * mmngr_dma_is_bounce() - is a streaming DMA address a swiotlb bounce slot?
 * @dev:	the device the address was mapped for (without an IOMMU)
 * @addr:	an address from dma_map_*() for @dev
 *
 * 5.15, "swiotlb: Update is_swiotlb_buffer to add a struct device
 * argument", made the device's bounce pool visible to modules; 6.12,
 * "swiotlb: reduce swiotlb pool lookups", replaced is_swiotlb_buffer() by
 * swiotlb_find_pool().  A pool that grows at run time
 * (CONFIG_SWIOTLB_DYNAMIC) is looked up by a function modules cannot call,
 * and before 5.15 the pool's bounds were not exported: there, only on a
 * DMA-coherent device can a bounce be told (a streaming mapping of such a
 * device needs syncing only when it bounces); on the others it is not seen.
 *
 * Return: true if @addr is known to point into a bounce buffer.
 */
static inline bool mmngr_dma_is_bounce(struct device *dev, dma_addr_t addr)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && !IS_ENABLED(CONFIG_SWIOTLB_DYNAMIC)
	return !!swiotlb_find_pool(dev, dma_to_phys(dev, addr));
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(5, 15, 0) && !IS_ENABLED(CONFIG_SWIOTLB_DYNAMIC)
	return is_swiotlb_buffer(dev, dma_to_phys(dev, addr));
#else
	return dev_is_dma_coherent(dev) && dma_need_sync(dev, addr);
#endif
}

/*
 * 5.17, "driver core: make kobj_type constant.": kobject_init() took a
 * writable kobj_type; ours is const and never written.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define kobject_init(kobj, ktype) \
	kobject_init(kobj, (struct kobj_type *)(ktype))
#endif

/*
 * 5.18, "dma-buf-map: Rename to iosys-map"; the structure itself came with
 * 5.11, "dma-buf: Use struct dma_buf_map in dma_buf_vmap() interfaces".
 * Before that .vmap returned the address and .vunmap took it:
 * MMNGR_DEFINE_DMA_BUF_VMAP() wraps the newer callbacks for those kernels
 * and MMNGR_DMA_BUF_VMAP_OPS() puts the right pair in struct dma_buf_ops.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
#include <linux/iosys-map.h>
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#include <linux/dma-buf-map.h>
#define iosys_map		dma_buf_map
#define iosys_map_set_vaddr	dma_buf_map_set_vaddr
#define iosys_map_clear		dma_buf_map_clear
#else
struct iosys_map {
	void *vaddr;
	bool is_iomem;
};

static inline void iosys_map_set_vaddr(struct iosys_map *map, void *vaddr)
{
	map->vaddr = vaddr;
	map->is_iomem = false;
}

static inline void iosys_map_clear(struct iosys_map *map)
{
	map->vaddr = NULL;
	map->is_iomem = false;
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define MMNGR_DEFINE_DMA_BUF_VMAP(vmap_fn, vunmap_fn)
#define MMNGR_DMA_BUF_VMAP_OPS(vmap_fn, vunmap_fn) \
	.vmap = vmap_fn, .vunmap = vunmap_fn
#else
#define MMNGR_DEFINE_DMA_BUF_VMAP(vmap_fn, vunmap_fn)			\
static void *vmap_fn##_compat(struct dma_buf *dmabuf)			\
{									\
	struct iosys_map map;						\
									\
	return vmap_fn(dmabuf, &map) ? NULL : map.vaddr;		\
}									\
static void vunmap_fn##_compat(struct dma_buf *dmabuf, void *vaddr)	\
{									\
	struct iosys_map map = { .vaddr = vaddr };			\
									\
	vunmap_fn(dmabuf, &map);					\
}

#define MMNGR_DMA_BUF_VMAP_OPS(vmap_fn, vunmap_fn) \
	.vmap = vmap_fn##_compat, .vunmap = vunmap_fn##_compat
#endif

/*
 * 5.19, "dma-buf: add enum dma_resv_usage v4" and "dma-buf: specify usage
 * while adding fences to dma_resv obj v7": fences are added and waited for
 * by usage.  Before, a writer's fence was the one exclusive fence and
 * readers' fences were shared; waiting for "all" meant both.  Writers here
 * only add their fence once every other fence has signalled, so replacing
 * the shared ones with it (what the exclusive slot does) loses nothing.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 19, 0)
enum dma_resv_usage {
	DMA_RESV_USAGE_KERNEL,
	DMA_RESV_USAGE_WRITE,
	DMA_RESV_USAGE_READ,
	DMA_RESV_USAGE_BOOKKEEP,
};

/* New writers wait for readers and writers, new readers for writers. */
static inline enum dma_resv_usage dma_resv_usage_rw(bool write)
{
	return write ? DMA_RESV_USAGE_READ : DMA_RESV_USAGE_WRITE;
}

static inline bool mmngr_dma_resv_test_signaled(struct dma_resv *obj,
						enum dma_resv_usage usage)
{
	return dma_resv_test_signaled(obj, usage >= DMA_RESV_USAGE_READ);
}

static inline long mmngr_dma_resv_wait_timeout(struct dma_resv *obj,
					       enum dma_resv_usage usage,
					       bool intr, unsigned long timeout)
{
	return dma_resv_wait_timeout(obj, usage >= DMA_RESV_USAGE_READ, intr,
				     timeout);
}

#undef dma_resv_test_signaled
#undef dma_resv_wait_timeout
#define dma_resv_test_signaled	mmngr_dma_resv_test_signaled
#define dma_resv_wait_timeout	mmngr_dma_resv_wait_timeout

static inline int dma_resv_reserve_fences(struct dma_resv *obj,
					  unsigned int num_fences)
{
	return dma_resv_reserve_shared(obj, num_fences);
}

static inline void dma_resv_add_fence(struct dma_resv *obj,
				      struct dma_fence *fence,
				      enum dma_resv_usage usage)
{
	if (usage <= DMA_RESV_USAGE_WRITE)
		dma_resv_add_excl_fence(obj, fence);
	else
		dma_resv_add_shared_fence(obj, fence);
}
#endif

/*
 * 6.2, "dma-buf: Add unlocked variant of attachment-mapping functions"
 * (in 6.1.y too): map and unmap that take the reservation lock themselves,
 * which the plain functions did before.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define dma_buf_map_attachment_unlocked		dma_buf_map_attachment
#define dma_buf_unmap_attachment_unlocked	dma_buf_unmap_attachment
#endif

/* 6.3 made vma->vm_flags read-only behind vm_flags_set(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/* 6.12 hid struct fd's members behind fd_file() (a macro). */
#ifndef fd_file
#define fd_file(f)	((f).file)
#endif

/*
 * 6.17, "mm/page_isolation: remove migratetype parameter from more
 * functions": alloc_contig_range() takes ACR_FLAGS_CMA or ACR_FLAGS_NONE
 * where it took the range's migratetype (MIGRATE_CMA for a CMA area,
 * MIGRATE_MOVABLE otherwise; without CONFIG_CMA there are no CMA areas).
 */
#ifndef ACR_FLAGS_CMA
typedef unsigned int acr_flags_t;
#define ACR_FLAGS_NONE		MIGRATE_MOVABLE
#ifdef CONFIG_CMA
#define ACR_FLAGS_CMA		MIGRATE_CMA
#else
#define ACR_FLAGS_CMA		MIGRATE_MOVABLE
#endif
#endif

/*
 * 6.18, "mm: remove nth_page()": pages of a physically contiguous range
 * are no longer reached by one macro.  Ours come from CMA, from no-map
 * regions and from alloc_contig_range(), which need not be contiguous
 * in the memmap on every memory model: go through the PFN, as the macro
 * did where it mattered.
 */
#ifndef nth_page
#define nth_page(page, n)	pfn_to_page(page_to_pfn(page) + (n))
#endif

/*
 * 6.13, "module: Convert symbol namespace to string literal": the
 * namespace is a string, MODULE_IMPORT_NS("DMA_BUF"); before, a bare
 * token that the macro stringified.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

/*
 * 6.18, "dma-buf: dma-heap: export declared functions": modules may call
 * dma_heap_add() (namespace DMA_BUF_HEAP) where the kernel has the heap
 * framework (Debian 7.x amd64 does; arm64 and kernels before 6.18 cannot
 * be asked).  The framework cannot remove a heap, though: a module that
 * adds one can never be unloaded, and a heap cannot go with its pool.  So
 * by default mmngrbuf makes its heap nodes the same way on every kernel,
 * misc devices named into /dev/dma_heap/ (mmngrbuf_heap.c); with
 * real_heaps=1 it adds real heaps where MMNGR_HAVE_DMA_HEAP_ADD, and stays
 * loaded.  Elsewhere the declarations below only let that code compile.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0) && IS_ENABLED(CONFIG_DMABUF_HEAPS)
#include <linux/dma-heap.h>
#define MMNGR_HAVE_DMA_HEAP_ADD	1
#define MMNGR_DMA_HEAP_NS	"DMA_BUF_HEAP"
#else
#define MMNGR_HAVE_DMA_HEAP_ADD	0
/* A namespace the module imports anyway. */
#define MMNGR_DMA_HEAP_NS	"DMA_BUF"

struct dma_heap;

struct dma_heap_ops {
	struct dma_buf *(*allocate)(struct dma_heap *heap, unsigned long len,
				    u32 fd_flags, u64 heap_flags);
};

struct dma_heap_export_info {
	const char *name;
	const struct dma_heap_ops *ops;
	void *priv;
};

static inline struct dma_heap *
dma_heap_add(const struct dma_heap_export_info *exp_info)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void *dma_heap_get_drvdata(struct dma_heap *heap)
{
	return NULL;
}
#endif
#define MMNGR_HEAP_NODE_DIR	"dma_heap/"

#endif /* _MMNGR_KCOMPAT_H */
