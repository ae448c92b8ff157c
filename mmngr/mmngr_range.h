/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Address-range allocator for mmngr's carve-out pools.
 */
#ifndef _MMNGR_RANGE_H
#define _MMNGR_RANGE_H

#include <linux/rbtree.h>
#include <linux/types.h>

/**
 * struct mmngr_extent - a free extent of a range
 * @rb:		node in &mmngr_range.free, ordered by @start
 * @start:	first byte
 * @size:	length in bytes
 * @subtree_max: largest @size in this node's subtree
 */
struct mmngr_extent {
	struct rb_node rb;
	u64 start;
	u64 size;
	u64 subtree_max;
};

/**
 * struct mmngr_range - allocator over [@base, @base + @size)
 * @free:	free extents, augmented with the largest extent per subtree
 * @base:	first byte managed
 * @size:	bytes managed
 * @avail:	bytes free
 * @nr_extents:	number of free extents (fragmentation)
 * @granule:	allocation unit and minimum alignment, a power of two
 *
 * Not locked: the pool that owns the range serialises calls.
 */
struct mmngr_range {
	struct rb_root free;
	u64 base;
	u64 size;
	u64 avail;
	unsigned long nr_extents;
	u64 granule;
};

int mmngr_range_init(struct mmngr_range *r, u64 base, u64 size, u64 granule);
void mmngr_range_destroy(struct mmngr_range *r);
struct mmngr_extent *mmngr_extent_alloc(void);
int mmngr_range_alloc(struct mmngr_range *r, u64 size, u64 align,
		      struct mmngr_extent **spare, u64 *start);
void mmngr_range_free(struct mmngr_range *r, u64 start, u64 size,
		      struct mmngr_extent *spare);
u64 mmngr_range_largest(const struct mmngr_range *r);

#endif /* _MMNGR_RANGE_H */
