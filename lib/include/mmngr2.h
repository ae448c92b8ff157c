/* SPDX-License-Identifier: MIT */
/*
 * mmngr2: the modern C interface of libmmngr2 (libmmngr2.so.1), over
 * /dev/mmngr and the modern /dev/rgnmmbuf commands.  See mmngr2(3).
 *
 * Every function returns 0 (or a descriptor, an index) on success and a
 * negative errno value on failure.  All state lives in the objects a
 * program opens: a struct mmngr2 per session and a struct mmngr2_buf per
 * buffer.  Objects may be used from any thread; one object must not be
 * freed while another thread uses it.  Every descriptor the library opens
 * or returns is close-on-exec unless asked otherwise.
 *
 * ABI rules (Documentation/libmmngr.md, "The mmngr2 ABI"):
 *  - struct mmngr2 and struct mmngr2_buf are opaque: only pointers to them
 *    cross the interface, so the library may change them freely.
 *  - The structures the caller allocates (struct mmngr2_pool, struct
 *    mmngr2_import) only ever grow at their end.  Every function that fills
 *    one takes its size: pass sizeof() as compiled.  The library writes at
 *    most that many bytes, and zeroes what the caller has beyond the fields
 *    it knows; 0 in a later field means "not reported".
 *  - Every symbol carries a version (MMNGR2_1.0, ...): a program built
 *    against a newer library refuses to start on an older one that lacks a
 *    function it uses, instead of failing at the call.
 *
 * Ownership, in one place (each function says its part):
 *  - A session holds its /dev/mmngr descriptor and, once a dma-buf function
 *    needed it, a /dev/rgnmmbuf descriptor.  It lives until mmngr2_close()
 *    AND mmngr2_free() of every buffer allocated from it: mmngr2_close()
 *    drops the program's reference, each live buffer holds another.  After
 *    mmngr2_close(mm) the pointer mm must not be used again; the buffers
 *    stay fully usable and the last mmngr2_free() ends the session.
 *  - When the session ends its descriptors are closed: the kernel releases
 *    its imports and signals its unsignalled fences with ECANCELED.
 *  - Descriptors the library returns (dma-bufs, sync_files) belong to the
 *    caller, who closes them; they stay valid after mmngr2_free() and
 *    mmngr2_close().  Descriptors the caller passes in are borrowed, except
 *    the one given to mmngr2_adopt(), which the session takes on success.
 *
 * The prefix is mmngr2_ because Renesas' libmmngr, which this project also
 * provides, owns names of the form mmngr_*.
 */
#ifndef MMNGR2_H
#define MMNGR2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mmngr2;		/* a session with the allocator (opaque) */
struct mmngr2_buf;	/* a buffer of a session (opaque) */

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

/*
 * Filled by mmngr2_pool_get().  Grows only at its end; the same layout on
 * 32- and 64-bit programs.
 */
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

/*
 * Filled by mmngr2_import().  Grows only at its end; the same layout on
 * 32- and 64-bit programs.
 */
struct mmngr2_import {
	uint32_t handle;		/* for mmngr2_import_release() */
	uint32_t pad;			/* written as 0 */
	uint64_t size;
	uint64_t dev_addr;		/* where the mmngr devices see it */
};

/* Sessions and pools: mmngr2_open(3). */

/*
 * Open /dev/mmngr; *mmp gets a new session, which the caller releases with
 * mmngr2_close().  Nothing is allocated on failure.
 */
int mmngr2_open(struct mmngr2 **mmp);

/*
 * Make a session of an open /dev/mmngr descriptor (inherited, received over
 * a socket, opened by a sandbox broker); it must be open for reading and
 * writing.  On success the session owns fd: mmngr2_close() (or the last
 * mmngr2_free()) closes it and the caller must not.  On failure the caller
 * still owns fd.  Its file status and descriptor flags are left as they are.
 */
int mmngr2_adopt(int fd, struct mmngr2 **mmp);

/*
 * The session's /dev/mmngr descriptor, for ioctls of the caller's own and
 * poll(); borrowed: valid while the session lives, never to be closed.
 */
int mmngr2_fd(const struct mmngr2 *mm);

/*
 * Drop the caller's reference to the session: mm must not be used after
 * this.  Buffers not yet freed keep the session alive and stay valid; the
 * session ends (descriptors closed, imports released, fences cancelled)
 * with the last of them.  NULL is allowed.
 */
void mmngr2_close(struct mmngr2 *mm);

