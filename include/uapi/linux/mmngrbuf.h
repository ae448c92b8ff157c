/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * mmngrbuf's modern ABI, on /dev/rgnmmbuf beside the Renesas commands
 * (include/uapi/linux/rgnmm.h).  Same rules as <linux/mmngr.h>: fixed-width
 * fields, one layout for 32- and 64-bit callers, reserved fields zero,
 * structures that may grow at the end.
 */
#ifndef _UAPI_LINUX_MMNGRBUF_H
#define _UAPI_LINUX_MMNGRBUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct mmngrbuf_export - MMNGRBUF_IOCTL_EXPORT
 * @mmngr_fd:	in: an open /dev/mmngr
 * @handle:	in: a buffer handle of that file
 * @fd_flags:	in: flags of the new file descriptor: O_CLOEXEC, and O_RDWR
 *		for a writable mapping (O_RDONLY is 0)
 * @fd:		out: the dma-buf file descriptor
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

#define MMNGRBUF_IOCTL_EXPORT	_IOWR('d', 0x40, struct mmngrbuf_export)

#endif /* _UAPI_LINUX_MMNGRBUF_H */
