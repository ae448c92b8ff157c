// SPDX-License-Identifier: GPL-2.0-only
/*
 * The allocator functions that kernel code compiled for a host unit test
 * needs beyond the kernel's own tools/ tree: kmalloc and kfree over malloc.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/slab.h>

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p = malloc(size);

	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	free(p);
}
