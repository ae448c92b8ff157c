// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real V4L2 importer: vivid captures frames with V4L2_MEMORY_DMABUF into
 * mmngr dma-bufs.  The guest loads vivid with two instances: vivid-000 with
 * the vmalloc allocator (vb2 maps our buffer with dma_buf_vmap()) and
 * vivid-001 with dma-contig (dma_buf_map_attachment(), which vb2 only
 * accepts for contiguous memory).  Each frame must land in our memory.
 */

#include "mmngrbuf_test.h"

#include "kselftest_harness.h"

#define NBUF	3
#define MARK	0xa5

static size_t count_not(const unsigned char *p, int c, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] != c;
	return n;
}

static void capture(struct __test_metadata *_metadata, int inst, __u32 caching)
{
	struct v4l2_requestbuffers req = { .count = NBUF, .memory = V4L2_MEMORY_DMABUF,
					   .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int bfd, vfd, dfd[NBUF], i, frames = 0, input = 0;
	unsigned char *map[NBUF];
	struct v4l2_buffer b;
	size_t size;

	bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd);
	vfd = open_vivid(inst);
	ASSERT_LE(0, vfd) TH_LOG("no vivid-%03d: is vivid loaded with n_devs=2?", inst);
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_S_INPUT, &input));

	fmt.fmt.pix.width = 320;
	fmt.fmt.pix.height = 180;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_S_FMT, &fmt));
	ASSERT_LT(0, fmt.fmt.pix.sizeimage);
	size = (fmt.fmt.pix.sizeimage + 4095) & ~4095UL;
	ksft_print_msg("vivid-%03d: %ux%u, %u bytes a frame\n", inst,
		       fmt.fmt.pix.width, fmt.fmt.pix.height, fmt.fmt.pix.sizeimage);

	ASSERT_EQ(0, ioctl(vfd, VIDIOC_REQBUFS, &req));
	ASSERT_EQ(NBUF, req.count);
	for (i = 0; i < NBUF; i++) {
		dfd[i] = alloc_dmabuf(bfd, size, caching);
		ASSERT_LE(0, dfd[i]);
		map[i] = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dfd[i], 0);
		ASSERT_TRUE(map[i] != MAP_FAILED);
		memset(map[i], MARK, size);
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		b.index = i;
		b.m.fd = dfd[i];
		b.length = size;
		ASSERT_EQ(0, ioctl(vfd, VIDIOC_QBUF, &b));
	}
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_STREAMON, &type));

	while (frames < 2 * NBUF) {
		ASSERT_EQ(1, poll_ready(vfd, POLLIN, 10000));
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		ASSERT_EQ(0, ioctl(vfd, VIDIOC_DQBUF, &b));
		ASSERT_GT(NBUF, b.index);
		EXPECT_EQ(0, b.flags & V4L2_BUF_FLAG_ERROR);
		EXPECT_EQ(fmt.fmt.pix.sizeimage, b.bytesused);
		EXPECT_EQ(dfd[b.index], b.m.fd);
		ASSERT_EQ(0, dmabuf_sync(dfd[b.index], DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		/* The frame is in our memory: vivid's test pattern covers it. */
		EXPECT_LT(fmt.fmt.pix.sizeimage / 2,
			  count_not(map[b.index], MARK, fmt.fmt.pix.sizeimage));
		/* Beyond the frame nothing was touched. */
		EXPECT_TRUE(all_bytes(map[b.index] + fmt.fmt.pix.sizeimage, MARK,
				      size - fmt.fmt.pix.sizeimage));
		memset(map[b.index], MARK, fmt.fmt.pix.sizeimage);
		ASSERT_EQ(0, dmabuf_sync(dfd[b.index], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		frames++;
		b.m.fd = dfd[b.index];
		b.length = size;
		ASSERT_EQ(0, ioctl(vfd, VIDIOC_QBUF, &b));
	}
	EXPECT_EQ(0, ioctl(vfd, VIDIOC_STREAMOFF, &type));
	req.count = 0;
	EXPECT_EQ(0, ioctl(vfd, VIDIOC_REQBUFS, &req));
	for (i = 0; i < NBUF; i++) {
		munmap(map[i], size);
		close(dfd[i]);
	}
	close(vfd);
	close(bfd);
}

TEST(vmalloc_importer_cached)
{
	capture(_metadata, 0, MMNGR_CACHING_CACHED);
}

TEST(vmalloc_importer_writecombine)
{
	capture(_metadata, 0, MMNGR_CACHING_WRITECOMBINE);
}

TEST(dma_contig_importer_cached)
{
	capture(_metadata, 1, MMNGR_CACHING_CACHED);
}

TEST(dma_contig_importer_uncached)
{
	capture(_metadata, 1, MMNGR_CACHING_UNCACHED);
}

/* The queue holds the dma-buf: the memory outlives our fd until REQBUFS 0. */
TEST(queue_holds_buffer)
{
	struct v4l2_requestbuffers req = { .count = 1, .memory = V4L2_MEMORY_DMABUF,
					   .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	long long base = heap_used();
	int bfd, vfd, dfd;
	struct v4l2_buffer b;

	bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd);
	vfd = open_vivid(1);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_G_FMT, &fmt));
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_REQBUFS, &req));
	dfd = alloc_dmabuf(bfd, (fmt.fmt.pix.sizeimage + 4095) & ~4095UL,
			   MMNGR_CACHING_CACHED);
	ASSERT_LE(0, dfd);
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_DMABUF;
	b.m.fd = dfd;
	b.length = (fmt.fmt.pix.sizeimage + 4095) & ~4095UL;
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_QBUF, &b));
	close(dfd);
	close(bfd);
	EXPECT_LT(base, heap_used());
	req.count = 0;
	ASSERT_EQ(0, ioctl(vfd, VIDIOC_REQBUFS, &req));
	EXPECT_EQ(base, heap_used());
	close(vfd);
}

TEST_HARNESS_MAIN
