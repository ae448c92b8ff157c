/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API changes between the kernels mmngr supports (6.1 to 6.12): one
 * shim per change, here and nowhere else, so that the driver reads as code
 * for the current kernel.
 */
#ifndef _MMNGR_KCOMPAT_H
#define _MMNGR_KCOMPAT_H

#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
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

/*
 * 6.17, "mm/page_isolation: remove migratetype parameter from more
 * functions": alloc_contig_range() takes ACR_FLAGS_CMA or ACR_FLAGS_NONE
 * where it took the range's migratetype (MIGRATE_CMA for a CMA area,
 * MIGRATE_MOVABLE otherwise; without CONFIG_CMA there are no CMA areas).
 */
#ifndef ACR_FLAGS_CMA
typedef unsigned int acr_flags_t;
#define ACR_FLAGS_NONE		MIGRATE_MOVABLE
#ifdef CONFIG_CMA
#define ACR_FLAGS_CMA		MIGRATE_CMA
#else
#define ACR_FLAGS_CMA		MIGRATE_MOVABLE
#endif
#endif

/*
 * 6.18, "mm: remove nth_page()": pages of a physically contiguous range
 * are no longer reached by one macro.  Ours come from CMA, from no-map
 * regions and from alloc_contig_range(), which need not be contiguous
 * in the memmap on every memory model: go through the PFN, as the macro
 * did where it mattered.
 */
#ifndef nth_page
#define nth_page(page, n)	pfn_to_page(page_to_pfn(page) + (n))
#endif

/*
 * 6.13, "module: Convert symbol namespace to string literal": the
 * namespace is a string, MODULE_IMPORT_NS("DMA_BUF"); before, a bare
 * token that the macro stringified.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

#endif /* _MMNGR_KCOMPAT_H */
