/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handle tables, shared by mmngr and mmngrbuf: an object's number is
 * reserved (xa_alloc() of NULL) while the object is built, and the object
 * is stored under it once complete and its creator has told user space.
 */
#ifndef _MMNGR_XA_H
#define _MMNGR_XA_H

#include <linux/xarray.h>

/**
 * mmngr_xa_take() - remove a published object from a handle table
 * @xa:		the table
 * @index:	the object's number, from user space
 *
 * Unlike xa_erase(), leaves a number that is only reserved alone: erasing
 * it would free the number for another thread's xa_alloc() while its
 * creator still means to store an object there, and one of the two objects
 * would be lost.
 *
 * Return: the object, now the caller's, or NULL if nothing is published
 * under @index.
 */
static inline void *mmngr_xa_take(struct xarray *xa, unsigned long index)
{
	void *entry;

	xa_lock(xa);
	entry = xa_load(xa, index);
	if (entry)
		__xa_erase(xa, index);
	xa_unlock(xa);
	return entry;
}

#endif /* _MMNGR_XA_H */
