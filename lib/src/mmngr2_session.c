// SPDX-License-Identifier: MIT
/* mmngr2: sessions and pools. */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "mmngr2_priv.h"

/* The interface's constants are the ABI's. */
_Static_assert(MMNGR2_POOL_DMA == MMNGR_POOL_KIND_DMA &&
	       MMNGR2_POOL_CMA == MMNGR_POOL_KIND_CMA &&
	       MMNGR2_POOL_MOVABLE == MMNGR_POOL_KIND_MOVABLE &&
	       MMNGR2_POOL_NOMAP == MMNGR_POOL_KIND_NOMAP, "pool kinds");
_Static_assert(MMNGR2_CACHED == MMNGR_CACHING_CACHED &&
	       MMNGR2_WRITECOMBINE == MMNGR_CACHING_WRITECOMBINE &&
	       MMNGR2_UNCACHED == MMNGR_CACHING_UNCACHED, "caching modes");
_Static_assert(sizeof(((struct mmngr2_pool *)0)->name) ==
	       sizeof(((struct mmngr_pool_info *)0)->name), "pool name");

HIDDEN int mmngr2_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, cmd, arg);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

PUBLIC int mmngr2_open(struct mmngr2 **mmp)
{
	struct mmngr2 *mm;
	int err;

	mm = malloc(sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	mm->fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	if (mm->fd < 0) {
		err = -errno;
		free(mm);
		return err;
	}
	mm->buf_fd = -1;
	*mmp = mm;
	return 0;
}

PUBLIC void mmngr2_close(struct mmngr2 *mm)
{
	if (!mm)
		return;
	if (mm->buf_fd >= 0)
		close(mm->buf_fd);
	close(mm->fd);
	free(mm);
}

/*
 * /dev/rgnmmbuf is opened when first needed, so that programs that only
 * allocate work without mmngrbuf loaded.  Two threads may race to open it:
 * one descriptor wins, the other is closed.
 */
HIDDEN int mmngr2_buf_dev(struct mmngr2 *mm)
{
	int fd = __atomic_load_n(&mm->buf_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!__atomic_compare_exchange_n(&mm->buf_fd, &expected, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

PUBLIC int mmngr2_pool_get(struct mmngr2 *mm, unsigned int index,
			   struct mmngr2_pool *pool)
{
	struct mmngr_pool_info info = { .index = index };
	int ret;

	ret = mmngr2_ioctl(mm->fd, MMNGR_IOCTL_POOL_INFO, &info);
	if (ret)
		return ret;
	memset(pool, 0, sizeof(*pool));
	pool->index = info.index;
	pool->kind = info.kind;
	memcpy(pool->name, info.name, sizeof(pool->name));
	pool->name[sizeof(pool->name) - 1] = '\0';
	pool->size = info.size;
	pool->used = info.used;
	pool->largest_free = info.largest_free;
	pool->buffers = info.buffers;
	pool->caching = info.caching;
	return 0;
}

PUBLIC int mmngr2_pool_find(struct mmngr2 *mm, const char *name)
{
	struct mmngr2_pool pool;
	unsigned int i;
	int ret;

	for (i = 0; !(ret = mmngr2_pool_get(mm, i, &pool)); i++)
		if (!strcmp(pool.name, name))
			return i;
	return ret;
}
