// SPDX-License-Identifier: MIT
/* mmngr2: sessions and pools. */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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
/* The caller-allocated structures keep one layout on every ABI. */
_Static_assert(sizeof(struct mmngr2_pool) == 72 &&
	       sizeof(struct mmngr2_import) == 24, "mmngr2 structure sizes");
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

static int session_new(int fd, struct mmngr2 **mmp)
{
	struct mmngr2 *mm;

	mm = malloc(sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	mm->fd = fd;
	mm->buf_fd = -1;
	mm->refs = 1;
	*mmp = mm;
	return 0;
}

PUBLIC int mmngr2_open(struct mmngr2 **mmp)
{
	int fd, err;

	fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = session_new(fd, mmp);
	if (err)
		close(fd);
	return err;
}

/*
 * Adopt only what is /dev/mmngr open for reading and writing (a mapping
 * needs both): a character device that answers POOL_INFO, ENOENT included
 * (no pool 0).  Anything else stays the caller's, with a clear errno.
 */
PUBLIC int mmngr2_adopt(int fd, struct mmngr2 **mmp)
{
	struct mmngr_pool_info info = { .index = 0 };
	struct stat st;
	int flags, ret;

	if (!mmp)
		return -EINVAL;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if ((flags & O_ACCMODE) != O_RDWR)
		return -EBADF;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	ret = mmngr2_ioctl(fd, MMNGR_IOCTL_POOL_INFO, &info);
	if (ret && ret != -ENOENT)
		return ret == -EINVAL ? -ENOTTY : ret;
	return session_new(fd, mmp);
}

PUBLIC int mmngr2_fd(const struct mmngr2 *mm)
{
	return mm->fd;
}

HIDDEN void mmngr2_get(struct mmngr2 *mm)
{
	__atomic_add_fetch(&mm->refs, 1, __ATOMIC_RELAXED);
}

HIDDEN void mmngr2_put(struct mmngr2 *mm)
{
	if (__atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (mm->buf_fd >= 0)
		close(mm->buf_fd);
	close(mm->fd);
	free(mm);
}

PUBLIC void mmngr2_close(struct mmngr2 *mm)
{
	if (mm)
		mmngr2_put(mm);
}

HIDDEN void mmngr2_copy_out(void *dst, size_t caller_size, const void *src,
			    size_t lib_size)
{
	size_t n = caller_size < lib_size ? caller_size : lib_size;

	memcpy(dst, src, n);
	if (caller_size > n)
		memset((char *)dst + n, 0, caller_size - n);
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

/*
 * Sizes below the first release's structure are refused: no program was
 * ever built with one, so such a size is a bug of the caller's.
 */
#define POOL_SIZE_V1 (offsetof(struct mmngr2_pool, caching) + sizeof(uint32_t))

PUBLIC int mmngr2_pool_get(struct mmngr2 *mm, unsigned int index,
			   struct mmngr2_pool *pool, size_t pool_size)
{
	struct mmngr_pool_info info = { .index = index };
	struct mmngr2_pool p;
	int ret;

	if (!pool || pool_size < POOL_SIZE_V1)
		return -EINVAL;
	ret = mmngr2_ioctl(mm->fd, MMNGR_IOCTL_POOL_INFO, &info);
	if (ret)
		return ret;
	memset(&p, 0, sizeof(p));
	p.index = info.index;
	p.kind = info.kind;
	memcpy(p.name, info.name, sizeof(p.name));
	p.name[sizeof(p.name) - 1] = '\0';
	p.size = info.size;
	p.used = info.used;
	p.largest_free = info.largest_free;
	p.buffers = info.buffers;
	p.caching = info.caching;
	mmngr2_copy_out(pool, pool_size, &p, sizeof(p));
	return 0;
}

PUBLIC int mmngr2_pool_find(struct mmngr2 *mm, const char *name)
{
	struct mmngr2_pool pool;
	unsigned int i;
	int ret;

	if (!name)
		return -EINVAL;
	for (i = 0; !(ret = mmngr2_pool_get(mm, i, &pool, sizeof(pool))); i++)
		if (!strcmp(pool.name, name))
			return i;
	return ret;
}
