// SPDX-License-Identifier: MIT
/* mmngr2: buffers of /dev/mmngr, their mappings and CPU access. */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmngr.h>

#include "mmngr2_priv.h"

_Static_assert(MMNGR2_READ == MMNGR_SYNC_READ &&
	       MMNGR2_WRITE == MMNGR_SYNC_WRITE, "sync access");

PUBLIC int mmngr2_alloc(struct mmngr2 *mm, unsigned int pool, uint64_t size,
			uint64_t align, unsigned int caching,
			struct mmngr2_buf **bufp)
{
	struct mmngr_alloc a = {
		.size = size, .align = align, .pool = pool, .caching = caching,
	};
	uint64_t page = sysconf(_SC_PAGESIZE);
	struct mmngr2_buf *buf;
	int ret;

	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	ret = mmngr2_ioctl(mm->fd, MMNGR_IOCTL_ALLOC, &a);
	if (ret) {
		free(buf);
		return ret;
	}
	mmngr2_get(mm);
	buf->mm = mm;
	buf->handle = a.handle;
	buf->caching = caching;
	buf->size = (size + page - 1) & ~(page - 1);
	buf->dev_addr = a.dev_addr;
	buf->mmap_offset = a.mmap_offset;
	*bufp = buf;
	return 0;
}

PUBLIC void mmngr2_free(struct mmngr2_buf *buf)
{
	struct mmngr_free f;

	if (!buf)
		return;
	if (buf->map)
		munmap(buf->map, buf->size);
	f = (struct mmngr_free){ .handle = buf->handle };
	mmngr2_ioctl(buf->mm->fd, MMNGR_IOCTL_FREE, &f);
	mmngr2_put(buf->mm);
	free(buf);
}

PUBLIC uint64_t mmngr2_buf_size(const struct mmngr2_buf *buf)
{
	return buf->size;
}

PUBLIC uint64_t mmngr2_buf_dev_addr(const struct mmngr2_buf *buf)
{
	return buf->dev_addr;
}

PUBLIC uint32_t mmngr2_buf_handle(const struct mmngr2_buf *buf)
{
	return buf->handle;
}

/*
 * One mapping of the whole buffer per buffer object, made on first use and
 * undone by mmngr2_unmap() or mmngr2_free(); racing threads agree on one of
 * theirs.
 */
PUBLIC int mmngr2_map(struct mmngr2_buf *buf, void **addrp)
{
	void *map = __atomic_load_n(&buf->map, __ATOMIC_ACQUIRE);
	void *expected = NULL;

	if (!map) {
		map = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   buf->mm->fd, buf->mmap_offset);
		if (map == MAP_FAILED)
			return -errno;
		if (!__atomic_compare_exchange_n(&buf->map, &expected, map,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			munmap(map, buf->size);
			map = expected;
		}
	}
	*addrp = map;
	return 0;
}

/* Whoever takes the mapping out of the object unmaps it, once. */
PUBLIC int mmngr2_unmap(struct mmngr2_buf *buf)
{
	void *map = __atomic_exchange_n(&buf->map, NULL, __ATOMIC_ACQ_REL);

	if (!map)
		return -EINVAL;
	return munmap(map, buf->size) ? -errno : 0;
}

static int buf_sync(struct mmngr2_buf *buf, uint32_t when, uint64_t offset,
		uint64_t len, unsigned int access)
{
	struct mmngr_sync s = {
		.handle = buf->handle, .flags = when | access,
		.offset = offset, .len = len,
	};

	if (!access || access & ~MMNGR2_RW)
		return -EINVAL;
	return mmngr2_ioctl(buf->mm->fd, MMNGR_IOCTL_SYNC, &s);
}

PUBLIC int mmngr2_sync_begin(struct mmngr2_buf *buf, uint64_t offset,
			     uint64_t len, unsigned int access)
{
	return buf_sync(buf, MMNGR_SYNC_START, offset, len, access);
}

PUBLIC int mmngr2_sync_end(struct mmngr2_buf *buf, uint64_t offset,
			   uint64_t len, unsigned int access)
{
	return buf_sync(buf, MMNGR_SYNC_END, offset, len, access);
}
