// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr_bench: mmngr side by side with what users would pick instead, in
 * one boot, as ratios (issue 15, P1-P8; Documentation/performance.md).
 *
 *   mmngr_bench [--smoke] [--reps N] [--emulated|--real] [--only P1,P6...]
 *
 * Subjects found at run time: every mmngr pool (through /dev/rgnmmbuf's
 * MMNGRBUF_IOCTL_ALLOC, the dma-buf heap equivalent, and /dev/mmngr
 * handles), every /dev/dma_heap/ heap (system, a CMA heap, mmngr-<pool>),
 * udmabuf over a memfd, and malloc/memset as the physical floor.  Every
 * measurement interleaves the subjects round by round, so that a load that
 * comes and goes on the machine hits them alike, and reports the median,
 * minimum and maximum of the rounds.
 *
 * Lines starting with '@' are for tests/bench/bench (tab-separated):
 *   @env	key	value
 *   @row	test	size	subject	what	median_us	min_us	max_us	rounds
 *   @ratio	test	size	subject	peer	ratio	goal	verdict
 * where the verdict is "ok", "miss" or "info" (a ratio that means nothing here, e.g.
 * cache maintenance under TCG).  --smoke runs the few rows `make check`
 * gates on and exits 1 on a gross regression (ratios only: P1 > 2x the
 * peer heap, P3 10,000 / 10 live > 2).
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <drm/drm.h>

#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>

#define KiB	1024UL
#define MiB	(1024 * KiB)
#define MAX_SUBJ	16
#define MAX_ROUNDS	101
#define POOLS	"/sys/class/misc/rgnmm/device/pools"

enum kind { K_MMNGR, K_HEAP, K_UDMABUF, K_MALLOC };

struct subj {
	char name[48];
	enum kind kind;
	int fd;			/* heap fd */
	unsigned int pool;	/* K_MMNGR: pool index */
	__u32 pool_kind;	/* K_MMNGR: MMNGR_POOL_KIND_* */
	__u64 pool_size;
	int peer_cma;		/* K_HEAP: a CMA heap */
};

static struct subj subj[MAX_SUBJ];
static int nsubj, mfd = -1, bfd = -1, ufd = -1;
static int reps = 21, smoke, emulated = -1, failures;
static const char *only;	/* --only: the tests to run, e.g. "P1,P6" */

static int want(const char *test)
{
	return !only || strstr(only, test);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 { double med, min, max; int n; };

static struct stat3 stats(double *v, int n)
{
	struct stat3 s = { 0, 0, 0, n };

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static const char *size_str(size_t size)
{
	static char buf[8][24];
	static int i;
	char *b = buf[i++ % 8];

	if (size >= MiB && !(size % MiB))
		snprintf(b, 24, "%zuMiB", (size_t)(size / MiB));
	else
		snprintf(b, 24, "%zuKiB", (size_t)(size / KiB));
	return b;
}

static void put_row(const char *test, const char *size, const char *who,
		    const char *what, struct stat3 s)
{
	printf("%-3s %-7s %-24s %10.2f us  (min %.2f, max %.2f, n=%d)  %s\n",
	       test, size, who, s.med, s.min, s.max, s.n, what);
	printf("@row\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%d\n", test, size, who,
	       what, s.med, s.min, s.max, s.n);
}

/* @verdict: 1 goal met, 0 missed, -1 informational. */
static void put_ratio(const char *test, const char *size, const char *who,
		      const char *peer, double r, const char *goal, int verdict)
{
	const char *v = verdict < 0 ? "info" : verdict ? "ok" : "miss";

	printf("    %-7s %-22s / %-18s = %6.2f  goal %s: %s\n", size, who, peer,
	       r, goal, v);
	printf("@ratio\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s\n", test, size, who, peer,
	       r, goal, v);
}

/* ---- subjects ---------------------------------------------------------- */

static int pool_info(unsigned int index, struct mmngr_pool_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = index;
	return ioctl(mfd, MMNGR_IOCTL_POOL_INFO, info);
}

static long long pool_sysfs(const char *pool, const char *stat)
{
	char path[256], buf[32] = { 0 };
	int fd;

	snprintf(path, sizeof(path), POOLS "/%s/%s", pool, stat);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(fd);
	return buf[0] ? atoll(buf) : -1;
}

static void add_subj(const char *name, enum kind k)
{
	struct subj *s = &subj[nsubj++];

	snprintf(s->name, sizeof(s->name), "%.40s", name);
	s->kind = k;
	s->fd = -1;
}

static void discover(void)
{
	struct mmngr_pool_info info;
	struct dirent *d;
	unsigned int i;
	char path[300];
	DIR *dir;

	mfd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	if (mfd < 0 || bfd < 0) {
		fprintf(stderr, "mmngr_bench: %s\n",
			"/dev/mmngr and /dev/rgnmmbuf are needed (modprobe mmngrbuf)");
		exit(2);
	}
	for (i = 0; nsubj < MAX_SUBJ && !pool_info(i, &info); i++) {
		if (info.kind == MMNGR_POOL_KIND_NOMAP)
			continue;	/* not cached: no fair peer */
		snprintf(path, sizeof(path), "mmngr:%s", info.name);
		add_subj(path, K_MMNGR);
		subj[nsubj - 1].pool = i;
		subj[nsubj - 1].pool_kind = info.kind;
		subj[nsubj - 1].pool_size = info.size;
	}
	dir = opendir("/dev/dma_heap");
	while (dir && (d = readdir(dir)) && nsubj < MAX_SUBJ - 2) {
		int fd;

		if (d->d_name[0] == '.')
			continue;
		/*
		 * cma_heap.c adds the default area twice, as
		 * default_cma_region and under its own name ("reserved"
		 * for cma=): measure it once.
		 */
		if (!strcmp(d->d_name, "reserved") &&
		    !access("/dev/dma_heap/default_cma_region", F_OK))
			continue;
		/*
		 * Nor a heap over a Renesas region ("linux,multimedia@..."):
		 * the mmngr pool owns it, and two allocators on one region
		 * fail each other's claims (a 4 KiB CMA heap allocation took
		 * 2 s while mmngr held chunks of it).
		 */
		if (!strncmp(d->d_name, "linux,", 6))
			continue;
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "heap:%s", d->d_name);
		add_subj(path, K_HEAP);
		subj[nsubj - 1].fd = fd;
		subj[nsubj - 1].peer_cma = strcmp(d->d_name, "system") &&
					   strncmp(d->d_name, "mmngr", 5) &&
					   !strstr(d->d_name, "uncached");
	}
	if (dir)
		closedir(dir);
	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ufd >= 0)
		add_subj("udmabuf", K_UDMABUF);
	add_subj("malloc", K_MALLOC);
}

