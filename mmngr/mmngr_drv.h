/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmngr internals: the device, its memory pools and its buffers.
 */
#ifndef _MMNGR_DRV_H
#define _MMNGR_DRV_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/mmngr.h>
#include <mmngr_kcompat.h>

#include "mmngr_range.h"

/**
 * enum mmngr_caching - how the CPU maps a buffer
 * @MMNGR_CACHED:	cacheable; CPU writes need a flush before devices
 *			read, device writes an invalidate before the CPU does
 * @MMNGR_WRITECOMBINE:	uncached, writes buffered (the original's default)
 * @MMNGR_UNCACHED:	uncached
 * @MMNGR_NR_CACHING:	number of modes
 *
 * On cache-coherent systems (x86, dma-coherent devices) buffers backed by
 * system RAM are mapped cacheable whatever the mode, as the DMA API does:
 * coherence makes that both correct and faster.
 */
enum mmngr_caching {
	MMNGR_CACHED,
	MMNGR_WRITECOMBINE,
	MMNGR_UNCACHED,
	MMNGR_NR_CACHING
};

/**
 * enum mmngr_pool_kind - where a pool's memory comes from
 * @MMNGR_POOL_DMA:	the DMA API on the mmngr device (the default CMA area,
 *			or the page allocator where the kernel has no CMA)
 * @MMNGR_POOL_CONTIG:	a range of memory the page allocator uses while it is
 *			free (a reusable CMA region, ZONE_MOVABLE), claimed in
 *			chunks with alloc_contig_range() while buffers use them
 * @MMNGR_POOL_STATIC:	memory Linux does not manage (a no-map region)
 */
enum mmngr_pool_kind {
	MMNGR_POOL_DMA,
	MMNGR_POOL_CONTIG,
	MMNGR_POOL_STATIC,
};

/**
 * enum mmngr_role - what the Renesas ABI calls a pool
 * @MMNGR_ROLE_KERNELHEAP:	MM_KERNELHEAP(_CACHED)
 * @MMNGR_ROLE_MULTIMEDIA:	the "linux,multimedia" region
 * @MMNGR_ROLE_OMXBUF:		"linux,omxbuf": MM_CARVEOUT's part of it
 * @MMNGR_ROLE_SSP:		MM_CARVEOUT_SSP
 * @MMNGR_ROLE_LOSSY:		MM_CARVEOUT_LOSSY
 * @MMNGR_NR_ROLES:		number of roles
 */
enum mmngr_role {
	MMNGR_ROLE_KERNELHEAP,
	MMNGR_ROLE_MULTIMEDIA,
	MMNGR_ROLE_OMXBUF,
	MMNGR_ROLE_SSP,
	MMNGR_ROLE_LOSSY,
	MMNGR_NR_ROLES
};

struct mmngr_device;

/**
 * struct mmngr_pool - a source of physically contiguous memory
 * @node:	in &mmngr_device.pools
 * @mdev:	owner
 * @kobj:	/sys/.../pools/<name>; its release frees the pool
 * @name:	"kernelheap", "multimedia", ...
 * @index:	position in &mmngr_device.pools, for the modern ABI
 * @kind:	backing, see &enum mmngr_pool_kind
 * @role:	Renesas ABI role
 * @cma:	CONTIG pools: a CMA area (else ZONE_MOVABLE)
 * @base:	first byte (CONTIG, STATIC)
 * @size:	bytes (CONTIG, STATIC; 0 for DMA: not known to modules)
 * @lock:	serialises @range and the statistics
 * @range:	free space (CONTIG, STATIC)
 * @used:	bytes in live buffers
 * @nr_buffers:	live buffers
 * @failed:	allocations refused for lack of memory
 * @users:	&struct mmngr_quota_user by uid (mmngr_quota.c)
 * @user_max_bytes: bytes one user without CAP_SYS_RESOURCE may hold
 * @user_max_buffers: buffers one such user may hold
 * @quota_refused: allocations refused for going over those
 * @dmem:	its dmem cgroup region, or NULL (mmngr_cgroup.c)
 * @cgroup_refused: allocations refused for a cgroup's dmem.max
 * @chunk_lock:	serialises the chunk fields below (CONTIG; mmngr_chunk.c)
 * @chunk_size:	bytes the pool claims from the page allocator at once
 * @nr_chunks:	chunks the pool spans
 * @chunk_users: live buffers in each chunk
 * @chunk_claimed: chunks taken from the page allocator
 * @chunk_recent: chunks used since the last idle scan
 * @claimed:	bytes taken from the page allocator
 * @chunk_work:	gives idle chunks back
 * @shrinker:	gives them back at once under memory pressure
 */
struct mmngr_pool {
	struct list_head node;
	struct mmngr_device *mdev;
	struct kobject kobj;
	char name[24];
	unsigned int index;
	enum mmngr_pool_kind kind;
	enum mmngr_role role;
	bool cma;
	phys_addr_t base;
	u64 size;
	struct mutex lock;		/* range and statistics */
	struct mmngr_range range;
	u64 used;
	unsigned int nr_buffers;
	u64 failed;
	struct xarray users;
	u64 user_max_bytes;
	unsigned int user_max_buffers;
	u64 quota_refused;
	struct dmem_cgroup_region *dmem;
	u64 cgroup_refused;
	struct mutex chunk_lock;	/* chunk_* and claimed */
	u64 chunk_size;
	unsigned long nr_chunks;
	unsigned int *chunk_users;
	unsigned long *chunk_claimed;
	unsigned long *chunk_recent;
	u64 claimed;
	struct delayed_work chunk_work;
	struct shrinker *shrinker;
};

