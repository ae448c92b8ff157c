/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel interface of the mmngr contiguous-memory allocator, for
 * mmngrbuf and for other drivers that are handed mmngr device addresses.
 *
 * A buffer is found by its device address (the Renesas ABI's "hard
 * address") and stays valid while the caller holds the reference the
 * lookup took.  Link against mmngr's Module.symvers (KBUILD_EXTRA_SYMBOLS).
 */
#ifndef _LINUX_MMNGR_H
#define _LINUX_MMNGR_H

#include <linux/list.h>
#include <linux/pgtable.h>
#include <linux/types.h>
#include <uapi/linux/mmngr.h>

struct file;
struct mmngr_buffer;
struct mmngr_pool;
struct page;
struct vm_area_struct;

bool mmngr_validate_phys_addr(phys_addr_t phys_addr, u64 size);

struct mmngr_buffer *mmngr_buffer_lookup(dma_addr_t addr, u64 size);
struct mmngr_buffer *mmngr_file_buffer(struct file *file, u32 handle);
struct mmngr_buffer *mmngr_file_alloc(struct file *file, u32 pool, u64 size,
				      u64 align, u32 caching);
bool mmngr_buffer_may_share(const struct mmngr_buffer *buf);
struct mmngr_buffer *mmngr_buffer_get(struct mmngr_buffer *buf);
void mmngr_buffer_put(struct mmngr_buffer *buf);

u64 mmngr_buffer_size(const struct mmngr_buffer *buf);
u64 mmngr_buffer_id(const struct mmngr_buffer *buf);
dma_addr_t mmngr_buffer_dma_addr(const struct mmngr_buffer *buf);
struct page *mmngr_buffer_pages(const struct mmngr_buffer *buf);
pgprot_t mmngr_buffer_pgprot(const struct mmngr_buffer *buf, pgprot_t prot);

int mmngr_buffer_map_user(struct mmngr_buffer *buf,
			  struct vm_area_struct *vma, u64 offset);
void mmngr_buffer_sync(struct mmngr_buffer *buf, u64 offset, u64 len,
		       bool for_device);
bool mmngr_buffer_coherent(const struct mmngr_buffer *buf);

/**
 * struct mmngr_pool_watch - a module told of mmngr's pools
 * @add:	a pool is there; it stays valid until @remove returns
 * @remove:	the pool is going
 * @node:	mmngr's
 */
struct mmngr_pool_watch {
	void (*add)(struct mmngr_pool_watch *w, struct mmngr_pool *pool);
	void (*remove)(struct mmngr_pool_watch *w, struct mmngr_pool *pool);
	struct list_head node;
};

void mmngr_pool_watch_register(struct mmngr_pool_watch *w);
void mmngr_pool_watch_unregister(struct mmngr_pool_watch *w);
const char *mmngr_pool_name(const struct mmngr_pool *pool);
bool mmngr_pool_has_pages(const struct mmngr_pool *pool);
struct mmngr_buffer *mmngr_pool_alloc_buffer(struct mmngr_pool *pool,
					     u64 size, u32 caching);

#endif /* _LINUX_MMNGR_H */