static struct subj *find(const char *name)
{
	int i;

	for (i = 0; i < nsubj; i++)
		if (!strcmp(subj[i].name, name))
			return &subj[i];
	return NULL;
}

/* The CMA heap, the fair peer of contiguous allocators, or NULL. */
static struct subj *cma_heap(void)
{
	int i;

	for (i = 0; i < nsubj; i++)
		if (subj[i].kind == K_HEAP && subj[i].peer_cma)
			return &subj[i];
	return NULL;
}

/* A dma-buf of @size from @s (cached), or -1. */
static int subj_dmabuf(struct subj *s, size_t size)
{
	switch (s->kind) {
	case K_MMNGR: {
		struct mmngrbuf_alloc a = {
			.mmngr_fd = mfd, .pool = s->pool, .size = size,
			.caching = MMNGR_CACHING_CACHED,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};

		return ioctl(bfd, MMNGRBUF_IOCTL_ALLOC, &a) ? -1 : a.fd;
	}
	case K_HEAP: {
		struct dma_heap_allocation_data a = {
			.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
		};

		return ioctl(s->fd, DMA_HEAP_IOCTL_ALLOC, &a) ? -1 : (int)a.fd;
	}
	case K_UDMABUF: {
		struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
		int memfd = memfd_create("bench", MFD_ALLOW_SEALING), fd;

		if (memfd < 0)
			return -1;
		if (ftruncate(memfd, size) ||
		    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
			close(memfd);
			return -1;
		}
		c.memfd = memfd;
		c.size = size;
		fd = ioctl(ufd, UDMABUF_CREATE, &c);
		close(memfd);
		return fd;
	}
	default:
		return -1;
	}
}

/* ---- P1, P2: allocation, and allocation through a written mapping ----- */

