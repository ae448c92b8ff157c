// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address validation for drivers that are handed device addresses by user
 * space (the original mmngr's mmngr_validate_phys_addr()).
 */

#include <linux/module.h>
#include <linux/overflow.h>

#include <linux/mmngr.h>

/**
 * mmngr_validate_phys_addr() - check that a range belongs to a live buffer
 * @phys_addr:	first byte of the range
 * @size:	length of the range in bytes
 *
 * Drivers that accept device addresses from user space call this before
 * programming them into hardware, so that a process cannot point a DMA
 * master at memory it was never given.
 *
 * Return: true if [@phys_addr, @phys_addr + @size) lies entirely inside one
 * live mmngr allocation, false otherwise (always false while mmngr has
 * allocated nothing, and for empty or wrapping ranges).
 */
bool mmngr_validate_phys_addr(phys_addr_t phys_addr, u64 size)
{
	u64 end;

	if (!size || check_add_overflow((u64)phys_addr, size, &end))
		return false;

	/* No allocator is wired up yet, so no range is owned by a buffer. */
	return false;
}
EXPORT_SYMBOL_GPL(mmngr_validate_phys_addr);
