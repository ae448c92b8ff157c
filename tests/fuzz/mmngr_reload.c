// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unload/reload cycles: what modprobe -r mmngrbuf mmngr and modprobe
 * mmngrbuf do, by delete_module() and finit_module() with the options in
 * /etc/modprobe.d (modprobe itself where the modules are not in
 * /lib/modules/<release>/extra), with traffic on every device node between
 * cycles: allocations, exports, imports, fences, syncs, mappings, all
 * closed again.  A live dma-buf or fence holds mmngrbuf's code, so
 * unloading must be refused while one exists.
 *
 * Each load claims mmngr's carve-out (amd64 lanes: carveout=256M), which
 * takes most of a cycle on a debug kernel: the cycles ask for 16 MiB, and
 * the last load restores the lane's options, so that the rest of the run
 * goes on as before.  The lane's final kmemleak scan covers the cycles.
 *
 *   mmngr_reload [--cycles N]
 *
 * 100 cycles on a debug kernel, 20 elsewhere; MMNGR_RELOAD_CYCLES
 * overrides that.  A 32-bit build under a 64-bit kernel skips: the native
 * build has done it.
 */

#include "fuzz.h"

#include <glob.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>
#include <linux/rgnmm.h>

static long page;

static int sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char ko[2][300];		/* mmngr.ko, mmngrbuf.ko */
static char opts[2][256];	/* their options */
static char cycle_opts[256];	/* mmngr's, with a small carve-out */
static const char *const mods[2] = { "mmngr", "mmngrbuf" };

/* "options NAME ..." lines of /etc/modprobe.d/\*.conf. */
static void read_options(void)
{
	char line[512], name[64], rest[256];
	glob_t g;
	size_t i;
	int m;

	if (glob("/etc/modprobe.d/*.conf", 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "re");

		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "options %63s %255[^\n]", name, rest) != 2)
				continue;
			for (m = 0; m < 2; m++)
				if (!strcmp(name, mods[m]))
					snprintf(opts[m], sizeof(opts[m]), "%s", rest);
		}
		if (f)
			fclose(f);
	}
	globfree(&g);
}

/* mmngr's options with carveout=16M instead of the lane's size. */
static void small_carveout(void)
{
	char *c = strstr(opts[0], "carveout="), *end;

	snprintf(cycle_opts, sizeof(cycle_opts), "%s", opts[0]);
	if (!c)
		return;
	end = strchr(c, ' ');
	snprintf(cycle_opts + (c - opts[0]), sizeof(cycle_opts) - (c - opts[0]),
		 "carveout=16M%s", end ? end : "");
}

