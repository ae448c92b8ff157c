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