static int op_alloc(struct subj *s, size_t size)
{
	int fd;

	if (s->kind == K_MALLOC)
		return -1;
	fd = subj_dmabuf(s, size);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int op_write(struct subj *s, size_t size)
{
	void *p;
	int fd;

	if (s->kind == K_MALLOC) {
		p = malloc(size);
		if (!p)
			return -1;
		memset(p, 0x5a, size);
		/* Keep the compiler from dropping the memset. */
		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
		return 0;
	}
	fd = subj_dmabuf(s, size);
	if (fd < 0)
		return -1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	memset(p, 0x5a, size);
	munmap(p, size);
	close(fd);
	return 0;
}

/*
 * Time @op for every subject that can do it, interleaved; rounds with a
 * failure (ENOMEM) drop the subject.  Results in @res, medians in us.
 */
static void measure(int (*op)(struct subj *, size_t), size_t size,
		    struct stat3 *res, int rounds)
{
	static double v[MAX_SUBJ][MAX_ROUNDS];
	int ok[MAX_SUBJ], n[MAX_SUBJ] = { 0 }, r, i;

	for (i = 0; i < nsubj; i++)
		ok[i] = op(&subj[i], size) == 0;	/* warm-up, and a probe */
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nsubj; i++) {
			double t;

			if (!ok[i])
				continue;
			t = now_us();
			if (op(&subj[i], size)) {
				ok[i] = 0;
				continue;
			}
			v[i][n[i]++] = now_us() - t;
		}
	}
	for (i = 0; i < nsubj; i++)
		res[i] = stats(v[i], ok[i] ? n[i] : 0);
}

static int rounds_for(size_t size)
{
	int r = size >= 16 * MiB ? reps / 2 : reps;

	if (r < 5)
		r = 5;
	return r > MAX_ROUNDS ? MAX_ROUNDS : r;
}

/* Whether an mmngr pool took over twice as long as the gating peer. */
static int p1_gross(const struct stat3 *res)
{
	int i, pi;

	for (i = 0; i < nsubj; i++) {
		if (subj[i].kind != K_MMNGR || !res[i].n)
			continue;
		for (pi = 0; pi < nsubj; pi++)
			if (subj[pi].kind == K_HEAP && res[pi].n &&
			    (subj[pi].peer_cma || !cma_heap()) &&
			    res[i].med > 2 * res[pi].med)
				return 1;
	}
	return 0;
}

static void test_p1_p2(const char *test, int (*op)(struct subj *, size_t),
		       const char *what, const size_t *sizes)
{
	struct stat3 res[MAX_SUBJ];
	struct subj *peer;
	int i, pi;

	for (; *sizes; sizes++) {
		measure(op, *sizes, res, rounds_for(*sizes));
		/*
		 * A loaded host stalls whole guests now and then: a gate
		 * that fails is measured once more before it counts.
		 */
		if (smoke && !strcmp(test, "P1") && p1_gross(res)) {
			printf("# P1 %s: above 2x the peer, measured again\n",
			       size_str(*sizes));
			measure(op, *sizes, res, rounds_for(*sizes));
		}
		for (i = 0; i < nsubj; i++)
			if (res[i].n)
				put_row(test, size_str(*sizes), subj[i].name, what, res[i]);
		for (i = 0; i < nsubj; i++) {
			if (!res[i].n || subj[i].kind != K_MMNGR)
				continue;
			/* P1 against the CMA heap and the system heap. */
			for (pi = 0; pi < nsubj; pi++) {
				int goal;

				peer = &subj[pi];
				if (!res[pi].n || peer->kind == K_MMNGR)
					continue;
				if (!strcmp(test, "P1")) {
					if (peer->kind != K_HEAP)
						continue;
					goal = peer->peer_cma ?
					       res[i].med <= 0.9 * res[pi].med : -1;
					put_ratio(test, size_str(*sizes), subj[i].name,
						  peer->name, res[i].med / res[pi].med,
						  peer->peer_cma ? "<= 0.9" : "-", goal);
					if (smoke && res[i].med > 2 * res[pi].med &&
					    (peer->peer_cma || !cma_heap()))
						failures++;
				} else {
					goal = peer->kind == K_MALLOC && *sizes >= MiB ?
					       res[i].med <= 1.1 * res[pi].med : -1;
					put_ratio(test, size_str(*sizes), subj[i].name,
						  peer->name, res[i].med / res[pi].med,
						  goal >= 0 ? "<= 1.1" : "-", goal);
				}
			}
		}
	}
}

/* ---- P3: allocation with many live buffers ---------------------------- */

static int handle_alloc(unsigned int pool, size_t size, __u32 *handle)
{
	struct mmngr_alloc a = { .size = size, .pool = pool };

	if (ioctl(mfd, MMNGR_IOCTL_ALLOC, &a))
		return -1;
	*handle = a.handle;
	return 0;
}

static void handle_free(__u32 handle)
{
	struct mmngr_free f = { .handle = handle };

	ioctl(mfd, MMNGR_IOCTL_FREE, &f);
}

