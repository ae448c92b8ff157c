// SPDX-License-Identifier: GPL-2.0-only
/*
 * Regressions: defects that fuzzing and review found in mmngrbuf, each
 * checked the way it showed.  Races run long enough to have hit the old
 * code many times in a TCG guest; whatever the kernel reports about them
 * (a WARN, a DMA-API debug error) taints it, and a taint that appears
 * during a test fails that test, on every kernel, debug or not.
 */

#include "mmngrbuf_test.h"

#include <pthread.h>
#include <time.h>

#include <drm/drm.h>
#include <linux/rgnmm.h>

#include "kselftest_harness.h"

/* How long each race runs. */
#define RACE_MS		3000

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int import(int bfd, int dfd, struct mmngrbuf_import *i)
{
	memset(i, 0, sizeof(*i));
	i->fd = dfd;
	return ioctl(bfd, MMNGRBUF_IOCTL_IMPORT, i);
}

static int import_release(int bfd, __u32 handle)
{
	struct mmngrbuf_import_release r = { .handle = handle };

	return ioctl(bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &r);
}

static int fence_signal(int bfd, __u32 id)
{
	struct mmngrbuf_fence_signal s = { .fence = id };

	return ioctl(bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s);
}

/* A thread that releases (what) number 1 of a file until told to stop. */
struct releaser {
	int bfd;
	int (*release)(int bfd, __u32 id);
	int stop;	/* __atomic */
	unsigned long hits;
};

static void *releaser_run(void *arg)
{
	struct releaser *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		if (!r->release(r->bfd, 1) || errno == ETIMEDOUT)
			r->hits++;
	return NULL;
}

