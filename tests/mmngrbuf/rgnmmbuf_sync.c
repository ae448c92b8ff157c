// SPDX-License-Identifier: GPL-2.0-only
/*
 * What DMA_BUF_IOCTL_SYNC costs: the CPU-access brackets' cache maintenance
 * follows the bracket's direction and makes one pass over the CPU's caches
 * however many importers have the buffer mapped.
 *
 * Cache maintenance cannot be seen from user space, and QEMU models no
 * caches, but every cache-maintenance instruction still runs: its cost in
 * CPU time (the ioctl's kernel time counts as the thread's) is proportional
 * to the passes over the buffer.  So these are ratios of CPU times, best of
 * several rounds measured in turn (a guest's CPU time grows when the host
 * is busy too), with bounds halfway between the pass counts expected and
 * the pass counts of an exporter that syncs each importer's mapping or
 * ignores the direction.  On a DMA-coherent system there is no maintenance
 * to count, and the test says so and skips.
 */

#include "mmngrbuf_test.h"

#include <limits.h>
#include <time.h>

#include <drm/drm.h>

#include "kselftest_harness.h"

#define SIZE	(16 * MiB)
#define ROUNDS	15
#define REPS	4

/*
 * Whether the mmngr device's DMA is cache-coherent, as the kernel decides
 * for a device-tree device: a "dma-coherent" property on its node or any
 * parent.  Without a device tree (x86 and ACPI systems) DMA is coherent.
 */
static int mmngr_dma_coherent(void)
{
	char path[PATH_MAX], prop[PATH_MAX + 16];
	char *slash;

	if (!realpath("/sys/class/misc/rgnmm/device/of_node", path))
		return 1;
	for (;;) {
		snprintf(prop, sizeof(prop), "%s/dma-coherent", path);
		if (!access(prop, F_OK))
			return 1;
		if (!strcmp(path, "/sys/firmware/devicetree/base"))
			return 0;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return 0;
		*slash = '\0';
	}
}

static double thread_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* CPU time, in µs, of one START+END bracket of @dir, averaged over REPS. */
static double round_us(int dfd, __u64 dir)
{
	double t = thread_us();
	int i;

	for (i = 0; i < REPS; i++)
		if (dmabuf_sync(dfd, DMA_BUF_SYNC_START | dir) ||
		    dmabuf_sync(dfd, DMA_BUF_SYNC_END | dir))
			return 1e30;
	return (thread_us() - t) / REPS;
}

static void keep_min(double *best, double t)
{
	if (t < *best)
		*best = t;
}

FIXTURE(sync) {
	const char *skip;	/* why the cases cannot run here, or NULL */
	int bfd;
	int dfd;
	double rw;	/* one read-write bracket, no importer */
};

FIXTURE_SETUP(sync)
{
	int r;

	if (mmngr_dma_coherent()) {
		self->skip = "the mmngr device is DMA-coherent: no cache maintenance to count";
		return;
	}
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->dfd = alloc_dmabuf(self->bfd, SIZE, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
	self->rw = 1e30;
	for (r = 0; r < ROUNDS; r++)
		keep_min(&self->rw, round_us(self->dfd, DMA_BUF_SYNC_RW));
	ASSERT_GT(1e30, self->rw);
	TH_LOG("read-write bracket, 16 MiB, no importer: %.0f us", self->rw);
	/* Non-coherent DMA: the brackets must do something measurable. */
	ASSERT_LT(20.0 * SIZE / MiB, self->rw);
}

FIXTURE_TEARDOWN(sync)
{
	if (self->dfd > 0)
		close(self->dfd);
	if (self->bfd > 0)
		close(self->bfd);
}

/*
 * Two importers mapping the buffer directly, as most devices of an SoC do
 * (our own IMPORT, and vgem's PRIME import where it maps): the same one
 * pass (2 with the read-write bracket's invalidate and clean), not 2 + 2k.
 */
TEST_F(sync, flat_in_importers)
{
	struct mmngrbuf_import_release rel = { 0 };
	double none = 1e30, two = 1e30;
	int vgem, r;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	vgem = open_vgem();
	/*
	 * Round by round, without and with the importers, so that a busy host
	 * weighs on both alike; the best of each.
	 */
	for (r = 0; r < ROUNDS; r++) {
		struct mmngrbuf_import imp = { .fd = self->dfd };
		struct drm_prime_handle p = { .fd = self->dfd };
		struct drm_gem_close c = { 0 };

		keep_min(&none, round_us(self->dfd, DMA_BUF_SYNC_RW));
		ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &imp));
		if (vgem >= 0)
			ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p));
		keep_min(&two, round_us(self->dfd, DMA_BUF_SYNC_RW));
		rel.handle = imp.handle;
		ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT_RELEASE, &rel));
		c.handle = p.handle;
		if (vgem >= 0)
			ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &c));
	}
	TH_LOG("read-write bracket: %.0f us alone, %.0f us with our import%s, %.2fx",
	       none, two, vgem >= 0 ? " and vgem's" : "", two / none);
	EXPECT_GT(1.3 * none, two);
	if (vgem >= 0)
		close(vgem);
}

/*
 * A bracket that only reads invalidates at its start and cleans nothing at
 * its end: half the read-write bracket's passes.
 */
TEST_F(sync, read_skips_the_clean)
{
	double rw = 1e30, rd = 1e30, wr = 1e30;
	int r;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	for (r = 0; r < ROUNDS; r++) {
		keep_min(&rw, round_us(self->dfd, DMA_BUF_SYNC_RW));
		keep_min(&rd, round_us(self->dfd, DMA_BUF_SYNC_READ));
		keep_min(&wr, round_us(self->dfd, DMA_BUF_SYNC_WRITE));
	}
	TH_LOG("read-write %.0f us, read %.0f us (%.2fx), write %.0f us (%.2fx)",
	       rw, rd, rd / rw, wr, wr / rw);
	EXPECT_GT(0.75 * rw, rd);
	EXPECT_GT(0.75 * rw, wr);
}

/*
 * While another bracket is open for writing, a reader first writes back
 * what may be dirty in the caches before invalidating, or the writer's
 * data would be discarded: twice the passes of a read bracket alone.
 */
TEST_F(sync, read_beside_open_writer_cleans_first)
{
	double alone = 1e30, beside = 1e30, after = 1e30;
	int r;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	for (r = 0; r < ROUNDS; r++) {
		keep_min(&alone, round_us(self->dfd, DMA_BUF_SYNC_READ));
		ASSERT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
		keep_min(&beside, round_us(self->dfd, DMA_BUF_SYNC_READ));
		ASSERT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
		/* And once the writer has ended, reads are back to one pass. */
		keep_min(&after, round_us(self->dfd, DMA_BUF_SYNC_READ));
	}
	TH_LOG("read alone %.0f us, beside an open writer %.0f us (%.2fx), after it %.0f us",
	       alone, beside, beside / alone, after);
	EXPECT_LT(1.5 * alone, beside);
	EXPECT_GT(1.5 * alone, after);
}

TEST_HARNESS_MAIN
