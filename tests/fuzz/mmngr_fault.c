// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kill rounds: a child allocates, exports, imports, attaches fences and
 * syncs at random until it is killed with SIGKILL at a random moment; after
 * every round the pools' usage and the buffer list in debugfs must be back
 * where they were.  Whatever a process leaves behind when it dies in the
 * middle of an operation is the kernel's to clean up.
 *
 *   mmngr_fault [--rounds N] [--seed S]
 *
 * 1000 rounds on a debug kernel, 200 elsewhere, a fifth of that for a
 * 32-bit build; MMNGR_FAULT_ROUNDS overrides them.
 */

#include "fuzz.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <drm/drm.h>
#include <linux/dma-buf.h>
#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>
#include <linux/rgnmm.h>

#define STEPS	64	/* the child's last steps, for the report */
#define NBUFS	6

/* What the child did last, in memory the parent reads after its death. */
struct trace {
	unsigned int n;
	unsigned char step[STEPS];
};

static const char *const step_name[] = {
	"rgnmm alloc+mmap", "mmngr alloc", "dma-buf alloc", "export", "import",
	"IMPORT_START", "fence attach", "sync start+end", "fence signal",
	"free/close", "vgem import", "import release",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_STEPS	ARRAY_SIZE(step_name)

static __u64 rng;
static long page;

static __u64 rnd(__u64 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

static int open_vgem(void)
{
	char path[300];
	struct dirent *e;
	DIR *dir = opendir("/sys/bus/platform/devices/vgem/drm");
	int fd = -1;

	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		break;
	}
	closedir(dir);
	return fd;
}

/* The child: random steps until it is killed. */
static void child(struct trace *tr, int pool)
{
	int rg = open("/dev/rgnmm", O_RDWR), mm = open("/dev/mmngr", O_RDWR);
	int bf = open("/dev/rgnmmbuf", O_RDWR), vg = rnd(4) ? -1 : open_vgem();
	int bufs[NBUFS], nbufs = 0, d, i;
	__u32 handles[8], fences[16], imports[8];
	int nh = 0, nf = 0, ni = 0;

	for (;;) {
		unsigned int s = rnd(NR_STEPS);

		tr->step[tr->n++ % STEPS] = s;
		d = nbufs ? bufs[rnd(nbufs)] : -1;
		switch (s) {
		case 0: {
			struct MM_PARAM p = { .size = page * (1 + rnd(8)) };
			void *m;

			p.flag = rnd(2) ? MM_KERNELHEAP : MM_KERNELHEAP_CACHED;
			if (ioctl(rg, MM_IOC_ALLOC, &p))
				break;
			m = mmap(NULL, p.size, PROT_READ | PROT_WRITE, MAP_SHARED, rg, 0);
			if (m != MAP_FAILED)
				memset(m, 0x5a, p.size);
			break;
		}
		case 1: {
			struct mmngr_alloc a = { .size = page * (1 + rnd(16)), .pool = pool,
						 .caching = rnd(3) };

			if (nh < 8 && !ioctl(mm, MMNGR_IOCTL_ALLOC, &a))
				handles[nh++] = a.handle;
			break;
		}
		case 2: {
			struct mmngrbuf_alloc a = { .mmngr_fd = mm, .pool = pool,
						    .size = page * (1 + rnd(16)),
						    .fd_flags = O_RDWR | O_CLOEXEC };

			if (nbufs < NBUFS && !ioctl(bf, MMNGRBUF_IOCTL_ALLOC, &a))
				bufs[nbufs++] = a.fd;
			break;
		}
		case 3: {
			struct mmngrbuf_export e = { .mmngr_fd = mm,
						     .fd_flags = rnd(2) ? O_RDWR : O_RDONLY };

			if (!nh || nbufs >= NBUFS)
				break;
			e.handle = handles[rnd(nh)];
			if (!ioctl(bf, MMNGRBUF_IOCTL_EXPORT, &e))
				bufs[nbufs++] = e.fd;
			break;
		}
		case 4: {
			struct mmngrbuf_import im = { .fd = d };

			if (ni < 8 && !ioctl(bf, MMNGRBUF_IOCTL_IMPORT, &im))
				imports[ni++] = im.handle;
			break;
		}
		case 5: {
			struct MM_BUF_PARAM p = { .buf = d };

			ioctl(bf, rnd(2) ? MM_IOC_IMPORT_START : MM_IOC_IMPORT_END, &p);
			break;
		}
		case 6: {
			/* Some long enough that the child dies waiting for them. */
			struct mmngrbuf_fence_attach a = {
				.fd = d, .flags = rnd(4),
				.timeout_ms = rnd(3) ? 1 + rnd(50) : 2000 + rnd(3000),
			};

			if (nf < 16 && !ioctl(bf, MMNGRBUF_IOCTL_FENCE_ATTACH, &a))
				fences[nf++] = a.fence;
			break;
		}
		case 7: {
			struct dma_buf_sync sy = { .flags = DMA_BUF_SYNC_START | (1 + rnd(3)) };

			ioctl(d, DMA_BUF_IOCTL_SYNC, &sy);
			sy.flags = DMA_BUF_SYNC_END | (sy.flags & DMA_BUF_SYNC_RW);
			ioctl(d, DMA_BUF_IOCTL_SYNC, &sy);
			break;
		}
		case 8: {
			struct mmngrbuf_fence_signal sg = { 0 };

			if (!nf)
				break;
			i = rnd(nf);
			sg.fence = fences[i];
			ioctl(bf, MMNGRBUF_IOCTL_FENCE_SIGNAL, &sg);
			fences[i] = fences[--nf];
			break;
		}
		case 9:
			if (nbufs && rnd(2)) {
				i = rnd(nbufs);
				close(bufs[i]);
				bufs[i] = bufs[--nbufs];
			} else if (nh) {
				struct mmngr_free fr = { .handle = handles[--nh] };

				ioctl(mm, MMNGR_IOCTL_FREE, &fr);
			}
			break;
		case 10: {
			struct drm_prime_handle ph = { .fd = d };

			if (vg >= 0)
				ioctl(vg, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph);
			break;
		}
		default: {
			struct mmngrbuf_import_release rl = { 0 };

			if (!ni)
				break;
			rl.handle = imports[--ni];
			ioctl(bf, MMNGRBUF_IOCTL_IMPORT_RELEASE, &rl);
			break;
		}
		}
	}
}

/* The kernel heap's pool index: every board has one. */
static int heap_pool(void)
{
	struct mmngr_pool_info pi;
	int fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC), i, ret = -1;

	for (i = 0; fd >= 0 && i < 16; i++) {
		memset(&pi, 0, sizeof(pi));
		pi.index = i;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &pi))
			break;
		if (!strcmp(pi.name, "kernelheap") || (ret < 0 && pi.size))
			ret = i;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	long long used0, used;
	int bufs0, bufs, rounds, round, status, bad = 0, pool, n = 0;
	double start, t, spent[3] = { 0 };
	struct trace *tr;
	const char *env = getenv("MMNGR_FAULT_ROUNDS");
	__u64 seed = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	char line[512];
	struct kmsg k;
	bool kmsg_ok, clean = true, ok;
	pid_t pid;
	int r;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	if (env)
		rounds = atoi(env);
	else
		rounds = (debug_kernel() ? 1000 : 200) / (sizeof(long) == 8 ? 1 : 5);
	for (i = 1; i + 1 < (unsigned int)argc; i += 2) {
		if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
	}
	tap_plan(2);
	pool = heap_pool();
	used0 = pools_used();
	bufs0 = debugfs_buffers();
	if (pool < 0 || used0 < 0 || bufs0 < 0) {
		tap_result(1, "kill rounds # SKIP no mmngr, sysfs pools or debugfs buffers");
		tap_result(1, "kill rounds: kernel log # SKIP");
		return 0;
	}
	tr = mmap(NULL, sizeof(*tr), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tr == MAP_FAILED)
		return 1;
	kmsg_ok = !kmsg_open(&k);
	printf("# %d rounds, seed %#llx, pool %d\n", rounds, (unsigned long long)seed, pool);
	start = now_s();
	rng = seed | 1;
	for (round = 0; round < rounds && !bad; round++) {
		__u64 cseed = rnd(~0ULL) | 1;
		/* Mostly within the first few steps, now and then much later. */
		useconds_t delay = rnd(10) ? rnd(3000) : rnd(30000);

		memset(tr, 0, sizeof(*tr));
		t = now_s();
		pid = fork();
		if (pid == 0) {
			rng = cseed;
			child(tr, pool);
			_exit(0);
		}
		if (pid < 0) {
			printf("# fork: %s\n", strerror(errno));
			bad = 1;
			break;
		}
		spent[0] += now_s() - t;
		usleep(delay);
		t = now_s();
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		spent[1] += now_s() - t;
		t = now_s();
		ok = back_to_baseline(used0, bufs0, 5, &used, &bufs);
		spent[2] += now_s() - t;
		if (!ok) {
			printf("# round %d (child seed %#llx, killed after %u us, %u steps):\n",
			       round, (unsigned long long)cseed, delay, tr->n);
			printf("#   pools: %lld bytes used, %lld before; buffers: %d, %d before\n",
			       used, used0, bufs, bufs0);
			printf("#   last steps:");
			for (i = tr->n > STEPS ? tr->n - STEPS : 0; i < tr->n; i++)
				printf(" %s,", step_name[tr->step[i % STEPS]]);
			printf("\n");
			bad = 1;
		}
		n += tr->n;
	}
	printf("# %d rounds, %d steps in %.1f s: fork %.1f s, kill and reap %.1f s, %s %.1f s\n",
	       round, n, now_s() - start, spent[0], spent[1], "checks", spent[2]);
	tap_result(!bad, "kill rounds: %s after each of %d SIGKILLs",
		   "pools and buffer list back to baseline", round);
	while (kmsg_ok && (r = kmsg_next(&k, line, sizeof(line))) >= 0) {
		if (r) {
			printf("# kernel: %s\n", line);
			clean = false;
		}
	}
	if (kmsg_ok)
		tap_result(clean, "kill rounds: kernel log clean");
	else
		tap_result(1, "kill rounds: kernel log clean # SKIP no /dev/kmsg");
	return tap_failed ? 1 : 0;
}
