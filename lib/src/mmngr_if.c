// SPDX-License-Identifier: MIT
/*
 * libmmngr: Renesas' libmmngr interface over /dev/rgnmm.
 *
 * An id is the descriptor of one open /dev/rgnmm, which holds one buffer
 * (or, after a share, a view of one); closing it lets the kernel free the
 * buffer, so a program that dies leaks nothing.  The results match the
 * original's call for call; Documentation/libmmngr.md lists where this
 * library does the safe thing instead of crashing or corrupting.
 */

#define LIB_NAME "libmmngr"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mmngr_user_public.h"
#include "mmngr_user_private.h"
#include "compat.h"

#define RGNMM_DEV	"/dev/rgnmm"

/* id_rec.kind */
enum {
	ID_ALLOC_VA = 1,	/* kernel heap, mapped by the library */
	ID_ALLOC_PA,		/* carve-out: device address only */
	ID_SHARE,		/* a mapping of someone's buffer */
};

#define ID_ANY	((1u << ID_ALLOC_VA) | (1u << ID_ALLOC_PA) | (1u << ID_SHARE))

static int fail_close(int fd, int ret)
{
	close(fd);
	return ret;
}

/* The descriptor of a new id, recorded; R_MM_* on failure (fd closed). */
static int add_id(int fd, int kind, unsigned int flag, void *addr,
		  size_t len)
{
	struct id_rec rec = {
		.kind = kind, .flag = flag, .addr = addr, .len = len,
		.rdev = fd_rdev(fd), .buf = -1,
	};

	if (id_add(fd, &rec))
		return R_MM_OK;
	diag(__func__, "out of memory for the id table");
	if (addr)
		munmap(addr, len);
	return fail_close(fd, R_MM_FATAL);
}

/* MMNGR_VA_SUPPORT[_CACHED]: a kernel-heap buffer and its mapping. */
static int alloc_va(MMNGR_ID *pid, size_t size, unsigned int *phard_addr,
		    void **puser_virt_addr, unsigned int flag)
{
	struct MM_PARAM p = { .size = size, .flag = flag };
	void *va;
	int fd, ret;

	fd = open_id(RGNMM_DEV);
	if (fd < 0) {
		diag(__func__, "open %s: %m", RGNMM_DEV);
		return R_MM_FATAL;
	}
	if (ioctl(fd, MM_IOC_ALLOC, &p)) {
		diag(__func__, "MM_IOC_ALLOC of %zu bytes: %m", size);
		/* EDQUOT: this user's limit on the pool; no memory for it. */
		return fail_close(fd, errno == ENOMEM || errno == EDQUOT ?
				      R_MM_NOMEM : R_MM_FATAL);
	}
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED) {
		diag(__func__, "mmap: %m");
		return fail_close(fd, R_MM_FATAL);
	}
	/* GET returns the address SET stored, as the original's did. */
	p.user_virt_addr = (unsigned long)va;
	if (ioctl(fd, MM_IOC_SET, &p) || ioctl(fd, MM_IOC_GET, &p)) {
		diag(__func__, "MM_IOC_SET/GET: %m");
		munmap(va, size);
		return fail_close(fd, R_MM_FATAL);
	}
	ret = add_id(fd, ID_ALLOC_VA, flag, va, size);
	if (ret)
		return ret;
	*phard_addr = p.hard_addr;
	*puser_virt_addr = va;
	*pid = fd;
	return R_MM_OK;
}

/* Carve-out, SSP or lossy (@flag as the kernel takes it): no mapping. */
static int alloc_pa(MMNGR_ID *pid, size_t size, unsigned int *phard_addr,
		    void **puser_virt_addr, unsigned int flag)
{
	struct MM_PARAM p = { .size = size, .flag = flag };
	int fd, ret;

	fd = open_id(RGNMM_DEV);
	if (fd < 0) {
		diag(__func__, "open %s: %m", RGNMM_DEV);
		return R_MM_FATAL;
	}
	if (ioctl(fd, MM_IOC_ALLOC_CO, &p)) {
		diag(__func__, "MM_IOC_ALLOC_CO of %zu bytes, flag %#x: %m",
		     size, flag);
		/* EINVAL: the board has no such pool (SSP, lossy format). */
		if (errno == ENOMEM || errno == EDQUOT)
			ret = R_MM_NOMEM;
		else if (errno == EINVAL)
			ret = R_MM_PARE;
		else
			ret = R_MM_FATAL;
		return fail_close(fd, ret);
	}
	if (ioctl(fd, MM_IOC_GET, &p)) {
		diag(__func__, "MM_IOC_GET: %m");
		return fail_close(fd, R_MM_FATAL);
	}
	ret = add_id(fd, ID_ALLOC_PA, flag, NULL, 0);
	if (ret)
		return ret;
	*phard_addr = p.hard_addr;
	*puser_virt_addr = NULL;
	*pid = fd;
	return R_MM_OK;
}

static int alloc_lossy(MMNGR_ID *pid, size_t size, unsigned int *phard_addr,
		       void **puser_virt_addr, struct MM_FUNC *func)
{
	int ret;

	if (!func)
		return R_MM_PARE;
	if (func->func == MM_FUNC_LOSSY_DISABLE)
		return alloc_pa(pid, size, phard_addr, puser_virt_addr,
				MM_CARVEOUT);
	if (func->func != MM_FUNC_LOSSY_ENABLE ||
	    func->type != MM_FUNC_TYPE_LOSSY_AREA ||
	    func->attr < MM_FUNC_FMT_LOSSY_YUVPLANAR ||
	    func->attr > MM_FUNC_FMT_LOSSY_ARGB8888)
		return R_MM_PARE;

	ret = alloc_pa(pid, size, phard_addr, puser_virt_addr,
		       MM_LOSSY_FLAG(func->attr));
	/* The original reports "supported" on anything but PARE. */
	if (func->conf)
		*func->conf = ret == R_MM_PARE ? MM_FUNC_STAT_LOSSY_NOT_SUPPORT :
						 MM_FUNC_STAT_LOSSY_SUPPORT;
	return ret;
}

