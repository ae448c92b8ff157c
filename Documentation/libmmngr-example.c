// SPDX-License-Identifier: MIT
/*
 * libmmngr example: allocate a buffer, fill it through a CPU mapping, and
 * export it as a dma-buf that a camera, a display or another process can
 * use without a copy.  Build and run (as a user who may open /dev/mmngr
 * and /dev/rgnmmbuf):
 *
 *	cc -o example libmmngr-example.c $(pkg-config --cflags --libs libmmngr2)
 *	./example multimedia 1M
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmngr2.h>

/* "4096", "0x1000", "64K", "1M", "1G" (or k, m, g): bytes; else 0. */
static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t n = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': case 'g': n <<= 10; /* fall through */
	case 'M': case 'm': n <<= 10; /* fall through */
	case 'K': case 'k': n <<= 10; end++; break;
	}
	return *end ? 0 : n;
}

int main(int argc, char **argv)
{
	const char *pool_name = argc > 1 ? argv[1] : "kernelheap";
	uint64_t size = argc > 2 ? parse_size(argv[2]) : 1 << 20;
	struct mmngr2_buf *buf;
	struct mmngr2 *mm;
	unsigned char *cpu, *view;
	int pool, dmabuf, err;

	err = mmngr2_open(&mm);
	if (err) {
		fprintf(stderr, "/dev/mmngr: %s\n", strerror(-err));
		return 1;
	}
	pool = mmngr2_pool_find(mm, pool_name);
	if (pool < 0) {
		fprintf(stderr, "pool %s: %s\n", pool_name, strerror(-pool));
		return 1;
	}

	/* 64 KiB-aligned for devices, cached for the CPU. */
	err = mmngr2_alloc(mm, pool, size, 64 * 1024, MMNGR2_CACHED, &buf);
	if (err) {
		fprintf(stderr, "alloc: %s\n", strerror(-err));
		return 1;
	}
	err = mmngr2_map(buf, (void **)&cpu);
	if (err) {
		fprintf(stderr, "map: %s\n", strerror(-err));
		return 1;
	}

	/* CPU writes, then clean the caches so that devices see them. */
	memset(cpu, 0x80, mmngr2_buf_size(buf));
	mmngr2_sync_end(buf, 0, mmngr2_buf_size(buf), MMNGR2_WRITE);

	dmabuf = mmngr2_export(buf, 0, 0, O_RDWR);
	if (dmabuf < 0) {
		fprintf(stderr, "export: %s\n", strerror(-dmabuf));
		return 1;
	}
	printf("%llu bytes in %s at device address %#llx, dma-buf fd %d\n",
	       (unsigned long long)mmngr2_buf_size(buf), pool_name,
	       (unsigned long long)mmngr2_buf_dev_addr(buf), dmabuf);

	/* Any holder of the dma-buf maps the same memory. */
	view = mmap(NULL, mmngr2_buf_size(buf), PROT_READ, MAP_SHARED,
		    dmabuf, 0);
	if (view != MAP_FAILED) {
		mmngr2_dmabuf_sync_begin(dmabuf, MMNGR2_READ);
		printf("first byte through the dma-buf: %#x\n", view[0]);
		mmngr2_dmabuf_sync_end(dmabuf, MMNGR2_READ);
		munmap(view, mmngr2_buf_size(buf));
	}

	/* The dma-buf keeps the memory after the buffer is freed. */
	mmngr2_free(buf);
	close(dmabuf);
	mmngr2_close(mm);
	return 0;
}
