/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Renesas-compatible ABI of /dev/rgnmm (mmngr) and /dev/rgnmmbuf (mmngrbuf).
 *
 * Programs written against Renesas' mmngr_private_cmn.h and
 * mmngr_buf_private_cmn.h use these ioctl numbers and structure layouts.
 * The layouts are those of the original headers (which used size_t and
 * unsigned long) spelt with the kernel's own types so that they are the same
 * on LP64 and on 32-bit ARM, where the driver translates them in
 * compat_ioctl.
 *
 * New programs should use the modern ABI instead.
 */
#ifndef _UAPI_LINUX_RGNMM_H
#define _UAPI_LINUX_RGNMM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ----- /dev/rgnmm (mmngr), ioctl magic 'm' ----- */

/* MM_PARAM.flag: where ALLOC / ALLOC_CO take memory from, and its caching. */
#define MM_KERNELHEAP		0	/* default CMA area, write-combined */
#define MM_CARVEOUT		1	/* the multimedia carve-out */
#define MM_CARVEOUT_SSP		3	/* secure-stream sub-pool */
#define MM_CARVEOUT_LOSSY	4	/* lossy-decompression pool */
#define MM_KERNELHEAP_CACHED	5	/* default CMA area, cached */
/* MM_CARVEOUT_LOSSY | format << 4, format 1..3 (see MM_FUNC_FMT_LOSSY_*) */
#define MM_LOSSY_FLAG(fmt)	(MM_CARVEOUT_LOSSY | ((fmt) << 4))

/**
 * struct MM_PARAM - argument of the /dev/rgnmm ioctls
 * @size:		buffer size in bytes (ALLOC, ALLOC_CO, SHARE)
 * @phy_addr:		SHARE: device address of the range to map.  GET
 *			returns 0: physical addresses are not disclosed.
 * @hard_addr:		the buffer's address for devices (GET, VTOP)
 * @user_virt_addr:	SET stores it, GET returns it, VTOP translates it
 * @kernel_virt_addr:	always 0 (the original leaked a kernel pointer)
 * @flag:		pool and caching, MM_KERNELHEAP...
 */
struct MM_PARAM {
	__kernel_size_t		size;
	__u64			phy_addr;
	__u32			hard_addr;
	__kernel_ulong_t	user_virt_addr;
	__kernel_ulong_t	kernel_virt_addr;
	__u32			flag;
};

/**
 * struct MM_CACHE_PARAM - argument of MM_IOC_FLUSH and MM_IOC_INVAL
 * @offset:	start of the range, from the start of the buffer
 * @len:	length of the range
 */
struct MM_CACHE_PARAM {
	__kernel_size_t	offset;
	__kernel_size_t	len;
};

#define MM_IOC_ALLOC		_IOWR('m', 0, struct MM_PARAM)
#define MM_IOC_FREE		_IOWR('m', 1, struct MM_PARAM)
#define MM_IOC_SET		_IOWR('m', 2, struct MM_PARAM)
#define MM_IOC_GET		_IOWR('m', 3, struct MM_PARAM)
#define MM_IOC_ALLOC_CO		_IOWR('m', 4, struct MM_PARAM)
#define MM_IOC_FREE_CO		_IOWR('m', 5, struct MM_PARAM)
#define MM_IOC_SHARE		_IOWR('m', 6, struct MM_PARAM)
#define MM_IOC_FLUSH		_IOWR('m', 7, struct MM_CACHE_PARAM)
#define MM_IOC_INVAL		_IOWR('m', 8, struct MM_CACHE_PARAM)
#define MM_IOC_VTOP		_IOWR('m', 9, struct MM_PARAM)

/* ----- /dev/rgnmmbuf (mmngrbuf), ioctl magic 'd' ----- */

/**
 * struct MM_BUF_PARAM - argument of every /dev/rgnmmbuf ioctl
 * @size:	buffer size in bytes
 * @hard_addr:	device address of the buffer (32-bit, as in the original)
 * @buf:	dma-buf file descriptor
 */
struct MM_BUF_PARAM {
	__kernel_size_t	size;
	__u32		hard_addr;
	__s32		buf;
};

#define MM_IOC_EXPORT_START	_IOWR('d', 0, struct MM_BUF_PARAM)
#define MM_IOC_EXPORT_END	_IOWR('d', 1, struct MM_BUF_PARAM)
#define MM_IOC_IMPORT_START	_IOWR('d', 2, struct MM_BUF_PARAM)
#define MM_IOC_IMPORT_END	_IOWR('d', 3, struct MM_BUF_PARAM)

#endif /* _UAPI_LINUX_RGNMM_H */
