// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address-range allocator for mmngr's carve-out pools.
 *
 * Free space is a set of extents in an rbtree ordered by address, each node
 * augmented with the largest extent in its subtree (the scheme vmalloc uses
 * for its address space).  Finding the lowest extent that can hold a request
 * is then one walk from the root, and freeing merges with neighbours found in
 * the same tree: both are O(log n) in the number of free extents, whatever
 * the number of live buffers or the size of the pool.
 *
 * A request of S bytes aligned to A surely fits in any extent of at least
 * S + A - granule bytes, whatever its start, and that is what the walk looks
 * for.  Only when no extent is that large are the extents of at least S
 * bytes searched for an exact aligned fit, which happens in a nearly full,
 * fragmented pool.
 *
 * Allocating may split an extent in three, which needs a node; freeing needs
 * one when neither neighbour merges.  Both come from the caller, allocated
 * before it takes its lock, so that freeing never fails.
 */

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/rbtree_augmented.h>
#include <linux/slab.h>

#include "mmngr_range.h"

static inline u64 extent_size(struct mmngr_extent *e)
{
	return e->size;
}

RB_DECLARE_CALLBACKS_MAX(static, extent_cb, struct mmngr_extent, rb, u64,
			 subtree_max, extent_size)

static inline struct mmngr_extent *to_extent(struct rb_node *n)
{
	return n ? rb_entry(n, struct mmngr_extent, rb) : NULL;
}

static void extent_insert(struct mmngr_range *r, struct mmngr_extent *e)
{
	struct rb_node **link = &r->free.rb_node, *parent = NULL;
	struct mmngr_extent *p;

	/* Every subtree on the way down gains @e. */
	e->subtree_max = e->size;
	while (*link) {
		parent = *link;
		p = to_extent(parent);
		if (p->subtree_max < e->size)
			p->subtree_max = e->size;
		link = e->start < p->start ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&e->rb, parent, link);
	rb_insert_augmented(&e->rb, &r->free, &extent_cb);
	r->nr_extents++;
}

static void extent_erase(struct mmngr_range *r, struct mmngr_extent *e)
{
	rb_erase_augmented(&e->rb, &r->free, &extent_cb);
	r->nr_extents--;
	kfree(e);
}

/* @e's size changed in place: refresh the maxima above it. */
static void extent_resized(struct mmngr_extent *e)
{
	extent_cb_propagate(&e->rb, NULL);
}

/* The lowest extent of at least @len bytes. */
static struct mmngr_extent *find_lowest(struct mmngr_range *r, u64 len)
{
	struct rb_node *n = r->free.rb_node;
	struct mmngr_extent *e;

	if (!n || to_extent(n)->subtree_max < len)
		return NULL;

	/* Invariant: the subtree at @n holds an extent of @len bytes. */
	while (n) {
		e = to_extent(n);
		if (n->rb_left && to_extent(n->rb_left)->subtree_max >= len) {
			n = n->rb_left;
			continue;
		}
		if (e->size >= len)
			return e;
		n = n->rb_right;
	}
	return NULL;
}

static bool extent_fits(const struct mmngr_extent *e, u64 size, u64 align,
			u64 *at)
{
	u64 s = round_up(e->start, align);

	if (s < e->start || s - e->start > e->size ||
	    e->size - (s - e->start) < size)
		return false;
	*at = s;
	return true;
}

/* The lowest extent holding @size bytes at @align, visiting every
 * subtree that has an extent of at least @size bytes.
 */
static struct mmngr_extent *find_exact(struct rb_node *n, u64 size, u64 align,
				       u64 *at)
{
	struct mmngr_extent *e = to_extent(n), *found;

	if (!e || e->subtree_max < size)
		return NULL;
	found = find_exact(n->rb_left, size, align, at);
	if (found)
		return found;
	if (e->size >= size && extent_fits(e, size, align, at))
		return e;
	return find_exact(n->rb_right, size, align, at);
}

/**
 * mmngr_extent_alloc() - allocate a node for mmngr_range_alloc()/_free()
 *
 * Return: a node, or NULL when out of memory.
 */
struct mmngr_extent *mmngr_extent_alloc(void)
{
	return kzalloc(sizeof(struct mmngr_extent), GFP_KERNEL);
}

/**
 * mmngr_range_init() - manage [@base, @base + @size)
 * @r:		the range
 * @base:	first byte, aligned to @granule
 * @size:	length in bytes, a multiple of @granule
 * @granule:	allocation unit, a power of two
 *
 * Return: 0, -EINVAL for a misaligned range, or -ENOMEM.
 */
