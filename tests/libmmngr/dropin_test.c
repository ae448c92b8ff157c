// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program written against Renesas' libmmngr and libmmngrbuf only: their
 * public headers, functions, constants and results.  Compiled against the
 * installed headers, linked against our libraries, and run natively and
 * (on arm64 lanes) as 32-bit ARM.  Every function and error code, VA and
 * PA allocations, share/release, export/import, the Gen2 wrappers, and
 * where this library does the safe thing the original did not.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmngr_user_public.h>
#include <mmngr_buf_user_public.h>

#include "kselftest_harness.h"
#include "libmmngr_test.h"

static int has_pool(const char *pool)
{
	return pool_stat(pool, "size") >= 0;
}

/* The pool MMNGR_PA_SUPPORT draws from. */
static const char *carveout(void)
{
	return has_pool("omxbuf") ? "omxbuf" : "multimedia";
}

static int cloexec(int fd)
{
	return fcntl(fd, F_GETFD) == FD_CLOEXEC;
}

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

TEST(va_alloc_free)
{
	long long base = pool_stat("kernelheap", "used");
	unsigned int hard = 0;
	void *va = NULL;
	MMNGR_ID id = 0;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 1 * MiB, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	EXPECT_LT(0, id);
	EXPECT_TRUE(cloexec(id));
	EXPECT_NE(0, hard);
	EXPECT_EQ(0, hard & 4095);
	ASSERT_TRUE(!!va);
	EXPECT_TRUE(all_bytes(va, 0, 1 * MiB));
	memset(va, 0xa5, 1 * MiB);
	EXPECT_EQ(base + 1 * MiB, pool_stat("kernelheap", "used"));

	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	EXPECT_EQ(base, pool_stat("kernelheap", "used"));
	EXPECT_FALSE(fd_open(id));
	/* Sequence errors: the id is gone. */
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user_ext(id));
	EXPECT_EQ(R_MM_SEQE, mmngr_release_in_user_ext(id));
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user_ext(-1));
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user_ext(0));
}

TEST(va_cached_inval_flush)
{
	const size_t size = 256 * 1024;
	unsigned int hard;
	unsigned char *va, *view;
	MMNGR_ID id, sid;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, size, &hard,
						   (void **)&va,
						   MMNGR_VA_SUPPORT_CACHED,
						   NULL));
	memset(va, 0x3c, size);
	EXPECT_EQ(R_MM_OK, mmngr_flush(id, 0, size));
	EXPECT_EQ(R_MM_OK, mmngr_inval(id, 4096, 8192));
	/* Another (write-combined) view sees what the flush wrote back. */
	ASSERT_EQ(R_MM_OK, mmngr_share_in_user_ext(&sid, size, hard,
						   (void **)&view, NULL));
	EXPECT_TRUE(all_bytes(view, 0x3c, size));
	view[100] = 0x77;
	EXPECT_EQ(R_MM_OK, mmngr_inval(id, 0, 4096));
	EXPECT_EQ(0x77, va[100]);
	EXPECT_EQ(R_MM_OK, mmngr_release_in_user_ext(sid));

	/* Ranges outside the buffer, dead ids: the original's FATAL. */
	EXPECT_EQ(R_MM_FATAL, mmngr_flush(id, size, 4096));
	EXPECT_EQ(R_MM_FATAL, mmngr_inval(id, 0, size + 1));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	EXPECT_EQ(R_MM_FATAL, mmngr_flush(id, 0, 4096));
	EXPECT_EQ(R_MM_FATAL, mmngr_inval(id, 0, 4096));
}

