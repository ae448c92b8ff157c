/* SPDX-License-Identifier: MIT */
/* Internals of the mmngr2 interface, shared by its source files. */
#ifndef MMNGR2_PRIV_H
#define MMNGR2_PRIV_H

#include <stdint.h>

#include "mmngr2.h"

#define PUBLIC __attribute__((visibility("default")))
#define HIDDEN __attribute__((visibility("hidden")))

struct mmngr2 {
	int fd;			/* /dev/mmngr */
	int buf_fd;		/* /dev/rgnmmbuf, opened on first use, or -1 */
};

struct mmngr2_buf {
	struct mmngr2 *mm;
	uint32_t handle;
	uint32_t caching;
	uint64_t size;		/* whole pages */
	uint64_t dev_addr;
	uint64_t mmap_offset;
	void *map;		/* set once by mmngr2_map() */
};

/* The session's /dev/rgnmmbuf descriptor, or a negative errno. */
HIDDEN int mmngr2_buf_dev(struct mmngr2 *mm);

/* ioctl() returning 0 or -errno, retried on EINTR. */
HIDDEN int mmngr2_ioctl(int fd, unsigned long cmd, void *arg);

#endif /* MMNGR2_PRIV_H */