static void test_p3(void)
{
	static const int live[] = { 10, 1000, 10000 };
	static __u32 h[10000];
	double v[MAX_ROUNDS * 4];
	struct stat3 s[3];
	int i, k, r, n, have;

	for (i = 0; i < nsubj; i++) {
		if (subj[i].kind != K_MMNGR)
			continue;
		have = 0;
		for (k = 0; k < 3; k++) {
			while (have < live[k] && !handle_alloc(subj[i].pool, 4 * KiB, &h[have]))
				have++;
			if (have < live[k])
				break;
			for (r = n = 0; r < reps * 4 && r < MAX_ROUNDS * 4; r++) {
				__u32 x;
				double t = now_us();

				if (handle_alloc(subj[i].pool, 64 * KiB, &x))
					break;
				handle_free(x);
				v[n++] = now_us() - t;
			}
			s[k] = stats(v, n);
			put_row("P3", "64KiB", subj[i].name,
				live[k] == 10 ? "ALLOC+FREE handle, 10 live 4KiB" :
				live[k] == 1000 ? "ALLOC+FREE handle, 1000 live 4KiB" :
				"ALLOC+FREE handle, 10000 live 4KiB", s[k]);
		}
		while (have)
			handle_free(h[--have]);
		if (k < 3) {
			printf("P3  %s: only %d live buffers fit; skipped\n",
			       subj[i].name, have);
			continue;
		}
		put_ratio("P3", "64KiB", subj[i].name, "itself, 10 live",
			  s[2].med / s[0].med, "<= 1.2", s[2].med <= 1.2 * s[0].med);
		if (s[2].med > 2 * s[0].med)
			failures++;
	}
}

/* ---- P4, P5: cache maintenance with importers, PRIME import ----------- */

