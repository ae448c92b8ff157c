// SPDX-License-Identifier: GPL-2.0-only
/*
 * What `make demo` shows of /dev/rgnmm: allocate from each role the board
 * has, map, write, read back, and print what an application sees; then
 * show the live buffers from debugfs, and free them all by closing.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/rgnmm.h>

static int fds[16], nfds;

/* Allocate and map one buffer; the file stays open (the buffer lives). */
static int demo(const char *what, unsigned long cmd, unsigned int flag,
		size_t size)
{
	struct MM_PARAM p = { .size = size, .flag = flag };
	int fd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC), sfd = -1;
	unsigned char *map;

	if (fd < 0 || ioctl(fd, cmd, &p)) {
		printf("  %-26s %7zu KiB: %s%s\n", what, size >> 10, strerror(errno),
		       errno == EINVAL ? " (no such pool here: libmmngr's R_MM_PARE)" : "");
		return fd >= 0 ? close(fd) : -1;
	}
	ioctl(fd, MM_IOC_GET, &p);
	if (cmd == MM_IOC_ALLOC_CO) {
		/* Carve-outs are mapped through SHARE, as libmmngr does. */
		struct MM_PARAM s = { .size = size, .phy_addr = p.hard_addr };

		sfd = open("/dev/rgnmm", O_RDWR | O_CLOEXEC);
		if (sfd < 0 || ioctl(sfd, MM_IOC_SHARE, &s))
			return -1;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   sfd >= 0 ? sfd : fd, 0);
	if (map == MAP_FAILED)
		return -1;
	printf("  %-26s %7zu KiB at hard address 0x%08x, first byte %u",
	       what, size >> 10, p.hard_addr, map[0]);
	memset(map, 0xab, size);
	printf(", after writing 0x%02x\n", map[size - 1]);
	munmap(map, size);
	if (sfd >= 0)
		close(sfd);
	fds[nfds++] = fd;
	return 0;
}

static void cat(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		printf("    %s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	demo("MM_KERNELHEAP", MM_IOC_ALLOC, MM_KERNELHEAP, 4 << 20);
	demo("MM_KERNELHEAP_CACHED", MM_IOC_ALLOC, MM_KERNELHEAP_CACHED, 1 << 20);
	demo("MM_CARVEOUT", MM_IOC_ALLOC_CO, MM_CARVEOUT, 32 << 20);
	demo("MM_CARVEOUT_LOSSY (ARGB)", MM_IOC_ALLOC_CO, MM_LOSSY_FLAG(3), 8 << 20);
	demo("MM_CARVEOUT_SSP", MM_IOC_ALLOC_CO, MM_CARVEOUT_SSP, 1 << 20);

	printf("\n  Live buffers (/sys/kernel/debug/mmngr/buffers):\n");
	cat("/sys/kernel/debug/mmngr/buffers");
	while (nfds)
		close(fds[--nfds]);
	printf("\n  Closed: every buffer is back in its pool.\n");
	return 0;
}