/**
 * struct mmngr_buffer - one physically contiguous allocation
 * @ref:	holders: the allocating file, user mappings, dma-bufs, drivers
 * @pool:	where it came from
 * @rb:		in the address registry (mmngr_registry.c)
 * @size:	bytes, a multiple of PAGE_SIZE
 * @phys:	physical address
 * @dma_addr:	address for the mmngr device: the "hard address"
 * @page:	first page; NULL for memory without struct pages (STATIC)
 * @spare:	node for returning the range (CONTIG, STATIC)
 * @caching:	CPU mapping mode
 * @id:		serial number, for debugfs
 * @owner:	allocating process (its thread group)
 * @uid:	its effective user, charged for it (mmngr_quota.c)
 * @charged:	bytes charged to @uid and @dmem: the size asked for, which the
 *		pool may round @size up from
 * @dmem:	the cgroup pool state it is charged to, or NULL
 * @comm:	its name
 */
struct mmngr_buffer {
	struct kref ref;
	struct mmngr_pool *pool;
	struct rb_node rb;
	u64 size;
	phys_addr_t phys;
	dma_addr_t dma_addr;
	struct page *page;
	struct mmngr_extent *spare;
	enum mmngr_caching caching;
	u64 id;
	struct pid *owner;
	kuid_t uid;
	u64 charged;
	struct dmem_cgroup_pool_state *dmem;
	char comm[TASK_COMM_LEN];
};

/**
 * struct mmngr_device - one bound mmngr platform device
 * @dev:	the platform device; all allocations are made for it
 * @misc:	/dev/rgnmm
 * @uapi_misc:	/dev/mmngr
 * @pools:	&struct mmngr_pool, fixed between probe and remove
 * @nr_pools:	entries in @pools
 * @role:	the pool serving each Renesas role, or NULL
 * @pools_kobj:	/sys/.../pools
 * @handles_refused: /dev/mmngr ALLOCs refused for the file_max_buffers limit
 * @watch_node:	in mmngr_watch.c's devices, once its pools are published
 */
struct mmngr_device {
	struct device *dev;
	struct miscdevice misc;
	struct miscdevice uapi_misc;
	struct list_head pools;
	unsigned int nr_pools;
	struct mmngr_pool *role[MMNGR_NR_ROLES];
	struct kobject *pools_kobj;
	atomic64_t handles_refused;
	struct list_head watch_node;
};

/* mmngr_discover.c */
int mmngr_pools_init(struct mmngr_device *mdev);

/* mmngr_chunk.c */
bool mmngr_contig_claimable(unsigned long pfn, unsigned long nr);
int mmngr_chunks_init(struct mmngr_pool *pool);
void mmngr_chunks_shutdown(struct mmngr_pool *pool);
void mmngr_chunks_destroy(struct mmngr_pool *pool);
int mmngr_chunks_get(struct mmngr_pool *pool, u64 start, u64 size);
void mmngr_chunks_put(struct mmngr_pool *pool, u64 start, u64 size);

/* mmngr_pool.c */
struct mmngr_pool *mmngr_pool_by_index(struct mmngr_device *mdev,
				       unsigned int index);
u64 mmngr_pool_capacity(const struct mmngr_pool *pool);
u64 mmngr_pool_largest_free(struct mmngr_pool *pool);
int mmngr_pool_alloc(struct mmngr_pool *pool, struct mmngr_buffer *buf,
		     u64 align);
void mmngr_pool_free(struct mmngr_pool *pool, struct mmngr_buffer *buf);

/* mmngr_watch.c */
int mmngr_watch_publish(struct mmngr_device *mdev);

/* mmngr_quota.c */
void mmngr_quota_init(struct mmngr_pool *pool);
void mmngr_quota_destroy(struct mmngr_pool *pool);
int mmngr_quota_charge(struct mmngr_pool *pool, kuid_t uid, u64 bytes);
void mmngr_quota_uncharge(struct mmngr_pool *pool, kuid_t uid, u64 bytes);

/* mmngr_cgroup.c */
void mmngr_cgroup_register(struct mmngr_pool *pool);
void mmngr_cgroup_unregister(struct mmngr_pool *pool);
int mmngr_cgroup_charge(struct mmngr_buffer *buf);
void mmngr_cgroup_uncharge(struct mmngr_buffer *buf);

/* mmngr_buffer.c; the exported part is in <linux/mmngr.h> */
struct mmngr_buffer *mmngr_buffer_create(struct mmngr_pool *pool, u64 size,
					 u64 align, enum mmngr_caching caching);

/* The device a buffer is allocated and mapped for. */
static inline struct device *mmngr_buffer_dev(const struct mmngr_buffer *buf)
{
	return buf->pool->mdev->dev;
}

/* mmngr_registry.c */
void mmngr_registry_insert(struct mmngr_buffer *buf);
void mmngr_registry_remove(struct mmngr_buffer *buf);
int mmngr_debugfs_init(void);
void mmngr_debugfs_exit(void);

/* mmngr_cpu.c */
bool mmngr_vma_is_buffer(struct vm_area_struct *vma);

/* mmngr_drv.c */
int mmngr_misc_register(struct mmngr_device *mdev, struct miscdevice *misc,
			const char *name, const struct file_operations *fops);

/* mmngr_rgnmm.c: /dev/rgnmm */
extern const struct file_operations mmngr_rgnmm_fops;

/* mmngr_uapi.c: /dev/mmngr */
extern const struct file_operations mmngr_uapi_fops;

/* mmngr_sysfs.c */
extern const struct attribute_group *mmngr_pool_groups[];
int mmngr_sysfs_init(struct mmngr_device *mdev);

extern const char *const mmngr_caching_names[MMNGR_NR_CACHING];

#endif /* _MMNGR_DRV_H */