/*
 * Describe pool index into *pool, of pool_size bytes (sizeof(*pool)).
 * -ENOENT after the last pool.  The caller owns *pool.
 */
int mmngr2_pool_get(struct mmngr2 *mm, unsigned int index,
		    struct mmngr2_pool *pool, size_t pool_size);

/* The index of the pool called name (borrowed), or -ENOENT. */
int mmngr2_pool_find(struct mmngr2 *mm, const char *name);

/* Buffers: mmngr2_alloc(3). */

/*
 * Allocate a zeroed buffer; *bufp gets it, owned by the caller until
 * mmngr2_free().  The buffer holds a reference to mm.
 */
int mmngr2_alloc(struct mmngr2 *mm, unsigned int pool, uint64_t size,
		 uint64_t align, unsigned int caching,
		 struct mmngr2_buf **bufp);

/*
 * Unmap (as mmngr2_unmap()) and free the buffer object and its handle; the
 * memory goes back to its pool once no dma-buf holds it.  Dma-bufs exported
 * from it stay valid.  Drops the buffer's reference to its session (the
 * last one ends the session).  buf must not be used after this.  NULL is
 * allowed.
 */
void mmngr2_free(struct mmngr2_buf *buf);

/* Size in bytes (whole pages), device address, handle in mmngr2_fd(). */
uint64_t mmngr2_buf_size(const struct mmngr2_buf *buf);
uint64_t mmngr2_buf_dev_addr(const struct mmngr2_buf *buf);
uint32_t mmngr2_buf_handle(const struct mmngr2_buf *buf);

/*
 * Map the whole buffer (once: later calls return the same address) into
 * *addrp.  The mapping belongs to the buffer: it lasts until mmngr2_unmap()
 * or mmngr2_free(), and the caller must not munmap() it.
 */
int mmngr2_map(struct mmngr2_buf *buf, void **addrp);

/*
 * Undo mmngr2_map(): every address it returned becomes invalid (no thread
 * may still use one); a later mmngr2_map() maps again, perhaps elsewhere.
 * -EINVAL if the buffer is not mapped.
 */
int mmngr2_unmap(struct mmngr2_buf *buf);

/* CPU access: mmngr2_sync_begin(3).  dmabuf_fd is borrowed. */
int mmngr2_sync_begin(struct mmngr2_buf *buf, uint64_t offset, uint64_t len,
		      unsigned int access);
int mmngr2_sync_end(struct mmngr2_buf *buf, uint64_t offset, uint64_t len,
		    unsigned int access);
int mmngr2_dmabuf_sync_begin(int dmabuf_fd, unsigned int access);
int mmngr2_dmabuf_sync_end(int dmabuf_fd, unsigned int access);

/*
 * dma-bufs: mmngr2_export(3).  Both return a new dma-buf descriptor owned
 * by the caller (close() it); it holds the memory by itself, after
 * mmngr2_free() and mmngr2_close() too.
 */
int mmngr2_export(struct mmngr2_buf *buf, uint64_t offset, uint64_t size,
		  int fd_flags);
int mmngr2_alloc_dmabuf(struct mmngr2 *mm, unsigned int pool, uint64_t size,
			uint64_t align, unsigned int caching, int fd_flags,
			uint64_t *dev_addr);

/*
 * Foreign dma-bufs: mmngr2_import(3).  dmabuf_fd is borrowed: the import
 * holds the dma-buf itself, so the caller may close dmabuf_fd at once.  The
 * handle belongs to the session, until mmngr2_import_release() or the end
 * of the session.  *imp is of imp_size bytes (sizeof(*imp)).
 */
int mmngr2_import(struct mmngr2 *mm, int dmabuf_fd, struct mmngr2_import *imp,
		  size_t imp_size);
int mmngr2_import_release(struct mmngr2 *mm, uint32_t handle);

/*
 * Fences: mmngr2_fence_attach(3).  dmabuf_fd is borrowed.  The fence
 * belongs to the session until mmngr2_fence_signal() (or its timeout, or
 * the session's end, which signals it with ECANCELED); *sync_file, if
 * asked for, is a new descriptor owned by the caller.
 */
int mmngr2_fence_attach(struct mmngr2 *mm, int dmabuf_fd, unsigned int flags,
			unsigned int timeout_ms, uint32_t *fence,
			int *sync_file);
int mmngr2_fence_signal(struct mmngr2 *mm, uint32_t fence, int error);

#ifdef __cplusplus
}
#endif

#endif /* MMNGR2_H */
