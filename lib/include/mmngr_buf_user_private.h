/* SPDX-License-Identifier: MIT */
/*
 * Installed for compatibility with Renesas' libmmngrbuf, whose programs may
 * include it.  It only pulls in the ioctl interface.
 */
#ifndef MMNGR_BUF_USER_PRIVATE_H
#define MMNGR_BUF_USER_PRIVATE_H

#include "mmngr_buf_private_cmn.h"

#endif /* MMNGR_BUF_USER_PRIVATE_H */