TEST(pa_alloc_share_release)
{
	const size_t pg = getpagesize();
	const char *pool = carveout();
	long long base = pool_stat(pool, "used");
	const size_t size = 2 * MiB;
	unsigned int hard = 0;
	void *va = (void *)1;
	unsigned char *v1, *v2;
	MMNGR_ID id, s1, s2;

	ASSERT_LE(0, base);
	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, size, &hard, &va,
						   MMNGR_PA_SUPPORT, NULL));
	EXPECT_LT(0, id);
	EXPECT_NE(0, hard);
	/* PA buffers have no CPU mapping. */
	EXPECT_TRUE(!va);
	EXPECT_EQ(base + (long long)size, pool_stat(pool, "used"));

	ASSERT_EQ(R_MM_OK, mmngr_share_in_user_ext(&s1, size, hard,
						   (void **)&v1, NULL));
	ASSERT_EQ(R_MM_OK, mmngr_debug_map_va_ext(&s2, pg, hard + size - pg,
						  (void **)&v2, NULL));
	EXPECT_NE(s1, s2);
	EXPECT_TRUE(all_bytes(v1, 0, size));
	memset(v1 + size - pg, 0x42, pg);
	EXPECT_TRUE(all_bytes(v2, 0x42, pg));
	/* A sub-page address maps from its page, as the original did. */
	EXPECT_EQ(R_MM_OK, mmngr_debug_unmap_va_ext(s2));
	ASSERT_EQ(R_MM_OK, mmngr_share_in_user_ext(&s2, 16, hard + pg + 8,
						   (void **)&v2, NULL));
	EXPECT_EQ(0, (unsigned long)v2 & (pg - 1));
	v2[8] = 0x99;
	EXPECT_EQ(0x99, v1[pg + 8]);

	EXPECT_EQ(R_MM_OK, mmngr_release_in_user_ext(s2));
	EXPECT_EQ(R_MM_OK, mmngr_release_in_user_ext(s1));
	EXPECT_EQ(R_MM_SEQE, mmngr_release_in_user_ext(s1));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	EXPECT_EQ(base, pool_stat(pool, "used"));
	/* Nothing left to share. */
	EXPECT_EQ(R_MM_FATAL, mmngr_share_in_user_ext(&s1, size, hard,
						      (void **)&v1, NULL));
}

/* Parameter errors leave every output as it was. */
TEST(parameter_errors)
{
	static const unsigned int bad_flags[] = { 2, 6, 0x14, 0x24, 0xff };
	unsigned int hard = 0x1234;
	void *va = (void *)0x5678;
	MMNGR_ID id = 77;
	size_t i;

	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(NULL, 4096, &hard, &va, 0, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, NULL, &va, 0, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard, NULL, 0, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 0, &hard, &va, 0, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 0, &hard, &va, 1, NULL));
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++)
		EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard,
							     &va, bad_flags[i],
							     NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_share_in_user_ext(NULL, 4096, 0, &va, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_share_in_user_ext(&id, 4096, 0, NULL, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_share_in_user_ext(&id, 0, 0, &va, NULL));
	EXPECT_EQ(77, id);
	EXPECT_EQ(0x1234, hard);
	EXPECT_TRUE(va == (void *)0x5678);
}

TEST(lossy)
{
	unsigned int conf = 0xdead, hard;
	struct MM_FUNC f = { MM_FUNC_LOSSY_ENABLE, MM_FUNC_TYPE_LOSSY_AREA,
			     MM_FUNC_FMT_LOSSY_YUVPLANAR, &conf };
	const char *pool = carveout();
	long long base = pool_stat(pool, "used");
	void *va;
	MMNGR_ID id;

	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va,
						     MMNGR_PA_SUPPORT_LOSSY,
						     NULL));
	f.func = 2;
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va, 4, &f));
	f.func = MM_FUNC_LOSSY_ENABLE;
	f.type = MM_FUNC_TYPE_LOSSY_SHADOW;
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va, 4, &f));
	f.type = MM_FUNC_TYPE_LOSSY_AREA;
	f.attr = 0;
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va, 4, &f));
	f.attr = MM_FUNC_FMT_LOSSY_ARGB8888 + 1;
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va, 4, &f));
	/* Refused before trying: conf untouched. */
	EXPECT_EQ(0xdead, conf);

	/* DISABLE: a plain carve-out buffer, conf untouched. */
	f.func = MM_FUNC_LOSSY_DISABLE;
	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 1 * MiB, &hard, &va, 4, &f));
	EXPECT_EQ(0xdead, conf);
	EXPECT_EQ(base + 1 * MiB, pool_stat(pool, "used"));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));

	f.func = MM_FUNC_LOSSY_ENABLE;
	for (f.attr = 1; f.attr <= 3; f.attr++) {
		int ret = mmngr_alloc_in_user_ext(&id, 1 * MiB, &hard, &va,
						  MMNGR_PA_SUPPORT_LOSSY, &f);

		if (has_pool("lossy")) {
			ASSERT_EQ(R_MM_OK, ret);
			EXPECT_EQ(MM_FUNC_STAT_LOSSY_SUPPORT, conf);
			EXPECT_TRUE(!va);
			EXPECT_EQ(1 * MiB, pool_stat("lossy", "used"));
			EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
		} else {
			EXPECT_EQ(R_MM_PARE, ret);
			EXPECT_EQ(MM_FUNC_STAT_LOSSY_NOT_SUPPORT, conf);
		}
		conf = 0xdead;
	}
	/* The original wrote through a NULL conf; here it is optional. */
	f.conf = NULL;
	f.attr = 1;
	id = 0;
	if (mmngr_alloc_in_user_ext(&id, 4096, &hard, &va, 4, &f) == R_MM_OK)
		EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	EXPECT_EQ(has_pool("lossy") ? 1 : 0, id > 0);
}