/* References to the module: open files, dma-bufs, fences. */
static long module_refs(void)
{
	char buf[32] = { 0 };
	int fd = open("/sys/module/mmngrbuf/refcnt", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

FIXTURE(regress) {
	int bfd;
	long taint;
	long refs;
};

FIXTURE_SETUP(regress)
{
	self->refs = module_refs();
	ASSERT_LE(0, self->refs);
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	/*
	 * A kernel that warned before this test cannot show whether it warns
	 * again: then only the lane's check of the kernel log can tell.
	 */
	self->taint = kernel_taint();
}

FIXTURE_TEARDOWN(regress)
{
	long warned;

	close(self->bfd);
	warned = kernel_taint() & TAINT_WARN & ~self->taint;
	if (warned)
		TH_LOG("the kernel warned during this test: see dmesg");
	EXPECT_EQ(0, warned);
	/* Everything the test made is gone: no fence or file left behind. */
	usleep(100000);
	EXPECT_EQ(self->refs, module_refs());
}

/* A thread that attaches 1 ms read fences to a buffer until a deadline. */
struct attacher {
	int bfd;
	int dfd;
	double end;
	unsigned long attached;
	int error;	/* an unexpected errno, or 0 */
};

static void *attacher_run(void *arg)
{
	struct attacher *at = arg;

	while (now_ms() < at->end && !at->error) {
		struct mmngrbuf_fence_attach a = { .fd = at->dfd, .timeout_ms = 1 };

		if (ioctl(at->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a)) {
			/* Only the per-file limit may refuse a read fence. */
			if (errno != ENOSPC)
				at->error = errno;
			continue;
		}
		at->attached++;
		/*
		 * Number 1 is the releaser's to signal; collect the rest, so
		 * that the next attach gets number 1 again and the
		 * reservation object stays short.
		 */
		if (a.fence != 1 && fence_signal(at->bfd, a.fence) &&
		    errno != ETIMEDOUT && errno != ENOENT)
			at->error = errno;
	}
	return NULL;
}

/*
 * A fence's number must not be found before the fence is complete: the
 * old code published it before arming its timeout, so a FENCE_SIGNAL of
 * the (predictable) number in between freed a fence whose timeout then
 * ran anyway, on a signalled fence (a WARN) or on freed memory.  Nor may a
 * FENCE_SIGNAL of a number that is only reserved free it for another
 * attach: two fences stored under one number, one of them lost for ever
 * (with the module reference it holds).  Two threads attach, one signals.
 */
TEST_F(regress, fence_attach_races_signal)
{
	struct releaser r = { .bfd = self->bfd, .release = fence_signal };
	struct attacher at[2];
	pthread_t t, ta;
	int dfd, i;

	dfd = alloc_dmabuf(self->bfd, 4096, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, dfd);
	for (i = 0; i < 2; i++)
		at[i] = (struct attacher){ .bfd = self->bfd, .dfd = dfd,
					   .end = now_ms() + RACE_MS };
	ASSERT_EQ(0, pthread_create(&t, NULL, releaser_run, &r));
	ASSERT_EQ(0, pthread_create(&ta, NULL, attacher_run, &at[1]));
	attacher_run(&at[0]);
	pthread_join(ta, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	TH_LOG("%lu + %lu fences attached, %lu signalled by the other thread",
	       at[0].attached, at[1].attached, r.hits);
	EXPECT_EQ(0, at[0].error);
	EXPECT_EQ(0, at[1].error);
	EXPECT_LT(0, at[0].attached + at[1].attached);
	EXPECT_LT(0, r.hits);
	/* Every timeout has run by now: all signalled, none forgotten. */
	usleep(50000);
	EXPECT_EQ(1, poll_ready(dfd, POLLOUT, 0));
	close(dfd);
}

/* A thread that imports a buffer until a deadline and checks each answer. */
struct importer {
	int bfd;
	int dfd;
	double end;
	__u64 size;
	__u64 dev_addr;
	unsigned long imported;
	int error;	/* an unexpected errno or answer, or 0 */
};

static void *importer_run(void *arg)
{
	struct importer *im = arg;
	struct mmngrbuf_import i;

	while (now_ms() < im->end && !im->error) {
		if (import(im->bfd, im->dfd, &i)) {
			if (errno != ENOSPC)
				im->error = errno;
			continue;
		}
		im->imported++;
		if (i.size != im->size || i.dev_addr != im->dev_addr)
			im->error = -1;
	}
	return NULL;
}

/*
 * An import's handle must not be found before the import is complete: the
 * old code read the import after publishing it, racing IMPORT_RELEASE of
 * the (predictable) handle: what it reported came from freed memory.  Nor
 * may a release of a handle that is only reserved give it to another
 * import (one of the two would be lost, with its mapping).
 */
TEST_F(regress, import_races_release)
{
	struct releaser r = { .bfd = self->bfd, .release = import_release };
	struct mmngrbuf_alloc a = { .size = 64 * 1024,
				    .fd_flags = O_RDWR | O_CLOEXEC };
	long long before = heap_used();
	struct importer im[2];
	pthread_t t, ti;
	int n;

	a.mmngr_fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a.mmngr_fd);
	a.pool = heap_pool(a.mmngr_fd);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
	close(a.mmngr_fd);

	for (n = 0; n < 2; n++)
		im[n] = (struct importer){ .bfd = self->bfd, .dfd = a.fd,
					   .end = now_ms() + RACE_MS,
					   .size = a.size,
					   .dev_addr = a.dev_addr };
	ASSERT_EQ(0, pthread_create(&t, NULL, releaser_run, &r));
	ASSERT_EQ(0, pthread_create(&ti, NULL, importer_run, &im[1]));
	importer_run(&im[0]);
	pthread_join(ti, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	TH_LOG("%lu + %lu imports, %lu released by the other thread",
	       im[0].imported, im[1].imported, r.hits);
	EXPECT_EQ(0, im[0].error);
	EXPECT_EQ(0, im[1].error);
	EXPECT_LT(0, im[0].imported + im[1].imported);
	EXPECT_LT(0, r.hits);
	close(a.fd);
	/* The file's imports held the buffer; closing it lets go of all. */
	close(self->bfd);
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	EXPECT_EQ(before, heap_used());
}

/*
 * Importing one buffer many times maps it once: the old code mapped it
 * again for every import, which the DMA API's debugging warns about from
 * the eighth overlapping mapping on.
 */
TEST_F(regress, duplicate_imports_share_one_mapping)
{
	struct mmngrbuf_import i[16];
	long long before = heap_used();
	unsigned int n;
	int dfd;

	dfd = alloc_dmabuf(self->bfd, MiB, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, dfd);
	for (n = 0; n < 16; n++) {
		ASSERT_EQ(0, import(self->bfd, dfd, &i[n]));
		EXPECT_EQ(i[0].dev_addr, i[n].dev_addr);
		EXPECT_EQ(MiB, i[n].size);
	}
	/* Handles stay distinct and release one at a time. */
	for (n = 1; n < 16; n++)
		EXPECT_NE(i[n - 1].handle, i[n].handle);
	close(dfd);
	for (n = 0; n < 16; n++) {
		EXPECT_EQ(MiB, heap_used() - before);
		EXPECT_EQ(0, import_release(self->bfd, i[n].handle));
	}
	EXPECT_EQ(before, heap_used());
}

/* START+END of 1 MiB, in ms. */
static double sync_ms(int dfd)
{
	double t = now_ms();

	if (dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ||
	    dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		return -1;
	return now_ms() - t;
}

/*
 * CPU access syncs every mapping through the scatterlist API it was made
 * with.  The old code synced segment by segment with the single-mapping
 * API, which the DMA API's debugging reports as a sync of memory the
 * driver never mapped once two mappings of the buffer exist for one
 * device, and walks its tables for seconds per MiB.  Two files importing
 * one buffer made two such mappings; now they share one.
 */
TEST_F(regress, sync_with_two_importers_on_one_device)
{
	struct mmngrbuf_import i;
	double one, two;
	int dfd, other;

	dfd = alloc_dmabuf(self->bfd, MiB, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, dfd);
	other = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);

	ASSERT_EQ(0, import(self->bfd, dfd, &i));
	one = sync_ms(dfd);
	/* A second importer of the same device: the Renesas command. */
	{
		struct MM_BUF_PARAM p = { .buf = dfd };

		ASSERT_EQ(0, ioctl(other, MM_IOC_IMPORT_START, &p));
	}
	two = sync_ms(dfd);
	TH_LOG("1 MiB START+END: %.2f ms with one import, %.2f ms with two",
	       one, two);
	ASSERT_LE(0, one);
	ASSERT_LE(0, two);
	/* Milliseconds in a loaded TCG guest; the old code took seconds. */
	EXPECT_GT(500, two);
	close(other);
	close(dfd);
}

/* The same through vgem: two DRM files import one buffer. */
TEST_F(regress, sync_with_two_vgem_imports)
{
	struct drm_prime_handle p;
	int vgem[2], dfd, n;
	double ms;

	vgem[0] = open_vgem();
	if (vgem[0] < 0)
		SKIP(return, "no vgem device");
	vgem[1] = open_vgem();
	ASSERT_LE(0, vgem[1]);
	dfd = alloc_dmabuf(self->bfd, MiB, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, dfd);
	for (n = 0; n < 2; n++) {
		memset(&p, 0, sizeof(p));
		p.fd = dfd;
		ASSERT_EQ(0, ioctl(vgem[n], DRM_IOCTL_PRIME_FD_TO_HANDLE, &p));
	}
	ms = sync_ms(dfd);
	TH_LOG("1 MiB START+END with two vgem imports: %.2f ms", ms);
	ASSERT_LE(0, ms);
	EXPECT_GT(500, ms);
	close(vgem[0]);
	close(vgem[1]);
	close(dfd);
}

/*
 * A dma-buf shared read-only maps for reading: a shared mapping of a file
 * opened read-only lacks VM_SHARED (only VM_MAYSHARE), which the old code
 * took for a private mapping.
 */
TEST_F(regress, readonly_dmabuf_maps_for_reading)
{
	struct mmngrbuf_alloc a = { .size = 8192, .fd_flags = O_RDONLY | O_CLOEXEC };
	char *m;

	a.mmngr_fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a.mmngr_fd);
	a.pool = heap_pool(a.mmngr_fd);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &a));
	close(a.mmngr_fd);

	m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, a.fd, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	EXPECT_TRUE(all_bytes(m, 0, 8192));
	munmap(m, 8192);
	/* Not for writing, and never privately (copy-on-write). */
	EXPECT_TRUE(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED,
			 a.fd, 0) == MAP_FAILED);
	EXPECT_EQ(EACCES, errno);
	EXPECT_TRUE(mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, a.fd, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	close(a.fd);
}

TEST_HARNESS_MAIN
