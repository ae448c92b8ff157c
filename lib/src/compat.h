/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the drop-in libraries: the table of live ids,
 * diagnostics, and opening a device.
 *
 * Everything here is static.  libmmngr and libmmngrbuf each get a private
 * copy, so neither exports an internal symbol and their static archives
 * link together without clashes.  Include it from one file per library.
 */
#ifndef MMNGR_LIB_COMPAT_H
#define MMNGR_LIB_COMPAT_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUBLIC __attribute__((visibility("default")))

/*
 * Diagnostics go to stderr only when MMNGR_DEBUG is set to something other
 * than "0": the original perror()ed on every failure, which libraries
 * should not do to their programs.
 */
static pthread_once_t diag_once = PTHREAD_ONCE_INIT;
static bool diag_on;

static void diag_init(void)
{
	const char *v = getenv("MMNGR_DEBUG");

	diag_on = v && *v && strcmp(v, "0");
}

__attribute__((format(printf, 2, 3)))
static inline void diag(const char *func, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	pthread_once(&diag_once, diag_init);
	if (diag_on) {
		va_start(ap, fmt);
		flockfile(stderr);
		fprintf(stderr, "%s: %s: ", LIB_NAME, func);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
		va_end(ap);
	}
	errno = err;
}

/*
 * open() with O_CLOEXEC, never returning descriptor 0: ids are descriptors,
 * and programs written for the original keep them in handles where 0 means
 * "none".  That happens only when the program closed its stdin.
 */
static inline int open_id(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int fd2;

	if (fd != 0)
		return fd;
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 1);
	close(fd);
	return fd2;
}

/*
 * The ids this library handed out, by descriptor number, with what the
 * library must undo when they go: a mapping, and for an exported dma-buf
 * its descriptor and identity.
 *
 * The original took any descriptor it was given: freeing an id twice
 * reached whatever file had the number by then, and could close it.  Here
 * an id that is not in the table is a sequence error, and the descriptor
 * is checked to still be the device (or dma-buf) it was before it is
 * closed.  Lookups that use a descriptor hold the read lock while they do,
 * removal takes the write lock, so no descriptor is closed under a user.
 */
struct id_rec {
	int kind;		/* library-defined, never 0 */
	unsigned int flag;	/* pool flag of an allocation */
	void *addr;		/* mapping to undo, or NULL */
	size_t len;
	dev_t rdev;		/* the device the id is a descriptor of */
	int buf;		/* exported dma-buf descriptor, or -1 */
	dev_t buf_dev;
	ino_t buf_ino;
};

static pthread_rwlock_t id_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct id_rec *id_tab;
static size_t id_cap;

static inline bool id_add(int id, const struct id_rec *rec)
{
	struct id_rec *tab;
	size_t cap;
	bool ok = true;

	pthread_rwlock_wrlock(&id_lock);
	if ((size_t)id >= id_cap) {
		cap = id_cap ? id_cap : 64;
		while (cap <= (size_t)id)
			cap *= 2;
		tab = realloc(id_tab, cap * sizeof(*tab));
		if (tab) {
			memset(tab + id_cap, 0, (cap - id_cap) * sizeof(*tab));
			id_tab = tab;
			id_cap = cap;
		} else {
			ok = false;
		}
	}
	if (ok)
		id_tab[id] = *rec;
	pthread_rwlock_unlock(&id_lock);
	return ok;
}

/* Whether @fd is still a descriptor of character device @rdev. */
static inline bool fd_is_dev(int fd, dev_t rdev)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == rdev;
}

/*
 * Remove @id if it is live and of a kind in @kinds (a bit mask of
 * 1 << kind); copy its record to @rec.  An id whose descriptor the program
 * closed behind the library's back is dropped too, and reported as not
 * live.
 */
static inline bool id_take(int id, unsigned int kinds, struct id_rec *rec)
{
	bool ok = false;

	pthread_rwlock_wrlock(&id_lock);
	if (id > 0 && (size_t)id < id_cap && id_tab[id].kind &&
	    (kinds & (1u << id_tab[id].kind))) {
		*rec = id_tab[id];
		id_tab[id].kind = 0;
		ok = fd_is_dev(id, rec->rdev);
	}
	pthread_rwlock_unlock(&id_lock);
	return ok;
}

/*
 * Look @id up and, if it is live, keep the table read-locked so that its
 * descriptor stays open: the caller must id_put() after using it.
 */
static inline bool id_get(int id, struct id_rec *rec)
{
	pthread_rwlock_rdlock(&id_lock);
	if (id > 0 && (size_t)id < id_cap && id_tab[id].kind) {
		*rec = id_tab[id];
		return true;
	}
	pthread_rwlock_unlock(&id_lock);
	return false;
}

static inline void id_put(void)
{
	pthread_rwlock_unlock(&id_lock);
}

/* The device number of a device file, for fd_is_dev(). */
static inline dev_t fd_rdev(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_rdev;
}

#endif /* MMNGR_LIB_COMPAT_H */
