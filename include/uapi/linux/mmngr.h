/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * mmngr's modern user-space ABI: /dev/mmngr.
 *
 * One open file holds any number of buffers, named by handles local to the
 * file.  Every structure has fixed-width fields, explicit padding and the
 * same layout on 32- and 64-bit user space.  A structure may grow at its
 * end in later versions: the kernel reads the size from the ioctl number,
 * zero-extends older (shorter) structures, and refuses newer ones (E2BIG)
 * whose unknown tail is not zero.  Reserved fields must be zero.
 *
 * Documentation/userspace-api/mmngr.md describes it in full.
 */
#ifndef _UAPI_LINUX_MMNGR_H
#define _UAPI_LINUX_MMNGR_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Pool kinds (struct mmngr_pool_info.kind). */
#define MMNGR_POOL_KIND_DMA	0	/* DMA API: the default CMA area */
#define MMNGR_POOL_KIND_CMA	1	/* a CMA region, claimed while in use */
#define MMNGR_POOL_KIND_MOVABLE	2	/* ZONE_MOVABLE, claimed while in use */
#define MMNGR_POOL_KIND_NOMAP	3	/* memory Linux does not map */

/* CPU caching of a buffer's mappings (struct mmngr_alloc.caching). */
#define MMNGR_CACHING_CACHED		0
#define MMNGR_CACHING_WRITECOMBINE	1
#define MMNGR_CACHING_UNCACHED		2

/**
 * struct mmngr_pool_info - MMNGR_IOCTL_POOL_INFO
 * @index:	in: 0 .. number of pools - 1 (ENOENT beyond)
 * @kind:	out: MMNGR_POOL_KIND_*
 * @name:	out: "kernelheap", "multimedia", ..., NUL-terminated
 * @size:	out: bytes (0: not known, the kernel heap)
 * @used:	out: bytes in live buffers
 * @largest_free: out: the largest buffer that fits now (0: not known)
 * @buffers:	out: live buffers
 * @caching:	out: the caching modes it offers, 1 << MMNGR_CACHING_*
 * @reserved:	must be zero
 */
struct mmngr_pool_info {
	__u32 index;
	__u32 kind;
	char name[32];
	__u64 size;
	__u64 used;
	__u64 largest_free;
	__u32 buffers;
	__u32 caching;
	__u64 reserved[4];
};

/**
 * struct mmngr_alloc - MMNGR_IOCTL_ALLOC
 * @size:	in: bytes, rounded up to pages (at most 4 GiB)
 * @align:	in: alignment of the device address, a power of two
 *		(0: a page)
 * @pool:	in: pool index
 * @caching:	in: MMNGR_CACHING_*
 * @flags:	in: must be zero
 * @handle:	out: the buffer's handle in this file, never 0
 * @mmap_offset: out: offset to pass to mmap() on this file
 * @dev_addr:	out: the buffer's address for devices (the Renesas ABI's
 *		"hard address": physical where no IOMMU translates it)
 * @reserved:	must be zero
 *
 * The buffer is zeroed.  It lives until MMNGR_IOCTL_FREE or the file's
 * release, and after that for as long as a mapping or a dma-buf holds it.
 */
struct mmngr_alloc {
	__u64 size;
	__u64 align;
	__u32 pool;
	__u32 caching;
	__u32 flags;
	__u32 handle;
	__u64 mmap_offset;
	__u64 dev_addr;
	__u64 reserved[2];
};

/**
 * struct mmngr_free - MMNGR_IOCTL_FREE
 * @handle:	the buffer
 * @reserved:	must be zero
 */
struct mmngr_free {
	__u32 handle;
	__u32 reserved;
};

/* struct mmngr_sync.flags: as DMA_BUF_IOCTL_SYNC's. */
#define MMNGR_SYNC_READ		(1 << 0)
#define MMNGR_SYNC_WRITE	(1 << 1)
#define MMNGR_SYNC_RW		(MMNGR_SYNC_READ | MMNGR_SYNC_WRITE)
#define MMNGR_SYNC_START	(0 << 2)
#define MMNGR_SYNC_END		(1 << 2)

/**
 * struct mmngr_sync - MMNGR_IOCTL_SYNC
 * @handle:	the buffer
 * @flags:	MMNGR_SYNC_START or _END, with _READ and/or _WRITE
 * @offset:	start of the range in the buffer
 * @len:	length of the range, at least 1
 * @reserved:	must be zero
 *
 * Bracket CPU access to a cached buffer: START before the CPU reads what a
 * device wrote (invalidates), END after the CPU wrote what a device will
 * read (cleans).
 */
struct mmngr_sync {
	__u32 handle;
	__u32 flags;
	__u64 offset;
	__u64 len;
	__u64 reserved;
};

/*
 * The modern ABIs' ioctl type, free in the kernel's ioctl-number.rst (the
 * Renesas ABI keeps the original's 'm' and 'd', which DRM shares).
 * Numbers 0x00-0x1f: /dev/mmngr; 0x20-0x3f: the modern /dev/rgnmmbuf
 * commands (<linux/mmngrbuf.h>).
 */
#define MMNGR_IOC_MAGIC		0xBA

#define MMNGR_IOCTL_POOL_INFO	_IOWR(MMNGR_IOC_MAGIC, 0x00, struct mmngr_pool_info)
#define MMNGR_IOCTL_ALLOC	_IOWR(MMNGR_IOC_MAGIC, 0x01, struct mmngr_alloc)
#define MMNGR_IOCTL_FREE	_IOW(MMNGR_IOC_MAGIC, 0x02, struct mmngr_free)
#define MMNGR_IOCTL_SYNC	_IOW(MMNGR_IOC_MAGIC, 0x03, struct mmngr_sync)

#endif /* _UAPI_LINUX_MMNGR_H */
