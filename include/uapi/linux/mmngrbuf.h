/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * mmngrbuf's modern ABI, on /dev/rgnmmbuf beside the Renesas commands
 * (include/uapi/linux/rgnmm.h).  Same rules as <linux/mmngr.h>: fixed-width
 * fields, one layout for 32- and 64-bit callers, reserved fields zero,
 * structures that may grow at the end (the kernel takes the size from the
 * command number: a shorter old structure reads as zero-extended, a longer
 * new one must have zeros where this kernel has nothing).
 *
 * Documentation/userspace-api/mmngrbuf.md describes the commands and the
 * synchronisation model.
 */
#ifndef _UAPI_LINUX_MMNGRBUF_H
#define _UAPI_LINUX_MMNGRBUF_H

#include <linux/ioctl.h>
#include <linux/mmngr.h>
#include <linux/types.h>

/**
 * struct mmngrbuf_export - MMNGRBUF_IOCTL_EXPORT: a dma-buf of a buffer
 * @mmngr_fd:	in: an open /dev/mmngr
 * @handle:	in: a buffer handle of that file
 * @fd_flags:	in: flags of the new file descriptor: O_CLOEXEC, and O_RDWR
 *		for a writable mapping (O_RDONLY is 0)
 * @fd:		out: the dma-buf file descriptor; must be 0 on input
 * @offset:	in: page-aligned start of the exported range in the buffer
 * @size:	in: bytes from @offset, rounded up to pages; 0 for the rest of
 *		the buffer
 * @reserved:	must be zero
 *
 * The dma-buf holds the buffer until its last user lets go, whatever
 * happens to the handle or the file.
 */
struct mmngrbuf_export {
	__s32 mmngr_fd;
	__u32 handle;
	__u32 fd_flags;
	__s32 fd;
	__u64 offset;
	__u64 size;
	__u64 reserved[2];
};

/**
 * struct mmngrbuf_alloc - MMNGRBUF_IOCTL_ALLOC: a new buffer as a dma-buf
 * @mmngr_fd:	in: an open /dev/mmngr, whose pools are used
 * @pool:	in: pool index, as MMNGR_IOCTL_POOL_INFO lists them
 * @size:	in: bytes, rounded up to pages
 * @align:	in: 0 or a power of two; the buffer starts at a multiple of it
 * @caching:	in: MMNGR_CACHING_* of CPU mappings
 * @fd_flags:	in: as &struct mmngrbuf_export
 * @fd:		out: the dma-buf file descriptor; must be 0 on input
 * @reserved0:	must be zero
 * @dev_addr:	out: the buffer's address for the mmngr device
 * @reserved:	must be zero
 *
 * As MMNGR_IOCTL_ALLOC followed by MMNGRBUF_IOCTL_EXPORT of the whole buffer
 * and MMNGR_IOCTL_FREE: the dma-buf is the only owner, the memory is zeroed
 * and goes back to the pool when the last dma-buf user lets go.  This is the
 * DMA_HEAP_IOCTL_ALLOC of mmngr's pools.
 */
struct mmngrbuf_alloc {
	__s32 mmngr_fd;
	__u32 pool;
	__u64 size;
	__u64 align;
	__u32 caching;
	__u32 fd_flags;
	__s32 fd;
	__u32 reserved0;
	__u64 dev_addr;
	__u64 reserved[2];
};

/**
 * struct mmngrbuf_import - MMNGRBUF_IOCTL_IMPORT: a foreign dma-buf's address
 * @fd:		in: any dma-buf
 * @flags:	in: must be zero
 * @handle:	out: names the import for MMNGRBUF_IOCTL_IMPORT_RELEASE
 * @reserved0:	must be zero
 * @size:	out: bytes
 * @dev_addr:	out: where the mmngr devices see the buffer
 * @reserved:	must be zero
 *
 * The dma-buf is attached to the mmngrbuf device and mapped for it, and
 * stays so until MMNGRBUF_IOCTL_IMPORT_RELEASE or until this file is closed.
 * Only a buffer that is one contiguous block for the device, in place, has
 * an address: anything else fails with EXDEV, including memory beyond the
 * device's DMA mask that the DMA API would reach only through swiotlb
 * bounce buffers (where swiotlb cannot take the buffer at all, the
 * exporter's mapping fails, usually with EIO).
 */
struct mmngrbuf_import {
	__s32 fd;
	__u32 flags;
	__u32 handle;
	__u32 reserved0;
	__u64 size;
	__u64 dev_addr;
	__u64 reserved[2];
};