TEST(ssp)
{
	unsigned int hard;
	void *va;
	MMNGR_ID id;
	int ret = mmngr_alloc_in_user_ext(&id, 4096, &hard, &va,
					  MMNGR_PA_SUPPORT_SSP, NULL);

	if (has_pool("ssp")) {
		ASSERT_EQ(R_MM_OK, ret);
		EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	} else {
		/* The original's kernel without SSP: EINVAL, so PARE. */
		EXPECT_EQ(R_MM_PARE, ret);
	}
}

TEST(out_of_memory)
{
	const char *pool = carveout();
	long long size = pool_stat(pool, "size");
	unsigned int hard = 0x1234;
	void *va = (void *)0x5678;
	MMNGR_ID id = 77;

	ASSERT_LT(0, size);
	if ((unsigned long long)size + 4096 > (size_t)-1)
		SKIP(return, "the pool is larger than this ABI's size_t");
	EXPECT_EQ(R_MM_NOMEM, mmngr_alloc_in_user_ext(&id, size + 4096, &hard,
						      &va, MMNGR_PA_SUPPORT,
						      NULL));
	EXPECT_EQ(77, id);
	EXPECT_EQ(0x1234, hard);
	EXPECT_TRUE(va == (void *)0x5678);
}

/* Releasing an allocation frees it; freeing a share id releases it. */
TEST(release_and_free_crossed)
{
	long long base = pool_stat("kernelheap", "used");
	unsigned int hard;
	void *va, *view;
	MMNGR_ID id, sid;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 64 * 1024, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	ASSERT_EQ(R_MM_OK, mmngr_share_in_user_ext(&sid, 64 * 1024, hard,
						   &view, NULL));
	/* The original freed memory it did not own here. */
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(sid));
	EXPECT_EQ(R_MM_SEQE, mmngr_release_in_user_ext(sid));
	EXPECT_EQ(R_MM_OK, mmngr_release_in_user_ext(id));
	EXPECT_EQ(base, pool_stat("kernelheap", "used"));
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user_ext(id));
}

/* A freed id's number reused by another file: never touched. */
TEST(recycled_id)
{
	unsigned int hard;
	void *va;
	MMNGR_ID id;
	int fd;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	ASSERT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	fd = open("/dev/null", O_RDONLY);
	ASSERT_EQ(id, fd);
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user_ext(id));
	EXPECT_EQ(R_MM_SEQE, mmngr_release_in_user_ext(id));
	EXPECT_TRUE(fd_open(fd));

	/* The program closed the id itself and the number moved on. */
	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	close(id);
	ASSERT_EQ(id, dup(fd));
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user_ext(id));
	EXPECT_TRUE(fd_open(id));
	munmap(va, 4096);
	close(id);
	close(fd);
}

/* Programs treat id 0 as "none": never returned, even without stdin. */
TEST(id_never_zero)
{
	unsigned int hard;
	void *va;
	MMNGR_ID id;

	close(0);
	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	EXPECT_LT(0, id);
	EXPECT_FALSE(fd_open(0));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
}

/* No perror() noise unless MMNGR_DEBUG asks for it. */
static size_t stderr_of_failure(void)
{
	char path[] = "/tmp/dropin-stderr-XXXXXX";
	unsigned int hard;
	int fd, saved;
	off_t len;
	void *va;
	MMNGR_ID id;

	fd = mkstemp(path);
	if (fd < 0)
		return (size_t)-1;
	unlink(path);
	saved = dup(2);
	dup2(fd, 2);
	/* FATAL: nothing to share at address 0. */
	mmngr_share_in_user_ext(&id, 4096, 0, &va, NULL);
	mmngr_alloc_in_user_ext(&id, 1ULL << 30, &hard, &va, 1, NULL);
	dup2(saved, 2);
	close(saved);
	len = lseek(fd, 0, SEEK_END);
	close(fd);
	return len;
}

TEST(quiet_by_default)
{
	unsetenv("MMNGR_DEBUG");
	EXPECT_EQ(0, stderr_of_failure());
}

