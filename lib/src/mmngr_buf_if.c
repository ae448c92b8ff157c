// SPDX-License-Identifier: MIT
/*
 * libmmngrbuf: Renesas' libmmngrbuf interface over /dev/rgnmmbuf.
 *
 * An id is the descriptor of one open /dev/rgnmmbuf holding one export (a
 * dma-buf of an mmngr buffer) or one import (a foreign dma-buf mapped for
 * the mmngr devices).  libmmngrbuf never returned R_MM_SEQE or R_MM_NOMEM:
 * every failure of the system is R_MM_FATAL, and so it stays.
 */

#define LIB_NAME "libmmngrbuf"

#include <sys/ioctl.h>

#include "mmngr_buf_user_public.h"
#include "mmngr_buf_user_private.h"
#include "compat.h"

#define RGNMMBUF_DEV	"/dev/rgnmmbuf"

/* id_rec.kind */
enum {
	ID_EXPORT = 1,
	ID_IMPORT,
};

static int fail_close(int fd, int ret)
{
	close(fd);
	return ret;
}

static int open_dev(const char *func)
{
	int fd = open_id(RGNMMBUF_DEV);

	if (fd < 0)
		diag(func, "open %s: %m", RGNMMBUF_DEV);
	return fd;
}

PUBLIC int mmngr_export_start_in_user_ext(int *pid, size_t size,
					  unsigned int hard_addr, int *pbuf,
					  void *mem_param)
{
	struct MM_BUF_PARAM p = { .size = size, .hard_addr = hard_addr,
				  .buf = -1 };
	struct id_rec rec = { .kind = ID_EXPORT };
	struct stat st;
	int fd;

	(void)mem_param;
	if (!pid || !pbuf || !size)
		return R_MM_PARE;
	fd = open_dev(__func__);
	if (fd < 0)
		return R_MM_FATAL;
	if (ioctl(fd, MM_IOC_EXPORT_START, &p)) {
		diag(__func__, "MM_IOC_EXPORT_START of %zu bytes at %#x: %m",
		     size, hard_addr);
		return fail_close(fd, R_MM_FATAL);
	}
	/*
	 * The kernel returns the dma-buf without close-on-exec, as the
	 * original did; this library opens nothing that leaks into exec'd
	 * programs.  Its identity lets export_end close it only if the
	 * number still names it.
	 */
	fcntl(p.buf, F_SETFD, FD_CLOEXEC);
	rec.rdev = fd_rdev(fd);
	rec.buf = p.buf;
	if (!fstat(p.buf, &st)) {
		rec.buf_dev = st.st_dev;
		rec.buf_ino = st.st_ino;
	}
	if (!id_add(fd, &rec)) {
		diag(__func__, "out of memory for the id table");
		close(p.buf);
		return fail_close(fd, R_MM_FATAL);
	}
	*pid = fd;
	*pbuf = p.buf;
	return R_MM_OK;
}

PUBLIC int mmngr_export_end_in_user_ext(int id)
{
	struct MM_BUF_PARAM p = { .buf = -1 };
	struct id_rec rec;
	struct stat st;
	int ret = R_MM_OK;

	if (!id_take(id, 1u << ID_EXPORT, &rec))
		return R_MM_FATAL;
	if (ioctl(id, MM_IOC_EXPORT_END, &p)) {
		diag(__func__, "MM_IOC_EXPORT_END: %m");
		ret = R_MM_FATAL;
	}
	/*
	 * Like the original, close the dma-buf descriptor export_start
	 * returned; unlike it, not if the program closed it already and the
	 * number now names some other file.
	 */
	if (!fstat(rec.buf, &st) && st.st_dev == rec.buf_dev &&
	    st.st_ino == rec.buf_ino)
		close(rec.buf);
	close(id);
	return ret;
}

PUBLIC int mmngr_import_start_in_user_ext(int *pid, size_t *psize,
					  unsigned int *phard_addr, int buf,
					  void *mem_param)
{
	struct MM_BUF_PARAM p = { .buf = buf };
	struct id_rec rec = { .kind = ID_IMPORT, .buf = -1 };
	int fd;

	(void)mem_param;
	if (!pid || !psize || !phard_addr)
		return R_MM_PARE;
	fd = open_dev(__func__);
	if (fd < 0)
		return R_MM_FATAL;
	if (ioctl(fd, MM_IOC_IMPORT_START, &p)) {
		diag(__func__, "MM_IOC_IMPORT_START of fd %d: %m", buf);
		return fail_close(fd, R_MM_FATAL);
	}
	rec.rdev = fd_rdev(fd);
	if (!id_add(fd, &rec)) {
		diag(__func__, "out of memory for the id table");
		return fail_close(fd, R_MM_FATAL);
	}
	*psize = p.size;
	*phard_addr = p.hard_addr;
	*pid = fd;
	return R_MM_OK;
}

PUBLIC int mmngr_import_end_in_user_ext(int id)
{
	struct MM_BUF_PARAM p = { .buf = -1 };
	struct id_rec rec;
	int ret = R_MM_OK;

	if (!id_take(id, 1u << ID_IMPORT, &rec))
		return R_MM_FATAL;
	if (ioctl(id, MM_IOC_IMPORT_END, &p)) {
		diag(__func__, "MM_IOC_IMPORT_END: %m");
		ret = R_MM_FATAL;
	}
	close(id);
	return ret;
}
