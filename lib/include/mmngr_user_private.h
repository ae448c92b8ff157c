/* SPDX-License-Identifier: MIT */
/*
 * Installed for compatibility with Renesas' libmmngr, whose programs may
 * include it.  It only pulls in the ioctl interface: the original declared
 * the library's internal (static) functions here, which no program can
 * call.
 */
#ifndef MMNGR_USER_PRIVATE_H
#define MMNGR_USER_PRIVATE_H

#include "mmngr_private_cmn.h"

#endif /* MMNGR_USER_PRIVATE_H */