PUBLIC int mmngr_alloc_in_user_ext(MMNGR_ID *pid, size_t size,
				   unsigned int *phard_addr,
				   void **puser_virt_addr, unsigned int flag,
				   void *mem_param)
{
	if (!pid || !phard_addr || !puser_virt_addr || !size)
		return R_MM_PARE;

	switch (flag) {
	case MMNGR_VA_SUPPORT:
	case MMNGR_VA_SUPPORT_CACHED:
		return alloc_va(pid, size, phard_addr, puser_virt_addr, flag);
	case MMNGR_PA_SUPPORT:
	case MMNGR_PA_SUPPORT_SSP:
		return alloc_pa(pid, size, phard_addr, puser_virt_addr, flag);
	case MMNGR_PA_SUPPORT_LOSSY:
		return alloc_lossy(pid, size, phard_addr, puser_virt_addr,
				   mem_param);
	default:
		return R_MM_PARE;
	}
}

PUBLIC int mmngr_free_in_user_ext(MMNGR_ID id)
{
	struct MM_PARAM p = { 0 };
	unsigned long cmd;
	struct id_rec rec;
	int ret = R_MM_OK;

	if (!id_take(id, ID_ANY, &rec))
		return R_MM_SEQE;
	if (rec.addr)
		munmap(rec.addr, rec.len);
	/*
	 * A share id has nothing to free: the original sent it down the
	 * kernel-heap path, which made its driver free memory it did not
	 * own.  Here it is released.
	 */
	if (rec.kind != ID_SHARE) {
		cmd = rec.kind == ID_ALLOC_VA ? MM_IOC_FREE : MM_IOC_FREE_CO;
		if (ioctl(id, cmd, &p)) {
			diag(__func__, "MM_IOC_FREE%s: %m",
			     rec.kind == ID_ALLOC_VA ? "" : "_CO");
			ret = R_MM_FATAL;
		}
	}
	close(id);
	return ret;
}

PUBLIC int mmngr_share_in_user_ext(MMNGR_ID *pid, size_t size,
				   unsigned int hard_addr,
				   void **puser_virt_addr, void *mem_param)
{
	struct MM_PARAM p = { .size = size, .phy_addr = hard_addr };
	size_t page = sysconf(_SC_PAGESIZE), len;
	void *va;
	int fd, ret;

	(void)mem_param;
	if (!pid || !puser_virt_addr || !size)
		return R_MM_PARE;

	fd = open_id(RGNMM_DEV);
	if (fd < 0) {
		diag(__func__, "open %s: %m", RGNMM_DEV);
		return R_MM_FATAL;
	}
	if (ioctl(fd, MM_IOC_SHARE, &p)) {
		diag(__func__, "MM_IOC_SHARE of %zu bytes at %#x: %m",
		     size, hard_addr);
		return fail_close(fd, R_MM_FATAL);
	}
	/*
	 * The mapping starts at the page holding @hard_addr and the pointer
	 * returned is that page's, as in the original: programs add the
	 * offset themselves.  Unlike the original, it reaches the range's
	 * last byte even when the range does not start on a page.
	 */
	len = ((hard_addr & (page - 1)) + size + page - 1) & ~(page - 1);
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED) {
		diag(__func__, "mmap: %m");
		return fail_close(fd, R_MM_FATAL);
	}
	p.user_virt_addr = (unsigned long)va;
	if (ioctl(fd, MM_IOC_SET, &p)) {
		diag(__func__, "MM_IOC_SET: %m");
		munmap(va, len);
		return fail_close(fd, R_MM_FATAL);
	}
	ret = add_id(fd, ID_SHARE, 0, va, len);
	if (ret)
		return ret;
	*puser_virt_addr = va;
	*pid = fd;
	return R_MM_OK;
}

/* Also takes an allocation's id: closing it frees the buffer. */
PUBLIC int mmngr_release_in_user_ext(MMNGR_ID id)
{
	struct id_rec rec;

	if (!id_take(id, ID_ANY, &rec))
		return R_MM_SEQE;
	if (rec.addr)
		munmap(rec.addr, rec.len);
	close(id);
	return R_MM_OK;
}

static int cache_op(const char *func, MMNGR_ID id, unsigned long cmd,
		    size_t offset, size_t len)
{
	struct MM_CACHE_PARAM p = { .offset = offset, .len = len };
	struct id_rec rec;
	int ret = R_MM_OK;

	/* The original's ioctl on a dead id failed: R_MM_FATAL, not SEQE. */
	if (!id_get(id, &rec))
		return R_MM_FATAL;
	if (ioctl(id, cmd, &p)) {
		diag(func, "[%zu, +%zu): %m", offset, len);
		ret = R_MM_FATAL;
	}
	id_put();
	return ret;
}

PUBLIC int mmngr_inval(MMNGR_ID id, size_t offset, size_t len)
{
	return cache_op(__func__, id, MM_IOC_INVAL, offset, len);
}

PUBLIC int mmngr_flush(MMNGR_ID id, size_t offset, size_t len)
{
	return cache_op(__func__, id, MM_IOC_FLUSH, offset, len);
}
