/* SPDX-License-Identifier: MIT */
/*
 * The /dev/rgnmmbuf ioctl interface under the name Renesas' mmngrbuf
 * installed it.  The definitions live in <linux/rgnmm.h>; this header adds
 * the original's DEVFILE and MM_IOC_MAGIC.
 *
 * As with the original, this header and mmngr_private_cmn.h define DEVFILE
 * and MM_IOC_MAGIC differently: include only one of them.
 */
#ifndef MMNGR_BUF_PRIVATE_CMN_H
#define MMNGR_BUF_PRIVATE_CMN_H

#include <linux/rgnmm.h>

#define DEVFILE		"/dev/rgnmmbuf"
#define MM_IOC_MAGIC	'd'

#endif /* MMNGR_BUF_PRIVATE_CMN_H */
