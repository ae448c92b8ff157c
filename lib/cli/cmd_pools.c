// SPDX-License-Identifier: MIT
/* mmngr pools: every pool with its size, use and largest free block. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const kinds[] = {
	[MMNGR2_POOL_DMA] = "dma",
	[MMNGR2_POOL_CMA] = "cma",
	[MMNGR2_POOL_MOVABLE] = "movable",
	[MMNGR2_POOL_NOMAP] = "nomap",
};

static const char *const cachings[] = {
	[MMNGR2_CACHED] = "cached",
	[MMNGR2_WRITECOMBINE] = "writecombine",
	[MMNGR2_UNCACHED] = "uncached",
};

int parse_caching(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(cachings) / sizeof(cachings[0]); i++)
		if (!strcmp(s, cachings[i]))
			return i;
	if (!strcmp(s, "wc"))
		return MMNGR2_WRITECOMBINE;
	return -1;
}

int pick_pool(struct mmngr2 *mm, const char *arg)
{
	struct mmngr2_pool pool;
	char *end;
	long idx;
	int ret;

	idx = strtol(arg, &end, 10);
	if (*arg && !*end) {
		ret = idx < 0 ? -ENOENT : mmngr2_pool_get(mm, idx, &pool, sizeof(pool));
		ret = ret ? ret : (int)idx;
	} else {
		ret = mmngr2_pool_find(mm, arg);
	}
	if (ret < 0)
		err_msg("no pool %s: %s", arg, strerror(-ret));
	return ret;
}

int show_pools(struct mmngr2 *mm)
{
	static const char *const cols[] = {
		"index", "name", "kind", "size", "used", "free", "largest",
		"buffers", "caching",
	};
	char idx[16], size[32], used[32], free_[32], largest[32], nbufs[16];
	char caching[64];
	struct mmngr2_pool p;
	struct table *t;
	unsigned int i, c;
	int ret;

	t = table_begin(cols, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; !(ret = mmngr2_pool_get(mm, i, &p, sizeof(p))); i++) {
		const char *vals[] = {
			idx, p.name, p.kind < 4 ? kinds[p.kind] : "?", size,
			used, free_, largest, nbufs, caching,
		};

		snprintf(idx, sizeof(idx), "%u", p.index);
		snprintf(nbufs, sizeof(nbufs), "%u", p.buffers);
		fmt_size(used, sizeof(used), p.used);
		/* The kernel heap's size and largest block are not known. */
		size[0] = free_[0] = largest[0] = '\0';
		if (p.size) {
			fmt_size(size, sizeof(size), p.size);
			fmt_size(free_, sizeof(free_), p.size - p.used);
		}
		if (p.largest_free)
			fmt_size(largest, sizeof(largest), p.largest_free);
		caching[0] = '\0';
		for (c = 0; c < 3; c++)
			if (p.caching & (1u << c))
				snprintf(caching + strlen(caching),
					 sizeof(caching) - strlen(caching),
					 "%s%s", caching[0] ? "," : "",
					 cachings[c]);
		table_row(t, vals);
	}
	table_end(t);
	if (ret != -ENOENT) {
		err_msg("MMNGR_IOCTL_POOL_INFO: %s", strerror(-ret));
		return 1;
	}
	return 0;
}

int cmd_pools(int argc, char **argv)
{
	struct mmngr2 *mm;
	int ret;

	if (argc > 1) {
		err_msg("pools takes no arguments");
		return 2;
	}
	ret = mmngr2_open(&mm);
	if (ret) {
		err_msg("/dev/mmngr: %s", strerror(-ret));
		return 1;
	}
	ret = show_pools(mm);
	mmngr2_close(mm);
	return ret;
}