static int open_vgem(void)
{
	static const char * const where[] = {
		"/sys/bus/platform/devices/vgem/drm",
		"/sys/bus/faux/devices/vgem/drm",
		NULL,
	};
	const char * const *w;
	struct dirent *d;
	char path[300];
	DIR *dir = NULL;
	int fd = -1;

	for (w = where; !dir && *w; w++)
		dir = opendir(*w);
	while (dir && (d = readdir(dir)))
		if (!strncmp(d->d_name, "card", 4)) {
			snprintf(path, sizeof(path), "/dev/dri/%s", d->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
			break;
		}
	if (dir)
		closedir(dir);
	return fd;
}

static int prime_import(int drm, int fd, __u32 *handle)
{
	struct drm_prime_handle p = { .fd = fd };

	if (ioctl(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		return -1;
	*handle = p.handle;
	return 0;
}

static void gem_close(int drm, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	ioctl(drm, DRM_IOCTL_GEM_CLOSE, &c);
}

static int dmabuf_sync(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static void test_p4(void)
{
	size_t size = 16 * MiB;
	struct stat3 s[MAX_SUBJ][3];
	double v[MAX_ROUNDS];
	int vg[2], i, k, r, n;
	struct subj *peer = cma_heap();

	vg[0] = open_vgem();
	vg[1] = open_vgem();
	for (i = 0; i < nsubj; i++) {
		int fd;
		__u32 h[2];

		for (k = 0; k < 3; k++)
			s[i][k].n = 0;
		if (subj[i].kind == K_MALLOC)
			continue;
		fd = subj_dmabuf(&subj[i], size);
		if (fd < 0)
			continue;
		for (k = 0; k < 3; k++) {
			s[i][k].n = 0;
			if (k && (vg[k - 1] < 0 || prime_import(vg[k - 1], fd, &h[k - 1])))
				break;
			for (r = n = 0; r < rounds_for(size); r++) {
				double t = now_us();

				if (dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ||
				    dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
					break;
				v[n++] = (now_us() - t) / (size / MiB);
			}
			s[i][k] = stats(v, n);
			put_row("P4", "16MiB", subj[i].name,
				k == 0 ? "SYNC START+END per MiB, 0 importers" :
				k == 1 ? "SYNC START+END per MiB, 1 importer (vgem)" :
				"SYNC START+END per MiB, 2 importers (vgem x2)", s[i][k]);
		}
		while (--k > 0)
			gem_close(vg[k - 1], h[k - 1]);
		close(fd);
	}
	for (i = 0; i < nsubj; i++) {
		if (subj[i].kind != K_MMNGR || !s[i][0].n)
			continue;
		if (s[i][2].n)
			put_ratio("P4", "16MiB", subj[i].name, "itself, 0 importers",
				  s[i][2].med / s[i][0].med, "flat", emulated ? -1 :
				  s[i][2].med <= 1.2 * s[i][0].med);
		if (peer && s[peer - subj][0].n)
			put_ratio("P4", "16MiB", subj[i].name, peer->name,
				  s[i][0].med / s[peer - subj][0].med, "<= 1",
				  emulated ? -1 : s[i][0].med <= s[peer - subj][0].med);
	}
	for (k = 0; k < 2; k++)
		if (vg[k] >= 0)
			close(vg[k]);
}

static int vgem_fd = -1;

static int op_import(struct subj *s, size_t size)
{
	__u32 h;
	int fd;

	if (s->kind == K_MALLOC || s->kind == K_UDMABUF)
		return -1;
	fd = subj_dmabuf(s, size);
	if (fd < 0)
		return -1;
	if (prime_import(vgem_fd, fd, &h)) {
		close(fd);
		return -1;
	}
	gem_close(vgem_fd, h);
	close(fd);
	return 0;
}

static void test_p5(void)
{
	struct stat3 res[MAX_SUBJ];
	struct subj *peer = cma_heap();
	size_t size = MiB;
	int i;

	vgem_fd = open_vgem();
	if (vgem_fd < 0) {
		printf("P5  skipped: no vgem\n");
		return;
	}
	measure(op_import, size, res, reps);
	for (i = 0; i < nsubj; i++)
		if (res[i].n)
			put_row("P5", "1MiB", subj[i].name,
				"alloc->fd->vgem PRIME import->GEM close->close", res[i]);
	for (i = 0; i < nsubj; i++) {
		if (subj[i].kind != K_MMNGR || !res[i].n)
			continue;
		if (peer && res[peer - subj].n)
			put_ratio("P5", "1MiB", subj[i].name, peer->name,
				  res[i].med / res[peer - subj].med, "<= 1",
				  res[i].med <= res[peer - subj].med);
		if (find("heap:system") && res[find("heap:system") - subj].n)
			put_ratio("P5", "1MiB", subj[i].name, "heap:system",
				  res[i].med / res[find("heap:system") - subj].med, "-", -1);
	}
	close(vgem_fd);
}

/* ---- P6: capture into mmngr dma-bufs vs V4L2 MMAP + memcpy ------------ */

#define P6_BUFS		4
#define P6_FRAMES	60

/* This process's CPU time, from the scheduler's runtime, not ticks. */
static double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A vivid capture node (the guest loads one, with vb2-dma-contig). */
static int open_vivid(void)
{
	struct v4l2_capability cap;
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strncmp((char *)cap.driver, "vivid", 5) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
			return fd;
		close(fd);
	}
	return -1;
}

static int vivid_format(int vfd, struct v4l2_format *fmt)
{
	int input = 0;

	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt->fmt.pix.width = 640;
	fmt->fmt.pix.height = 480;
	fmt->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(vfd, VIDIOC_S_INPUT, &input) || ioctl(vfd, VIDIOC_S_FMT, fmt))
		return -1;
	return 0;
}

/*
 * CPU time of this process per frame over P6_FRAMES frames: DQBUF, what
 * the consumer does with the frame, QBUF.  @zero_copy: vivid writes into
 * mmngr dma-bufs (V4L2_MEMORY_DMABUF) and the consumer brackets its access
 * with DMA_BUF_IOCTL_SYNC; else vivid writes its own MMAP buffers and the
 * consumer copies each frame into one mmngr buffer.
 */
static double p6_run(struct subj *s, int zero_copy)
{
	struct v4l2_requestbuffers req = { .count = P6_BUFS,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = zero_copy ? V4L2_MEMORY_DMABUF : V4L2_MEMORY_MMAP };
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int vfd, dfd[P6_BUFS], dst = -1, i, n = 0;
	void *map[P6_BUFS] = { 0 }, *dmap = MAP_FAILED;
	size_t size = 0, mlen[P6_BUFS];
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	double t = -1;

	for (i = 0; i < P6_BUFS; i++)
		dfd[i] = -1;
	vfd = open_vivid();
	if (vfd < 0 || vivid_format(vfd, &fmt) || ioctl(vfd, VIDIOC_REQBUFS, &req) ||
	    req.count != P6_BUFS)
		goto out;
	size = (fmt.fmt.pix.sizeimage + 4095) & ~4095UL;
	if (!zero_copy) {
		dst = subj_dmabuf(s, size);
		if (dst < 0)
			goto out;
		dmap = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dst, 0);
		if (dmap == MAP_FAILED)
			goto out;
	}
	for (i = 0; i < P6_BUFS; i++) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = req.memory;
		b.index = i;
		if (zero_copy) {
			dfd[i] = subj_dmabuf(s, size);
			if (dfd[i] < 0)
				goto out;
			b.m.fd = dfd[i];
			b.length = size;
		} else {
			if (ioctl(vfd, VIDIOC_QUERYBUF, &b))
				goto out;
			mlen[i] = b.length;
			map[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, vfd,
				      b.m.offset);
			if (map[i] == MAP_FAILED) {
				map[i] = NULL;
				goto out;
			}
		}
		if (ioctl(vfd, VIDIOC_QBUF, &b))
			goto out;
	}
	if (ioctl(vfd, VIDIOC_STREAMON, &type))
		goto out;
	t = cpu_us();
	for (n = 0; n < P6_FRAMES; n++) {
		struct pollfd pfd = { .fd = vfd, .events = POLLIN };

		if (poll(&pfd, 1, 10000) != 1)
			break;
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = req.memory;
		if (ioctl(vfd, VIDIOC_DQBUF, &b))
			break;
		if (zero_copy) {
			dmabuf_sync(dfd[b.index], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
			dmabuf_sync(dfd[b.index], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
			b.m.fd = dfd[b.index];
			b.length = size;
		} else {
			dmabuf_sync(dst, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
			memcpy(dmap, map[b.index], b.bytesused);
			dmabuf_sync(dst, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		}
		if (ioctl(vfd, VIDIOC_QBUF, &b))
			break;
	}
	t = n == P6_FRAMES ? (cpu_us() - t) / n : -1;
	ioctl(vfd, VIDIOC_STREAMOFF, &type);
out:
	for (i = 0; i < P6_BUFS; i++) {
		if (map[i])
			munmap(map[i], mlen[i]);
		if (dfd[i] >= 0)
			close(dfd[i]);
	}
	if (vfd >= 0) {
		req.count = 0;
		ioctl(vfd, VIDIOC_REQBUFS, &req);
		close(vfd);
	}
	if (dmap != MAP_FAILED)
		munmap(dmap, size);
	if (dst >= 0)
		close(dst);
	return t;
}

/*
 * The kernel's heaps run the same two paths: what vb2 and DMA_BUF_IOCTL_SYNC
 * cost any dma-buf exporter, the floor under mmngr's ratio.
 */
static void test_p6(void)
{
	double v[2][5], zc[MAX_SUBJ] = { 0 };
	struct subj *peer = cma_heap();
	struct stat3 st[2];
	int i, r, k, n[2];

	if (access("/sys/module/vivid", F_OK)) {
		printf("P6  skipped: vivid is not loaded\n");
		return;
	}
	for (i = 0; i < nsubj; i++) {
		int mine = subj[i].kind == K_MMNGR;

		if (!mine && subj[i].kind != K_HEAP)
			continue;
		n[0] = 0;
		n[1] = 0;
		for (r = 0; r < 5; r++)
			for (k = 0; k < 2; k++) {
				double t = p6_run(&subj[i], !k);

				if (t >= 0)
					v[k][n[k]++] = t;
			}
		if (!n[0] || !n[1]) {
			printf("P6  %s: capture failed\n", subj[i].name);
			continue;
		}
		st[0] = stats(v[0], n[0]);
		st[1] = stats(v[1], n[1]);
		zc[i] = st[0].med;
		put_row("P6", "640x480", subj[i].name, mine ?
			"consumer CPU per frame: DQBUF, SYNC, QBUF (vivid into our dma-bufs)" :
			"consumer CPU per frame: DQBUF, SYNC, QBUF (vivid into the heap's dma-bufs)",
			st[0]);
		put_row("P6", "640x480", subj[i].name, mine ?
			"consumer CPU per frame: DQBUF, memcpy to our buffer, QBUF (V4L2 MMAP)" :
			"consumer CPU per frame: DQBUF, memcpy to a heap buffer, QBUF (V4L2 MMAP)",
			st[1]);
		put_ratio("P6", "640x480", subj[i].name, "MMAP+memcpy",
			  st[0].med / st[1].med, mine ? "<= 0.5" : "-",
			  mine ? st[0].med <= 0.5 * st[1].med : -1);
	}
	if (!peer || !zc[peer - subj])
		return;
	for (i = 0; i < nsubj; i++)
		if (subj[i].kind == K_MMNGR && zc[i])
			put_ratio("P6", "640x480", subj[i].name, peer->name,
				  zc[i] / zc[peer - subj], "-", -1);
}

/* ---- P7: fragmentation, and claims among movable pages ---------------- */

static void test_p7(void)
{
	enum { MAXB = 4096 };
	static __u32 h[MAXB];
	static __u64 sz[MAXB];
	struct mmngr_pool_info info;
	int i, n, round;

	srandom(15);
	for (i = 0; i < nsubj; i++) {
		__u64 used = 0, lo, hi, free_b, psize = subj[i].pool_size;
		unsigned int p = subj[i].pool;

		if (subj[i].kind != K_MMNGR || !psize)
			continue;
		/* Churn: fill to 90 %, free a random third, three times. */
		n = 0;
		for (round = 0; round < 4; round++) {
			while (used < psize * 9 / 10 && n < MAXB) {
				__u64 s = (1 + random() % 64) * 16 * KiB;

				if (handle_alloc(p, s, &h[n]))
					break;
				sz[n++] = s;
				used += s;
			}
			if (round == 3)
				break;
			for (int j = 0; j < n; j++) {
				if (random() % 3)
					continue;
				handle_free(h[j]);
				used -= sz[j];
				h[j] = h[--n];
				sz[j] = sz[n];
				j--;
			}
		}
		pool_info(p, &info);
		free_b = info.size - info.used;
		/* The largest buffer that fits, by bisection, in pages. */
		lo = 0;
		hi = free_b / 4096;
		while (lo < hi) {
			__u64 mid = (lo + hi + 1) / 2;
			__u32 x;

			if (!handle_alloc(p, mid * 4096, &x)) {
				handle_free(x);
				lo = mid;
			} else {
				hi = mid - 1;
			}
		}
		printf("P7  %s: %d buffers, %llu of %llu KiB used; ", subj[i].name, n,
		       (unsigned long long)info.used / 1024,
		       (unsigned long long)info.size / 1024);
		printf("largest that fits %llu KiB of %llu KiB free (largest_free says %llu KiB)\n",
		       (unsigned long long)lo * 4, (unsigned long long)free_b / 1024,
		       (unsigned long long)info.largest_free / 1024);
		printf("@frag\t%s\t%llu\t%llu\t%llu\n", subj[i].name,
		       (unsigned long long)info.used, (unsigned long long)free_b,
		       (unsigned long long)lo * 4096);
		put_ratio("P7", "90%used", subj[i].name, "free bytes",
			  free_b ? (double)lo * 4096 / free_b : 0, ">= 0.5",
			  lo * 4096 * 2 >= free_b);
		while (n)
			handle_free(h[--n]);
	}
}

/* Movable memory in the way: anonymous pages filling most free memory. */
static long long read_meminfo(const char *key)
{
	static const char path[] = "/proc/meminfo";
	char line[128];
	long long v = -1;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = atoll(line + strlen(key) + 1) * 1024;
	if (f)
		fclose(f);
	return v;
}

static void wait_unclaimed(const char *pool)
{
	int i;

	for (i = 0; i < 40 && pool_sysfs(pool, "claimed") > 0; i++)
		usleep(100000);
}

static void test_p7_movable(void)
{
	struct mmngr_pool_info info;
	double v[16];
	int i, r, n, ok, tries = smoke ? 2 : 8;

	for (i = 0; i < nsubj; i++) {
		size_t fill, want = 64 * MiB;
		char *anon;

		if (subj[i].kind != K_MMNGR ||
		    (subj[i].pool_kind != MMNGR_POOL_KIND_CMA &&
		     subj[i].pool_kind != MMNGR_POOL_KIND_MOVABLE))
			continue;
		if (want > subj[i].pool_size * 8 / 10)
			want = subj[i].pool_size * 8 / 10 & ~(4 * KiB - 1);
		pool_info(subj[i].pool, &info);
		for (r = n = ok = 0; r < tries; r++) {
			__u32 x;
			double t;

			/* The pool's chunks back with the page allocator. */
			wait_unclaimed(info.name);
			/*
			 * Leave room elsewhere for what has to move out of
			 * the pool's way, and some for the kernel.
			 */
			fill = read_meminfo("MemFree") - want - 128 * MiB;
			anon = mmap(NULL, fill, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (anon == MAP_FAILED)
				break;
			memset(anon, 1, fill);
			t = now_us();
			if (!handle_alloc(subj[i].pool, want, &x)) {
				v[n++] = now_us() - t;
				ok++;
				handle_free(x);
			}
			munmap(anon, fill);
		}
		printf("P7  %s: %s with free memory filled by anonymous pages: %d of %d %s\n",
		       subj[i].name, size_str(want), ok, r, "succeeded");
		if (n)
			put_row("P7", size_str(want), subj[i].name,
				"ALLOC+FREE handle, migrating anonymous pages", stats(v, n));
		put_ratio("P7", size_str(want), subj[i].name, "attempts",
			  r ? (double)ok / r : 0, "= 1", r && ok == r);
	}
}

/* ---- P8: kernel memory per buffer ------------------------------------- */

static void test_p8(void)
{
	enum { N = 10000 };
	static __u32 h[N];
	static int fds[N];
	struct rlimit rl = { N + 64, N + 64 };
	long long before, after;
	int i, k, n, got;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < nsubj; i++) {
		/*
		 * A CMA heap's dma-buf costs what the system heap's does, and
		 * 10,000 single-page cma_alloc() calls take many minutes under
		 * TCG (each drains every CPU's LRU caches).
		 */
		if (subj[i].kind == K_MALLOC || subj[i].peer_cma)
			continue;
		for (k = 0; k < 2; k++) {
			const char *what = k ? "dma-buf fd" : "handle";

			if (!k && subj[i].kind != K_MMNGR)
				continue;
			sync();
			before = read_meminfo("Slab");
			for (n = 0; n < N; n++) {
				if (k)
					fds[n] = subj_dmabuf(&subj[i], 4 * KiB);
				if (k ? fds[n] < 0 : handle_alloc(subj[i].pool, 4 * KiB, &h[n]))
					break;
			}
			after = read_meminfo("Slab");
			got = n;
			while (n-- > 0)
				k ? close(fds[n]) : handle_free(h[n]);
			if (got < N) {
				printf("P8  %s %s: only %d of %d fit\n", subj[i].name,
				       what, got, N);
				continue;
			}
			printf("P8  %-22s %-10s slab %+lld B per 4KiB buffer over %d buffers\n",
			       subj[i].name, what, (after - before) / N, N);
			printf("@slab\t%s\t%s\t%lld\n", subj[i].name, what,
			       (after - before) / N);
			if (subj[i].kind == K_MMNGR && !k)
				put_ratio("P8", "4KiB", subj[i].name, "512 B",
					  (after - before) / (double)N / 512, "<= 1",
					  (after - before) / N <= 512);
		}
	}
}

/* ---- main ---------------------------------------------------------------- */

static int is_emulated(void)
{
	char buf[256] = { 0 };
	int fd = open("/sys/class/dmi/id/sys_vendor", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
		if (strstr(buf, "QEMU"))
			return 1;
	}
	fd = open("/proc/device-tree/compatible", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
		if (!strcmp(buf, "linux,dummy-virt"))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t p1_sizes[] = { 4 * KiB, MiB, 16 * MiB, 64 * MiB, 0 };
	static const size_t smoke_sizes[] = { 4 * KiB, MiB, 0 };
	static const size_t p2_sizes[] = { 64 * KiB, MiB, 16 * MiB, 64 * MiB, 0 };
	struct utsname u;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			smoke = 1;
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--emulated")) {
			emulated = 1;
		} else if (!strcmp(argv[i], "--real")) {
			emulated = 0;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: %s %s\n", argv[0],
				"[--smoke] [--reps N] [--emulated|--real] [--only P1,P6...]");
			return 2;
		}
	}
	if (emulated < 0)
		emulated = is_emulated();
	if (smoke && reps == 21)
		reps = 11;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * Fresh memory for every malloc() of the floor: without this glibc
	 * raises its mmap threshold after the first free() and recycles
	 * pages already faulted in, which no allocator of new memory can do.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 * KiB);
	discover();
	uname(&u);
	printf("@env\tkernel\t%s %s\n", u.release, u.machine);
	printf("@env\temulated\t%s\n", emulated ? "yes" : "no");
	printf("# mmngr_bench: %s %s, %d rounds; times in microseconds (median, min, max)\n",
	       u.release, u.machine, reps);
	printf("# subjects:");
	for (i = 0; i < nsubj; i++)
		printf(" %s", subj[i].name);
	printf("\n");
	if (emulated)
		printf("%s\n%s\n%s\n",
		       "# EMULATED (QEMU TCG): no caches are modelled, so cache maintenance (P4)",
		       "# and uncached/write-combined mappings cost nothing real here; only ratios",
		       "# measured in this one boot mean anything, and P4 ratios are informational.");
	if (!cma_heap())
		printf("# %s: %s\n", "no CMA dma-buf heap on this kernel",
		       "P1/P4/P5 goals against it are not checked");

	if (want("P1"))
		test_p1_p2("P1", op_alloc, "alloc->dma-buf fd->close",
			   smoke ? smoke_sizes : p1_sizes);
	if (want("P3"))
		test_p3();
	if (smoke) {
		printf("@env\tsmoke_failures\t%d\n", failures);
		return failures ? 1 : 0;
	}
	if (want("P2"))
		test_p1_p2("P2", op_write,
			   "alloc->fd->mmap->memset->munmap->close (malloc: malloc+memset+free)",
			   p2_sizes);
	if (want("P4"))
		test_p4();
	if (want("P5"))
		test_p5();
	if (want("P6"))
		test_p6();
	if (want("P7")) {
		test_p7();
		test_p7_movable();
	}
	if (want("P8"))
		test_p8();
	return 0;
}
