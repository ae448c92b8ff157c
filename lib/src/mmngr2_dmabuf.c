// SPDX-License-Identifier: MIT
/* mmngr2: dma-bufs through /dev/rgnmmbuf: export, import, fences. */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>

#include <linux/dma-buf.h>
#include <linux/mmngrbuf.h>

#include "mmngr2_priv.h"

_Static_assert(MMNGR2_FENCE_WRITE == MMNGRBUF_FENCE_WRITE &&
	       MMNGR2_FENCE_SYNC_FILE == MMNGRBUF_FENCE_SYNC_FILE,
	       "fence flags");
_Static_assert(MMNGR2_READ == DMA_BUF_SYNC_READ &&
	       MMNGR2_WRITE == DMA_BUF_SYNC_WRITE, "dma-buf sync access");

/* Descriptors the library returns are close-on-exec. */
static int fd_flags_ok(int fd_flags)
{
	return (fd_flags & ~(O_ACCMODE | O_CLOEXEC)) == 0 &&
	       (fd_flags & O_ACCMODE) != O_WRONLY;
}

PUBLIC int mmngr2_export(struct mmngr2_buf *buf, uint64_t offset,
			 uint64_t size, int fd_flags)
{
	struct mmngrbuf_export e = {
		.mmngr_fd = buf->mm->fd, .handle = buf->handle,
		.fd_flags = fd_flags | O_CLOEXEC, .offset = offset,
		.size = size,
	};
	int dev = mmngr2_buf_dev(buf->mm), ret;

	if (dev < 0)
		return dev;
	if (!fd_flags_ok(fd_flags))
		return -EINVAL;
	ret = mmngr2_ioctl(dev, MMNGRBUF_IOCTL_EXPORT, &e);
	return ret ? ret : e.fd;
}

PUBLIC int mmngr2_alloc_dmabuf(struct mmngr2 *mm, unsigned int pool,
			       uint64_t size, uint64_t align,
			       unsigned int caching, int fd_flags,
			       uint64_t *dev_addr)
{
	struct mmngrbuf_alloc a = {
		.mmngr_fd = mm->fd, .pool = pool, .size = size,
		.align = align, .caching = caching,
		.fd_flags = fd_flags | O_CLOEXEC,
	};
	int dev = mmngr2_buf_dev(mm), ret;

	if (dev < 0)
		return dev;
	if (!fd_flags_ok(fd_flags))
		return -EINVAL;
	ret = mmngr2_ioctl(dev, MMNGRBUF_IOCTL_ALLOC, &a);
	if (ret)
		return ret;
	if (dev_addr)
		*dev_addr = a.dev_addr;
	return a.fd;
}

static int dmabuf_sync(int fd, uint64_t when, unsigned int access)
{
	struct dma_buf_sync s = { .flags = when | access };

	if (!access || access & ~MMNGR2_RW)
		return -EINVAL;
	return mmngr2_ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

PUBLIC int mmngr2_dmabuf_sync_begin(int dmabuf_fd, unsigned int access)
{
	return dmabuf_sync(dmabuf_fd, DMA_BUF_SYNC_START, access);
}

PUBLIC int mmngr2_dmabuf_sync_end(int dmabuf_fd, unsigned int access)
{
	return dmabuf_sync(dmabuf_fd, DMA_BUF_SYNC_END, access);
}

/* As for struct mmngr2_pool: nothing smaller than the first release's. */
#define IMPORT_SIZE_V1 (offsetof(struct mmngr2_import, dev_addr) + sizeof(uint64_t))

PUBLIC int mmngr2_import(struct mmngr2 *mm, int dmabuf_fd,
			 struct mmngr2_import *imp, size_t imp_size)
{
	struct mmngrbuf_import i = { .fd = dmabuf_fd };
	struct mmngr2_import out = { 0 };
	int dev, ret;

	if (!imp || imp_size < IMPORT_SIZE_V1)
		return -EINVAL;
	dev = mmngr2_buf_dev(mm);
	if (dev < 0)
		return dev;
	ret = mmngr2_ioctl(dev, MMNGRBUF_IOCTL_IMPORT, &i);
	if (ret)
		return ret;
	out.handle = i.handle;
	out.size = i.size;
	out.dev_addr = i.dev_addr;
	mmngr2_copy_out(imp, imp_size, &out, sizeof(out));
	return 0;
}

PUBLIC int mmngr2_import_release(struct mmngr2 *mm, uint32_t handle)
{
	struct mmngrbuf_import_release r = { .handle = handle };
	int dev = mmngr2_buf_dev(mm);

	return dev < 0 ? dev : mmngr2_ioctl(dev, MMNGRBUF_IOCTL_IMPORT_RELEASE, &r);
}

PUBLIC int mmngr2_fence_attach(struct mmngr2 *mm, int dmabuf_fd,
			       unsigned int flags, unsigned int timeout_ms,
			       uint32_t *fence, int *sync_file)
{
	struct mmngrbuf_fence_attach a = {
		.fd = dmabuf_fd, .flags = flags, .timeout_ms = timeout_ms,
	};
	int dev = mmngr2_buf_dev(mm), ret;

	if (dev < 0)
		return dev;
	if (!fence || (flags & MMNGR2_FENCE_SYNC_FILE && !sync_file))
		return -EINVAL;
	ret = mmngr2_ioctl(dev, MMNGRBUF_IOCTL_FENCE_ATTACH, &a);
	if (ret)
		return ret;
	*fence = a.fence;
	if (sync_file)
		*sync_file = flags & MMNGR2_FENCE_SYNC_FILE ? a.sync_file : -1;
	return 0;
}

PUBLIC int mmngr2_fence_signal(struct mmngr2 *mm, uint32_t fence, int error)
{
	struct mmngrbuf_fence_signal s = { .fence = fence, .error = error };
	int dev = mmngr2_buf_dev(mm);

	return dev < 0 ? dev : mmngr2_ioctl(dev, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s);
}
