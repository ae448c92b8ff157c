/* SPDX-License-Identifier: MIT */
/*
 * GstMmngrAllocator: dma-buf memories from an mmngr pool.
 */
#ifndef GST_MMNGR_ALLOCATOR_H
#define GST_MMNGR_ALLOCATOR_H

#include <gst/gst.h>
#include <gst/allocators/allocators.h>

#include "gstmmngrbackend.h"

G_BEGIN_DECLS

#define GST_TYPE_MMNGR_ALLOCATOR (gst_mmngr_allocator_get_type ())
G_DECLARE_FINAL_TYPE (GstMmngrAllocator, gst_mmngr_allocator, GST,
    MMNGR_ALLOCATOR, GstDmaBufAllocator)

#define GST_TYPE_MMNGR_CACHING (gst_mmngr_caching_get_type ())
GType gst_mmngr_caching_get_type (void);

GstAllocator *gst_mmngr_allocator_new (const gchar * pool,
    GstMmngrCaching caching, GError ** error);
gboolean gst_is_mmngr_memory (GstMemory * mem);
gboolean gst_buffer_is_mmngr (GstBuffer * buffer);

G_END_DECLS

#endif /* GST_MMNGR_ALLOCATOR_H */