int mmngr_range_init(struct mmngr_range *r, u64 base, u64 size, u64 granule)
{
	struct mmngr_extent *e;

	if (!is_power_of_2(granule) || !size || !IS_ALIGNED(base, granule) ||
	    !IS_ALIGNED(size, granule) || base + size < base)
		return -EINVAL;

	r->free = RB_ROOT;
	r->base = base;
	r->size = size;
	r->avail = 0;
	r->nr_extents = 0;
	r->granule = granule;

	e = mmngr_extent_alloc();
	if (!e)
		return -ENOMEM;
	e->start = base;
	e->size = size;
	extent_insert(r, e);
	r->avail = size;
	return 0;
}

/**
 * mmngr_range_destroy() - release the range's bookkeeping
 * @r: the range
 */
void mmngr_range_destroy(struct mmngr_range *r)
{
	struct mmngr_extent *e, *tmp;

	rbtree_postorder_for_each_entry_safe(e, tmp, &r->free, rb)
		kfree(e);
	r->free = RB_ROOT;
	r->nr_extents = 0;
	r->avail = 0;
}

/**
 * mmngr_range_alloc() - take @size bytes aligned to @align
 * @r:		the range
 * @size:	bytes, a multiple of the range's granule
 * @align:	alignment, a power of two no smaller than the granule
 * @spare:	a node from mmngr_extent_alloc(); set to NULL if it was used,
 *		left for the caller to free otherwise
 * @start:	on success, the first byte of the block
 *
 * Takes the lowest suitable block (first fit by address).
 *
 * Return: 0, -EINVAL for a malformed request, -ENOMEM if nothing fits.
 */
int mmngr_range_alloc(struct mmngr_range *r, u64 size, u64 align,
		      struct mmngr_extent **spare, u64 *start)
{
	struct mmngr_extent *e, *t;
	u64 at, head, tail, len;

	if (!size || !IS_ALIGNED(size, r->granule) || !is_power_of_2(align) ||
	    align < r->granule)
		return -EINVAL;
	if (size > r->avail)
		return -ENOMEM;

	e = NULL;
	if (!check_add_overflow(size, align - r->granule, &len))
		e = find_lowest(r, len);
	if (e)
		at = round_up(e->start, align);
	else
		e = find_exact(r->free.rb_node, size, align, &at);
	if (!e)
		return -ENOMEM;

	head = at - e->start;
	tail = e->size - head - size;
	if (head && tail) {
		/* e keeps the head, the spare takes the tail. */
		if (WARN_ON(!*spare))
			return -ENOMEM;
		t = *spare;
		*spare = NULL;
		e->size = head;
		extent_resized(e);
		t->start = at + size;
		t->size = tail;
		extent_insert(r, t);
	} else if (head) {
		e->size = head;
		extent_resized(e);
	} else if (tail) {
		/* Moving the start up keeps e between its neighbours. */
		e->start += size;
		e->size = tail;
		extent_resized(e);
	} else {
		extent_erase(r, e);
	}

	r->avail -= size;
	*start = at;
	return 0;
}

/**
 * mmngr_range_free() - give back a block from mmngr_range_alloc()
 * @r:		the range
 * @start:	the block's first byte
 * @size:	the block's size
 * @spare:	a node from mmngr_extent_alloc(), used or freed here
 *
 * Merges the block with free neighbours.  A block that overlaps free space
 * (a double free) is reported once and left alone.
 */
void mmngr_range_free(struct mmngr_range *r, u64 start, u64 size,
		      struct mmngr_extent *spare)
{
	struct mmngr_extent *prev = NULL, *next = NULL, *e;
	struct rb_node *n = r->free.rb_node;
	u64 end = start + size;

	while (n) {
		e = to_extent(n);
		if (e->start < start) {
			prev = e;
			n = n->rb_right;
		} else {
			next = e;
			n = n->rb_left;
		}
	}

	if (WARN_ONCE(start < r->base || end > r->base + r->size || end <= start ||
		      (prev && prev->start + prev->size > start) ||
		      (next && next->start < end),
		      "mmngr: bad free of [%#llx, %#llx)\n", start, end)) {
		kfree(spare);
		return;
	}

	if (prev && prev->start + prev->size == start) {
		if (next && next->start == end) {
			size += next->size;
			extent_erase(r, next);
			prev->size += size;
		} else {
			prev->size += size;
		}
		extent_resized(prev);
		kfree(spare);
	} else if (next && next->start == end) {
		next->start = start;
		next->size += size;
		extent_resized(next);
		kfree(spare);
	} else {
		spare->start = start;
		spare->size = size;
		extent_insert(r, spare);
	}
	r->avail += end - start;
}

/**
 * mmngr_range_largest() - the largest free block
 * @r: the range
 *
 * Return: its size in bytes (0 if the range is full).
 */
u64 mmngr_range_largest(const struct mmngr_range *r)
{
	return r->free.rb_node ? to_extent(r->free.rb_node)->subtree_max : 0;
}
