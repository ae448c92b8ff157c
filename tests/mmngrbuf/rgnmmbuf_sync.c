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
 * several rounds, with bounds halfway between the pass counts expected and
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
#define ROUNDS	9
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

/* Best CPU time, in µs, of REPS START+END brackets of the given direction. */
static double bracket_us(int dfd, __u64 dir)
{
	double best = 1e30, t;
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		t = thread_us();
		for (i = 0; i < REPS; i++)
			if (dmabuf_sync(dfd, DMA_BUF_SYNC_START | dir) ||
			    dmabuf_sync(dfd, DMA_BUF_SYNC_END | dir))
				return -1;
		t = (thread_us() - t) / REPS;
		if (t < best)
			best = t;
	}
	return best;
}

FIXTURE(sync) {
	const char *skip;	/* why the cases cannot run here, or NULL */
	int bfd;
	int dfd;
	double rw;	/* one read-write bracket, no importer */
};

FIXTURE_SETUP(sync)
{
	if (mmngr_dma_coherent()) {
		self->skip = "the mmngr device is DMA-coherent: no cache maintenance to count";
		return;
	}
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->dfd = alloc_dmabuf(self->bfd, SIZE, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
	self->rw = bracket_us(self->dfd, DMA_BUF_SYNC_RW);
	ASSERT_LT(0, self->rw);
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
	struct mmngrbuf_import imp = { .fd = self->dfd };
	struct drm_prime_handle p = { .fd = self->dfd };
	double two;
	int vgem;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	vgem = open_vgem();
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_IMPORT, &imp));
	if (vgem >= 0)
		ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p));
	two = bracket_us(self->dfd, DMA_BUF_SYNC_RW);
	TH_LOG("with our import%s: %.0f us, %.2fx", vgem >= 0 ? " and vgem's" : "",
	       two, two / self->rw);
	EXPECT_GT(1.3 * self->rw, two);
	if (vgem >= 0)
		close(vgem);
}

/*
 * A bracket that only reads invalidates at its start and cleans nothing at
 * its end: half the read-write bracket's passes.
 */
TEST_F(sync, read_skips_the_clean)
{
	double rd, wr;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	rd = bracket_us(self->dfd, DMA_BUF_SYNC_READ);
	wr = bracket_us(self->dfd, DMA_BUF_SYNC_WRITE);
	TH_LOG("read %.0f us (%.2fx), write %.0f us (%.2fx) of read-write",
	       rd, rd / self->rw, wr, wr / self->rw);
	EXPECT_GT(0.75 * self->rw, rd);
	EXPECT_GT(0.75 * self->rw, wr);
}

/*
 * While another bracket is open for writing, a reader first writes back
 * what may be dirty in the caches before invalidating, or the writer's
 * data would be discarded: twice the passes of a read bracket alone.
 */
TEST_F(sync, read_beside_open_writer_cleans_first)
{
	double alone, beside;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	alone = bracket_us(self->dfd, DMA_BUF_SYNC_READ);
	ASSERT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	beside = bracket_us(self->dfd, DMA_BUF_SYNC_READ);
	ASSERT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	TH_LOG("read alone %.0f us, beside an open writer %.0f us (%.2fx)",
	       alone, beside, beside / alone);
	EXPECT_LT(1.5 * alone, beside);
	/* And once the writer has ended, reads are back to one pass. */
	EXPECT_GT(1.5 * alone, bracket_us(self->dfd, DMA_BUF_SYNC_READ));
}

TEST_HARNESS_MAIN
