/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API changes between the kernels mmngr supports (6.1 to 6.12): one
 * shim per change, here and nowhere else, so that the driver reads as code
 * for the current kernel.
 */
#ifndef _MMNGR_KCOMPAT_H
#define _MMNGR_KCOMPAT_H

#include <linux/file.h>
#include <linux/mm.h>
#include <linux/version.h>

/* 6.3 made vma->vm_flags read-only behind vm_flags_set(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/* 6.12 hid struct fd's members behind fd_file() (a macro). */
#ifndef fd_file
#define fd_file(f)	((f).file)
#endif

#endif /* _MMNGR_KCOMPAT_H */
