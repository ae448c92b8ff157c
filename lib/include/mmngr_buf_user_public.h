/* SPDX-License-Identifier: MIT */
/*
 * libmmngrbuf: mmngr buffers as dma-bufs and the device address of foreign
 * dma-bufs, with the interface of Renesas' libmmngrbuf.
 * See mmngr_export_start_in_user_ext(3).
 */
#ifndef MMNGR_BUF_USER_PUBLIC_H
#define MMNGR_BUF_USER_PUBLIC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

int mmngr_export_start_in_user_ext(int *pid, size_t size,
				   unsigned int hard_addr, int *pbuf,
				   void *mem_param);
int mmngr_export_end_in_user_ext(int id);
int mmngr_import_start_in_user_ext(int *pid, size_t *psize,
				   unsigned int *phard_addr, int buf,
				   void *mem_param);
int mmngr_import_end_in_user_ext(int id);

/* The R-Car Gen2 interface, kept for old programs. */
int mmngr_export_start_in_user(int *pid, unsigned long size,
			       unsigned long hard_addr, int *pbuf);
int mmngr_export_end_in_user(int id);
int mmngr_import_start_in_user(int *pid, unsigned long *psize,
			       unsigned long *phard_addr, int buf);
int mmngr_import_end_in_user(int id);

/* Results, as libmmngr's. */
#define R_MM_OK		0
#define R_MM_FATAL	-1
#define R_MM_SEQE	-2
#define R_MM_PARE	-3
#define R_MM_NOMEM	-4

#ifdef __cplusplus
}
#endif

#endif /* MMNGR_BUF_USER_PUBLIC_H */