TEST(diagnostics_on_request)
{
	setenv("MMNGR_DEBUG", "1", 1);
	EXPECT_LT(0, (long)stderr_of_failure());
}

struct worker {
	int errors;
};

static void *alloc_loop(void *arg)
{
	struct worker *w = arg;
	unsigned int hard;
	void *va;
	MMNGR_ID id;
	int i;

	for (i = 0; i < 100; i++) {
		if (mmngr_alloc_in_user_ext(&id, 8192, &hard, &va,
					    i & 1 ? MMNGR_VA_SUPPORT :
						    MMNGR_PA_SUPPORT, NULL)) {
			w->errors++;
			continue;
		}
		if (va)
			memset(va, i, 8192);
		/*
		 * No second free to check for R_MM_SEQE here: ids are file
		 * descriptors, so another thread may already hold this
		 * number again (recycled_id covers that case alone).
		 */
		if (mmngr_free_in_user_ext(id))
			w->errors++;
	}
	return NULL;
}

TEST(threads)
{
	long long heap = pool_stat("kernelheap", "used");
	long long co = pool_stat(carveout(), "used");
	struct worker w[4] = { { 0 } };
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, alloc_loop, &w[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].errors);
	}
	EXPECT_EQ(heap, pool_stat("kernelheap", "used"));
	EXPECT_EQ(co, pool_stat(carveout(), "used"));
}

/* Export a buffer as a dma-buf and import it back: the same memory. */
TEST(export_import_round_trip)
{
	const size_t size = 1 * MiB;
	unsigned int hard, ihard = 0;
	unsigned char *va, *view;
	int eid, iid, buf;
	size_t isize = 0;
	MMNGR_ID id;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, size, &hard,
						   (void **)&va,
						   MMNGR_VA_SUPPORT, NULL));
	memset(va, 0x5a, size);
	ASSERT_EQ(R_MM_OK, mmngr_export_start_in_user_ext(&eid, size, hard,
							  &buf, NULL));
	EXPECT_LT(0, eid);
	EXPECT_LE(0, buf);
	EXPECT_TRUE(cloexec(eid));
	EXPECT_TRUE(cloexec(buf));
	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_TRUE(view != MAP_FAILED);
	EXPECT_TRUE(all_bytes(view, 0x5a, size));
	munmap(view, size);

	ASSERT_EQ(R_MM_OK, mmngr_import_start_in_user_ext(&iid, &isize, &ihard,
							  buf, NULL));
	EXPECT_LT(0, iid);
	EXPECT_EQ(size, isize);
	EXPECT_EQ(hard, ihard);
	EXPECT_EQ(R_MM_OK, mmngr_import_end_in_user_ext(iid));
	EXPECT_EQ(R_MM_FATAL, mmngr_import_end_in_user_ext(iid));

	/* export_end closes the dma-buf, as the original did. */
	EXPECT_EQ(R_MM_OK, mmngr_export_end_in_user_ext(eid));
	EXPECT_FALSE(fd_open(buf));
	EXPECT_FALSE(fd_open(eid));
	EXPECT_EQ(R_MM_FATAL, mmngr_export_end_in_user_ext(eid));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
}

