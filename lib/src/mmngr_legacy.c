// SPDX-License-Identifier: MIT
/*
 * libmmngr: the R-Car Gen2 interface, over the Gen3 one.
 *
 * Addresses travel in unsigned long here but are 32 bits wide underneath.
 * The original truncated larger values silently (and so mapped or
 * allocated something else); these wrappers refuse them with R_MM_PARE.
 */

#include <limits.h>

#include "mmngr_user_public.h"

#define PUBLIC __attribute__((visibility("default")))

PUBLIC int mmngr_alloc_in_user(MMNGR_ID *pid, unsigned long size,
			       unsigned long *pphy_addr,
			       unsigned long *phard_addr,
			       unsigned long *puser_virt_addr,
			       unsigned long flag)
{
	unsigned int hard_addr = 0;
	void *va = NULL;
	int ret;

	/* The original wrote through these unchecked. */
	if (!pphy_addr || !phard_addr || !puser_virt_addr)
		return R_MM_PARE;

	if (flag > UINT_MAX)
		ret = R_MM_PARE;
	else
		ret = mmngr_alloc_in_user_ext(pid, size, &hard_addr, &va,
					      flag, NULL);
	/*
	 * Written whatever the result, as the original did (which left
	 * stack garbage there on failure: here 0).  The physical address is
	 * never disclosed: -1.
	 */
	*puser_virt_addr = (unsigned long)va;
	*phard_addr = hard_addr;
	*pphy_addr = (unsigned long)-1;
	return ret;
}

PUBLIC int mmngr_free_in_user(MMNGR_ID id)
{
	return mmngr_free_in_user_ext(id);
}

PUBLIC int mmngr_share_in_user(MMNGR_ID *pid, unsigned long size,
			       unsigned long hard_addr,
			       unsigned long *puser_virt_addr)
{
	void *va;
	int ret;

	if (!puser_virt_addr || hard_addr > UINT_MAX)
		return R_MM_PARE;
	ret = mmngr_share_in_user_ext(pid, size, hard_addr, &va, NULL);
	if (ret == R_MM_OK)
		*puser_virt_addr = (unsigned long)va;
	return ret;
}

PUBLIC int mmngr_release_in_user(MMNGR_ID id)
{
	return mmngr_release_in_user_ext(id);
}
