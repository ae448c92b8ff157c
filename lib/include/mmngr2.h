/* SPDX-License-Identifier: MIT */
/*
 * mmngr2: the modern C interface of libmmngr, over /dev/mmngr and the
 * modern /dev/rgnmmbuf commands.  See mmngr2(3).
 *
 * Every function returns 0 (or a descriptor, an index) on success and a
 * negative errno value on failure.  All state
 * lives in the objects a program opens: a struct mmngr2 per session and a
 * struct mmngr2_buf per buffer.  Objects may be used from any thread; one
 * object must not be freed while another thread uses it.  Every descriptor
 * the library opens or returns is close-on-exec unless asked otherwise.
 *
 * The prefix is mmngr2_ because Renesas' libmmngr, which this library also
 * provides, owns names of the form mmngr_*.
 */
#ifndef MMNGR2_H
#define MMNGR2_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mmngr2;		/* a session with the allocator */
struct mmngr2_buf;	/* a buffer of a session */

/* Pool kinds, struct mmngr2_pool.kind. */
#define MMNGR2_POOL_DMA		0	/* DMA API: the default CMA area */
#define MMNGR2_POOL_CMA		1	/* a CMA region */
#define MMNGR2_POOL_MOVABLE	2	/* ZONE_MOVABLE */
#define MMNGR2_POOL_NOMAP	3	/* memory Linux does not map */

/* CPU caching of a buffer's mappings. */
#define MMNGR2_CACHED		0
#define MMNGR2_WRITECOMBINE	1
#define MMNGR2_UNCACHED		2

/* What the CPU does between sync_begin and sync_end. */
#define MMNGR2_READ		(1 << 0)
#define MMNGR2_WRITE		(1 << 1)
#define MMNGR2_RW		(MMNGR2_READ | MMNGR2_WRITE)

/* mmngr2_fence_attach() flags. */
#define MMNGR2_FENCE_WRITE	(1 << 0)	/* else a read fence */
#define MMNGR2_FENCE_SYNC_FILE	(1 << 1)	/* also return a sync_file */

struct mmngr2_pool {
	unsigned int index;
	unsigned int kind;		/* MMNGR2_POOL_* */
	char name[32];			/* "kernelheap", "multimedia", ... */
	uint64_t size;			/* bytes; 0 if not known */
	uint64_t used;			/* bytes in live buffers */
	uint64_t largest_free;		/* largest buffer that fits; 0: ? */
	uint32_t buffers;		/* live buffers */
	uint32_t caching;		/* 1 << MMNGR2_CACHED | ... */
};

struct mmngr2_import {
	uint32_t handle;		/* for mmngr2_import_release() */
	uint64_t size;
	uint64_t dev_addr;		/* where the mmngr devices see it */
};

/* Sessions and pools: mmngr2_open(3). */
int mmngr2_open(struct mmngr2 **mmp);
void mmngr2_close(struct mmngr2 *mm);
int mmngr2_pool_get(struct mmngr2 *mm, unsigned int index,
		    struct mmngr2_pool *pool);
int mmngr2_pool_find(struct mmngr2 *mm, const char *name);

/* Buffers: mmngr2_alloc(3). */
int mmngr2_alloc(struct mmngr2 *mm, unsigned int pool, uint64_t size,
		 uint64_t align, unsigned int caching,
		 struct mmngr2_buf **bufp);
void mmngr2_free(struct mmngr2_buf *buf);
uint64_t mmngr2_buf_size(const struct mmngr2_buf *buf);
uint64_t mmngr2_buf_dev_addr(const struct mmngr2_buf *buf);
uint32_t mmngr2_buf_handle(const struct mmngr2_buf *buf);
int mmngr2_map(struct mmngr2_buf *buf, void **addrp);

/* CPU access: mmngr2_sync_begin(3). */
int mmngr2_sync_begin(struct mmngr2_buf *buf, uint64_t offset, uint64_t len,
		      unsigned int access);
int mmngr2_sync_end(struct mmngr2_buf *buf, uint64_t offset, uint64_t len,
		    unsigned int access);
int mmngr2_dmabuf_sync_begin(int dmabuf_fd, unsigned int access);
int mmngr2_dmabuf_sync_end(int dmabuf_fd, unsigned int access);

/* dma-bufs: mmngr2_export(3). */
int mmngr2_export(struct mmngr2_buf *buf, uint64_t offset, uint64_t size,
		  int fd_flags);
int mmngr2_alloc_dmabuf(struct mmngr2 *mm, unsigned int pool, uint64_t size,
			uint64_t align, unsigned int caching, int fd_flags,
			uint64_t *dev_addr);

/* Foreign dma-bufs: mmngr2_import(3). */
int mmngr2_import(struct mmngr2 *mm, int dmabuf_fd, struct mmngr2_import *imp);
int mmngr2_import_release(struct mmngr2 *mm, uint32_t handle);

/* Fences: mmngr2_fence_attach(3). */
int mmngr2_fence_attach(struct mmngr2 *mm, int dmabuf_fd, unsigned int flags,
			unsigned int timeout_ms, uint32_t *fence,
			int *sync_file);
int mmngr2_fence_signal(struct mmngr2 *mm, uint32_t fence, int error);

#ifdef __cplusplus
}
#endif

#endif /* MMNGR2_H */