/* 0 if both modules were loaded (mmngr first), else -1. */
static int load(bool lane_opts)
{
	int m, fd;

	if (!ko[0][0])
		return sh("modprobe mmngrbuf") ? -1 : 0;
	for (m = 0; m < 2; m++) {
		const char *o = m || lane_opts ? opts[m] : cycle_opts;

		fd = open(ko[m], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, o, 0)) {
			printf("# finit_module %s: %s\n", ko[m], strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* 0 if both modules are gone (mmngrbuf first), else -1. */
static int unload(void)
{
	double end = now_s() + 5;
	int m;

	for (m = 1; m >= 0; m--) {
		/* The last fence or dma-buf may go just after its file. */
		while (syscall(SYS_delete_module, mods[m], O_NONBLOCK)) {
			if ((errno != EAGAIN && errno != EBUSY) || now_s() > end) {
				printf("# delete_module %s: %s\n", mods[m], strerror(errno));
				return -1;
			}
			usleep(1000);
		}
	}
	return 0;
}

static bool wait_node(const char *path, bool present)
{
	double end = now_s() + 5;

	while ((access(path, F_OK) == 0) != present) {
		if (now_s() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* Everything a user does with the modules, undone again; 0 or a step. */
static int traffic(int round)
{
	int rg, mm, bf, d = -1, ret = 0;
	struct MM_PARAM p = { .size = page, .flag = MM_KERNELHEAP };
	struct mmngr_alloc a = { .size = 4 * page };
	struct mmngrbuf_export e = { .fd_flags = O_RDWR | O_CLOEXEC };
	struct mmngrbuf_import im = { 0 };
	struct mmngrbuf_fence_attach fa = { .timeout_ms = 1 + round % 5 };
	struct dma_buf_sync sy = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	void *m;

	rg = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
	mm = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	bf = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	if (rg < 0 || mm < 0 || bf < 0) {
		ret = 1;
		goto out;
	}
	if (ioctl(rg, MM_IOC_ALLOC, &p)) {
		ret = 2;
		goto out;
	}
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, rg, 0);
	if (m == MAP_FAILED) {
		ret = 3;
		goto out;
	}
	memset(m, 1, page);
	munmap(m, page);
	if (ioctl(mm, MMNGR_IOCTL_ALLOC, &a)) {
		ret = 4;
		goto out;
	}
	e.mmngr_fd = mm;
	e.handle = a.handle;
	if (ioctl(bf, MMNGRBUF_IOCTL_EXPORT, &e)) {
		ret = 5;
		goto out;
	}
	d = e.fd;
	im.fd = d;
	fa.fd = d;
	if (ioctl(bf, MMNGRBUF_IOCTL_IMPORT, &im) ||
	    ioctl(bf, MMNGRBUF_IOCTL_FENCE_ATTACH, &fa) ||
	    ioctl(d, DMA_BUF_IOCTL_SYNC, &sy)) {
		ret = 6;
		goto out;
	}
	sy.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ioctl(d, DMA_BUF_IOCTL_SYNC, &sy);
	/* Closing leaves an import, a fence and a buffer for release to undo. */
out:
	if (d >= 0)
		close(d);
	if (bf >= 0)
		close(bf);
	if (mm >= 0)
		close(mm);
	if (rg >= 0)
		close(rg);
	return ret;
}

/* While a dma-buf of ours is open, mmngrbuf must stay; 1 if it did. */
static int unload_refused(void)
{
	struct mmngrbuf_alloc a = { .size = page, .fd_flags = O_RDWR | O_CLOEXEC };
	int mm = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	int bf = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	int ok = 0;

	a.mmngr_fd = mm;
	if (mm >= 0 && bf >= 0 && !ioctl(bf, MMNGRBUF_IOCTL_ALLOC, &a)) {
		close(bf);
		close(mm);
		mm = -1;
		bf = -1;
		ok = syscall(SYS_delete_module, "mmngrbuf", O_NONBLOCK) &&
		     !access("/sys/module/mmngrbuf", F_OK);
		close(a.fd);
	}
	if (bf >= 0)
		close(bf);
	if (mm >= 0)
		close(mm);
	return ok;
}

int main(int argc, char **argv)
{
	const char *env = getenv("MMNGR_RELOAD_CYCLES");
	int cycles = env ? atoi(env) : debug_kernel() ? 100 : 20, i, step = 0, bufs;
	double start, t, spent[3] = { 0 };
	struct utsname u;
	char line[512];
	struct kmsg k;
	bool kmsg_ok, clean = true;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	if (argc == 3 && !strcmp(argv[1], "--cycles"))
		cycles = atoi(argv[2]);
	tap_plan(3);
	uname(&u);
	if (sizeof(long) == 4 && strstr(u.machine, "64")) {
		for (i = 0; i < 3; i++)
			tap_result(1, "reload # SKIP the 64-bit build does it");
		return 0;
	}
	if (access("/sys/module/mmngrbuf", F_OK)) {
		for (i = 0; i < 3; i++)
			tap_result(1, "reload # SKIP mmngrbuf is not loaded");
		return 0;
	}
	kmsg_ok = !kmsg_open(&k);
	read_options();
	small_carveout();
	for (i = 0; i < 2; i++)
		snprintf(ko[i], sizeof(ko[i]), "/lib/modules/%s/extra/%s.ko", u.release, mods[i]);
	if (access(ko[0], R_OK) || access(ko[1], R_OK))
		ko[0][0] = '\0';
	tap_result(unload_refused(), "reload: mmngrbuf stays while one of its dma-bufs is open");

	start = now_s();
	for (i = 0; i < cycles; i++) {
		t = now_s();
		if (unload()) {
			step = 1;
			break;
		}
		spent[0] += now_s() - t;
		if (!wait_node("/dev/rgnmmbuf", false) || !wait_node("/dev/rgnmm", false)) {
			step = 2;
			break;
		}
		t = now_s();
		if (load(false)) {
			step = 3;
			break;
		}
		spent[1] += now_s() - t;
		if (!wait_node("/dev/rgnmmbuf", true) || !wait_node("/dev/mmngr", true)) {
			step = 4;
			break;
		}
		t = now_s();
		step = traffic(i);
		spent[2] += now_s() - t;
		if (step) {
			step += 10;
			break;
		}
		bufs = debugfs_buffers();
		if (bufs > 0) {
			printf("# %d buffers left after the traffic\n", bufs);
			step = 20;
			break;
		}
	}
	if (step)
		printf("# cycle %d failed at step %d: %s\n", i, step, strerror(errno));
	printf("# %d cycles in %.1f s: unloading %.1f s, loading %.1f s, traffic %.1f s\n",
	       i, now_s() - start, spent[0], spent[1], spent[2]);
	/* The rest of the run needs them as the lane has them. */
	if (!step && (unload() || load(true)))
		step = 30;
	if (access("/sys/module/mmngrbuf", F_OK))
		sh("modprobe mmngrbuf");
	tap_result(!step, "reload: %d unload/load cycles with traffic between them", cycles);
	while (kmsg_ok && (r = kmsg_next(&k, line, sizeof(line))) >= 0) {
		if (r) {
			printf("# kernel: %s\n", line);
			clean = false;
		}
	}
	if (kmsg_ok)
		tap_result(clean, "reload: kernel log clean");
	else
		tap_result(1, "reload: kernel log clean # SKIP no /dev/kmsg");
	return tap_failed ? 1 : 0;
}
