/* SPDX-License-Identifier: MIT */
/*
 * GstMmngrBufferPool: video frames in mmngr dma-bufs.
 */
#ifndef GST_MMNGR_BUFFER_POOL_H
#define GST_MMNGR_BUFFER_POOL_H

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_MMNGR_BUFFER_POOL (gst_mmngr_buffer_pool_get_type ())
G_DECLARE_FINAL_TYPE (GstMmngrBufferPool, gst_mmngr_buffer_pool, GST,
    MMNGR_BUFFER_POOL, GstBufferPool)

GstBufferPool *gst_mmngr_buffer_pool_new (GstAllocator * allocator);

G_END_DECLS

#endif /* GST_MMNGR_BUFFER_POOL_H */