TEST(export_errors)
{
	const size_t pg = getpagesize();
	unsigned int hard;
	int eid = 77, buf = 78;
	void *va;
	MMNGR_ID id;

	EXPECT_EQ(R_MM_PARE, mmngr_export_start_in_user_ext(NULL, 4096, 0, &buf, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_export_start_in_user_ext(&eid, 4096, 0, NULL, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_export_start_in_user_ext(&eid, 0, 0, &buf, NULL));
	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 2 * pg, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	/* Memory that is not (all) a live buffer: the kernel refuses. */
	EXPECT_EQ(R_MM_FATAL, mmngr_export_start_in_user_ext(&eid, 4 * pg, hard,
							     &buf, NULL));
	EXPECT_EQ(77, eid);
	EXPECT_EQ(78, buf);
	/*
	 * Renesas' own mmngrbuf test: 1 byte at hard address 2, which no
	 * allocation covers (libmmngr.md, mmngr_export_start_in_user_ext(3)).
	 */
	EXPECT_EQ(R_MM_FATAL, mmngr_export_start_in_user_ext(&eid, 1, 2, &buf, NULL));
	EXPECT_EQ(R_MM_FATAL, mmngr_export_start_in_user(&eid, 1, 2, &buf));
	EXPECT_EQ(77, eid);
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
	EXPECT_EQ(R_MM_FATAL, mmngr_export_end_in_user_ext(-1));
	EXPECT_EQ(R_MM_FATAL, mmngr_export_end_in_user_ext(12345));
}

/* export_end closes only the dma-buf it made, not a file that took its number. */
TEST(export_end_recycled_dmabuf)
{
	unsigned int hard;
	int eid, buf, fd;
	void *va;
	MMNGR_ID id;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 4096, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	ASSERT_EQ(R_MM_OK, mmngr_export_start_in_user_ext(&eid, 4096, hard,
							  &buf, NULL));
	close(buf);
	fd = open("/dev/null", O_RDONLY);
	ASSERT_EQ(buf, fd);
	EXPECT_EQ(R_MM_OK, mmngr_export_end_in_user_ext(eid));
	EXPECT_TRUE(fd_open(fd));
	close(fd);
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
}

TEST(import_errors)
{
	unsigned int hard = 0x1234;
	size_t size = 77;
	int iid = 78, fd;

	EXPECT_EQ(R_MM_PARE, mmngr_import_start_in_user_ext(NULL, &size, &hard, 0, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_import_start_in_user_ext(&iid, NULL, &hard, 0, NULL));
	EXPECT_EQ(R_MM_PARE, mmngr_import_start_in_user_ext(&iid, &size, NULL, 0, NULL));
	/* Not a dma-buf, not a descriptor. */
	fd = open("/dev/null", O_RDONLY);
	EXPECT_EQ(R_MM_FATAL, mmngr_import_start_in_user_ext(&iid, &size, &hard, fd, NULL));
	EXPECT_EQ(R_MM_FATAL, mmngr_import_start_in_user_ext(&iid, &size, &hard, -1, NULL));
	close(fd);
	EXPECT_EQ(78, iid);
	EXPECT_EQ(77, size);
	EXPECT_EQ(0x1234, hard);
	EXPECT_EQ(R_MM_FATAL, mmngr_import_end_in_user_ext(12345));
}

/* The Gen2 interface. */
TEST(legacy_mmngr)
{
	unsigned long phy = 0, hard = 0, va = 0, sva = 0;
	MMNGR_ID id, sid;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user(&id, 64 * 1024, &phy, &hard, &va,
					       MMNGR_VA_SUPPORT));
	EXPECT_EQ((unsigned long)-1, phy);
	EXPECT_NE(0, hard);
	ASSERT_NE(0, va);
	memset((void *)va, 0x21, 64 * 1024);
	ASSERT_EQ(R_MM_OK, mmngr_share_in_user(&sid, 64 * 1024, hard, &sva));
	EXPECT_TRUE(all_bytes((void *)sva, 0x21, 64 * 1024));
	EXPECT_EQ(R_MM_OK, mmngr_release_in_user(sid));
	ASSERT_EQ(R_MM_OK, mmngr_debug_map_va(&sid, 4096, hard, &sva));
	EXPECT_EQ(R_MM_OK, mmngr_debug_unmap_va(sid));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user(id));
	EXPECT_EQ(R_MM_SEQE, mmngr_free_in_user(id));
	EXPECT_EQ(R_MM_SEQE, mmngr_release_in_user(id));

	phy = 0;
	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user(&id, 64 * 1024, &phy, &hard, &va,
					       MMNGR_PA_SUPPORT));
	EXPECT_EQ(0, va);
	/* -1 after success too, as the original (libmmngr.md). */
	EXPECT_EQ((unsigned long)-1, phy);
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user(id));

	/* Outputs written on failure too, as the original did. */
	hard = 1;
	va = 1;
	phy = 0;
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user(&id, 4096, &phy, &hard, &va, 2));
	EXPECT_EQ((unsigned long)-1, phy);
	EXPECT_EQ(0, hard);
	EXPECT_EQ(0, va);
	/* The Gen2 motion-vector carve-out (4) needs Gen3's MM_FUNC. */
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user(&id, 4096, &phy, &hard, &va, 4));
	/* The original crashed on these. */
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user(&id, 4096, NULL, &hard, &va, 0));
	EXPECT_EQ(R_MM_PARE, mmngr_share_in_user(&sid, 4096, hard, NULL));
}

