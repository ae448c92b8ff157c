/* SPDX-License-Identifier: MIT */
/*
 * The /dev/rgnmm ioctl interface under the name Renesas' mmngr installed it
 * for programs that issue the ioctls themselves.  The definitions live in
 * <linux/rgnmm.h>; this header adds the original's DEVFILE and MM_IOC_MAGIC.
 *
 * As with the original, this header and mmngr_buf_private_cmn.h define
 * DEVFILE and MM_IOC_MAGIC differently: include only one of them.
 */
#ifndef MMNGR_PRIVATE_CMN_H
#define MMNGR_PRIVATE_CMN_H

#include <linux/rgnmm.h>

#define DEVFILE		"/dev/rgnmm"
#define MM_IOC_MAGIC	'm'

#endif /* MMNGR_PRIVATE_CMN_H */
