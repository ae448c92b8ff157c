// SPDX-License-Identifier: MIT
/*
 * libmmngrbuf: the R-Car Gen2 interface, over the Gen3 one.  Addresses
 * wider than the ABI's 32 bits are refused (R_MM_PARE) where the original
 * truncated them, and imports write whole unsigned longs where the original
 * wrote only their low 32 bits on 64-bit systems.
 */

#include <limits.h>

#include "mmngr_buf_user_public.h"

#define PUBLIC __attribute__((visibility("default")))

PUBLIC int mmngr_export_start_in_user(int *pid, unsigned long size,
				      unsigned long hard_addr, int *pbuf)
{
	if (hard_addr > UINT_MAX)
		return R_MM_PARE;
	return mmngr_export_start_in_user_ext(pid, size, hard_addr, pbuf,
					      NULL);
}

PUBLIC int mmngr_export_end_in_user(int id)
{
	return mmngr_export_end_in_user_ext(id);
}

PUBLIC int mmngr_import_start_in_user(int *pid, unsigned long *psize,
				      unsigned long *phard_addr, int buf)
{
	unsigned int hard_addr;
	size_t size;
	int ret;

	if (!psize || !phard_addr)
		return R_MM_PARE;
	ret = mmngr_import_start_in_user_ext(pid, &size, &hard_addr, buf,
					     NULL);
	if (ret == R_MM_OK) {
		*psize = size;
		*phard_addr = hard_addr;
	}
	return ret;
}

PUBLIC int mmngr_import_end_in_user(int id)
{
	return mmngr_import_end_in_user_ext(id);
}