/* Where unsigned long is wider than the ABI's addresses. */
TEST(legacy_no_truncation)
{
	unsigned long phy, hard, va, wide = (unsigned long)UINT_MAX;
	MMNGR_ID id;
	int eid, buf;

	if (sizeof(long) == sizeof(int))
		SKIP(return, "unsigned long is 32 bits wide here: nothing to truncate");
	wide = wide * 2 + 2;	/* 1 << 32 without a shift warning on ILP32 */
	/* 1 << 32 | MMNGR_PA_SUPPORT: the original allocated a carve-out. */
	EXPECT_EQ(R_MM_PARE, mmngr_alloc_in_user(&id, 4096, &phy, &hard, &va,
						 wide | MMNGR_PA_SUPPORT));
	EXPECT_EQ(R_MM_PARE, mmngr_share_in_user(&id, 4096, wide, &va));
	EXPECT_EQ(R_MM_PARE, mmngr_export_start_in_user(&eid, 4096, wide, &buf));
}

TEST(legacy_mmngrbuf)
{
	unsigned long size = ~0UL, ihard = ~0UL;
	unsigned int hard;
	int eid, iid, buf;
	void *va;
	MMNGR_ID id;

	ASSERT_EQ(R_MM_OK, mmngr_alloc_in_user_ext(&id, 64 * 1024, &hard, &va,
						   MMNGR_VA_SUPPORT, NULL));
	ASSERT_EQ(R_MM_OK, mmngr_export_start_in_user(&eid, 64 * 1024, hard, &buf));
	ASSERT_EQ(R_MM_OK, mmngr_import_start_in_user(&iid, &size, &ihard, buf));
	/* Whole unsigned longs: the original left the high half as it was. */
	EXPECT_EQ(64 * 1024, size);
	EXPECT_EQ(hard, ihard);
	EXPECT_EQ(R_MM_OK, mmngr_import_end_in_user(iid));
	EXPECT_EQ(R_MM_OK, mmngr_export_end_in_user(eid));
	EXPECT_EQ(R_MM_FATAL, mmngr_export_end_in_user(eid));
	EXPECT_EQ(R_MM_FATAL, mmngr_import_end_in_user(iid));
	EXPECT_EQ(R_MM_PARE, mmngr_import_start_in_user(&iid, NULL, &ihard, buf));
	EXPECT_EQ(R_MM_OK, mmngr_free_in_user_ext(id));
}

/* The constants a program compiles in. */
TEST(constants)
{
	EXPECT_EQ(0, R_MM_OK);
	EXPECT_EQ(-1, R_MM_FATAL);
	EXPECT_EQ(-2, R_MM_SEQE);
	EXPECT_EQ(-3, R_MM_PARE);
	EXPECT_EQ(-4, R_MM_NOMEM);
	EXPECT_EQ(0, MMNGR_VA_SUPPORT);
	EXPECT_EQ(5, MMNGR_VA_SUPPORT_CACHED);
	EXPECT_EQ(1, MMNGR_PA_SUPPORT);
	EXPECT_EQ(3, MMNGR_PA_SUPPORT_SSP);
	EXPECT_EQ(4, MMNGR_PA_SUPPORT_LOSSY);
	EXPECT_EQ(0, MM_KERNELHEAP);
	EXPECT_EQ(1, MM_CARVEOUT);
	EXPECT_EQ(3, MM_CARVEOUT_SSP);
	EXPECT_EQ(4, MM_CARVEOUT_LOSSY);
	EXPECT_EQ(5, MM_KERNELHEAP_CACHED);
	EXPECT_EQ(0, MM_FUNC_LOSSY_DISABLE);
	EXPECT_EQ(1, MM_FUNC_LOSSY_ENABLE);
	EXPECT_EQ(1, MM_FUNC_TYPE_LOSSY_AREA);
	EXPECT_EQ(2, MM_FUNC_TYPE_LOSSY_SHADOW);
	EXPECT_EQ(1, MM_FUNC_FMT_LOSSY_YUVPLANAR);
	EXPECT_EQ(2, MM_FUNC_FMT_LOSSY_YUV422INTLV);
	EXPECT_EQ(3, MM_FUNC_FMT_LOSSY_ARGB8888);
	EXPECT_EQ(0, MM_FUNC_STAT_LOSSY_NOT_SUPPORT);
	EXPECT_EQ(1, MM_FUNC_STAT_LOSSY_SUPPORT);
	EXPECT_EQ(3 * sizeof(int) + sizeof(void *) + (sizeof(void *) > 4 ? 4 : 0),
		  sizeof(struct MM_FUNC));
	EXPECT_EQ(sizeof(int), sizeof(MMNGR_ID));
}

TEST_HARNESS_MAIN
