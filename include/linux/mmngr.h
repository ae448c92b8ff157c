/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel interface of the mmngr contiguous-memory allocator, for
 * mmngrbuf and for other drivers that are handed mmngr device addresses.
 */
#ifndef _LINUX_MMNGR_H
#define _LINUX_MMNGR_H

#include <linux/types.h>

bool mmngr_validate_phys_addr(phys_addr_t phys_addr, u64 size);

#endif /* _LINUX_MMNGR_H */
