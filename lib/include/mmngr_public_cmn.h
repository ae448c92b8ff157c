/* SPDX-License-Identifier: MIT */
/*
 * Pool identifiers shared by the kernel ABI and libmmngr, under the name
 * Renesas' mmngr installed them.  The values are the ABI's (MM_PARAM.flag,
 * see <linux/rgnmm.h>, which defines the same macros token for token, so
 * both headers can be included together).
 */
#ifndef MMNGR_PUBLIC_CMN_H
#define MMNGR_PUBLIC_CMN_H

#define MM_KERNELHEAP		0	/* default CMA area, write-combined */
#define MM_CARVEOUT		1	/* the multimedia carve-out */
#define MM_CARVEOUT_SSP		3	/* secure-stream sub-pool */
#define MM_CARVEOUT_LOSSY	4	/* lossy-decompression pool */
#define MM_KERNELHEAP_CACHED	5	/* default CMA area, cached */

#endif /* MMNGR_PUBLIC_CMN_H */