/**
 * struct mmngrbuf_import_release - MMNGRBUF_IOCTL_IMPORT_RELEASE
 * @handle:	in: from MMNGRBUF_IOCTL_IMPORT on this file
 * @reserved:	must be zero
 */
struct mmngrbuf_import_release {
	__u32 handle;
	__u32 reserved;
};

/* struct mmngrbuf_fence_attach.flags */
#define MMNGRBUF_FENCE_WRITE		(1 << 0) /* else a read fence */
#define MMNGRBUF_FENCE_SYNC_FILE	(1 << 1) /* also return a sync_file */

/* Bounds of struct mmngrbuf_fence_attach.timeout_ms. */
#define MMNGRBUF_FENCE_TIMEOUT_MAX_MS	60000

/**
 * struct mmngrbuf_fence_attach - MMNGRBUF_IOCTL_FENCE_ATTACH
 * @fd:		in: any dma-buf; opened O_RDWR for a write fence
 * @flags:	in: MMNGRBUF_FENCE_*
 * @timeout_ms:	in: the fence is signalled with ETIMEDOUT if this file has
 *		not signalled it after so long; 0 for the module's default
 *		(parameter fence_timeout_ms), at most
 *		MMNGRBUF_FENCE_TIMEOUT_MAX_MS
 * @fence:	out: names the fence for MMNGRBUF_IOCTL_FENCE_SIGNAL
 * @sync_file:	out: with MMNGRBUF_FENCE_SYNC_FILE a sync_file fd (close on
 *		exec) of the fence, else -1
 * @reserved0:	must be zero
 * @reserved:	must be zero
 *
 * For hardware that user space drives (a codec or scaler programmed through
 * its own device): an unsignalled fence goes into the dma-buf's reservation
 * object, with usage DMA_RESV_USAGE_WRITE or _READ.  From then on every
 * implicit-sync user of the buffer waits for it as for any driver's fence:
 * poll(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_SYNC and importing
 * drivers.  Fails with EBUSY while a conflicting fence is unsignalled (any
 * fence for a write fence, a write fence for a read fence), as vgem does.
 * A file holds at most file_max_fences (module parameter, default 4096)
 * fences it has not signalled with MMNGRBUF_IOCTL_FENCE_SIGNAL, timed-out
 * ones included (ENOSPC).
 */
struct mmngrbuf_fence_attach {
	__s32 fd;
	__u32 flags;
	__u32 timeout_ms;
	__u32 fence;
	__s32 sync_file;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct mmngrbuf_fence_signal - MMNGRBUF_IOCTL_FENCE_SIGNAL
 * @fence:	in: from MMNGRBUF_IOCTL_FENCE_ATTACH on this file
 * @error:	in: 0, or a negative errno that waiters see as the fence's
 *		status (the work failed)
 * @reserved:	must be zero
 *
 * Fails with ENOENT for an unknown fence and ETIMEDOUT for one the timeout
 * already signalled (the fence is forgotten either way).  Closing the file
 * signals every fence it has not, with ECANCELED.
 */
struct mmngrbuf_fence_signal {
	__u32 fence;
	__s32 error;
	__u64 reserved;
};

/* Type MMNGR_IOC_MAGIC, numbers 0x20-0x3f (see <linux/mmngr.h>). */
#define MMNGRBUF_IOCTL_EXPORT		_IOWR(MMNGR_IOC_MAGIC, 0x20, struct mmngrbuf_export)
#define MMNGRBUF_IOCTL_ALLOC		_IOWR(MMNGR_IOC_MAGIC, 0x21, struct mmngrbuf_alloc)
#define MMNGRBUF_IOCTL_IMPORT		_IOWR(MMNGR_IOC_MAGIC, 0x22, struct mmngrbuf_import)
#define MMNGRBUF_IOCTL_IMPORT_RELEASE	_IOW(MMNGR_IOC_MAGIC, 0x23, struct mmngrbuf_import_release)
#define MMNGRBUF_IOCTL_FENCE_ATTACH	_IOWR(MMNGR_IOC_MAGIC, 0x24, struct mmngrbuf_fence_attach)
#define MMNGRBUF_IOCTL_FENCE_SIGNAL	_IOW(MMNGR_IOC_MAGIC, 0x25, struct mmngrbuf_fence_signal)

#endif /* _UAPI_LINUX_MMNGRBUF_H */
