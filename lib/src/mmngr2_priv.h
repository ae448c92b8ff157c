/* SPDX-License-Identifier: MIT */
/* Internals of the mmngr2 interface, shared by its source files. */
#ifndef MMNGR2_PRIV_H
#define MMNGR2_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "mmngr2.h"

#define PUBLIC __attribute__((visibility("default")))
#define HIDDEN __attribute__((visibility("hidden")))

/*
 * A session lives while the program's reference (dropped by mmngr2_close())
 * or a buffer's (dropped by mmngr2_free()) does.
 */
struct mmngr2 {
	int fd;			/* /dev/mmngr */
	int buf_fd;		/* /dev/rgnmmbuf, opened on first use, or -1 */
	unsigned int refs;
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

/* Take and drop a reference to a session; the last put ends it. */
HIDDEN void mmngr2_get(struct mmngr2 *mm);
HIDDEN void mmngr2_put(struct mmngr2 *mm);

/*
 * Fill a caller's structure of caller_size bytes from the library's own of
 * lib_size: the common prefix, zeroes beyond.
 */
HIDDEN void mmngr2_copy_out(void *dst, size_t caller_size, const void *src,
			    size_t lib_size);

/* The session's /dev/rgnmmbuf descriptor, or a negative errno. */
HIDDEN int mmngr2_buf_dev(struct mmngr2 *mm);

/* ioctl() returning 0 or -errno, retried on EINTR. */
HIDDEN int mmngr2_ioctl(int fd, unsigned long cmd, void *arg);

#endif /* MMNGR2_PRIV_H */
