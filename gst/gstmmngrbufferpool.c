// SPDX-License-Identifier: MIT
/*
 * GstMmngrBufferPool: a buffer pool of video frames, each one mmngr
 * dma-buf, laid out as the configured GstVideoInfo and GstVideoAlignment
 * say (strides, padding, plane offsets) and described by a GstVideoMeta,
 * so that a producer that imports the dma-buf writes the layout the
 * consumer expects.  Released buffers go back to the pool, with their
 * dma-buf, for the next frame.
 *
 * The pool always allocates from its own GstMmngrAllocator: an allocator
 * in the configuration (an upstream element passes back the one of the
 * ALLOCATION query, or its own) is replaced by it, so the pool never hands
 * out anything but mmngr memory.
 */
#include "gstmmngrbufferpool.h"
#include "gstmmngrallocator.h"

GST_DEBUG_CATEGORY_STATIC (gst_mmngr_buffer_pool_debug);
#define GST_CAT_DEFAULT gst_mmngr_buffer_pool_debug

struct _GstMmngrBufferPool
{
  GstBufferPool parent;

  GstAllocator *allocator;
  GstAllocationParams params;
  GstVideoInfo info;
  GstVideoAlignment align;
  gboolean add_meta;
};

G_DEFINE_TYPE_WITH_CODE (GstMmngrBufferPool, gst_mmngr_buffer_pool,
    GST_TYPE_BUFFER_POOL,
    GST_DEBUG_CATEGORY_INIT (gst_mmngr_buffer_pool_debug, "mmngrbufferpool",
        0, "mmngr video buffer pool"));

static const gchar **
gst_mmngr_buffer_pool_get_options (GstBufferPool * pool)
{
  static const gchar *options[] = {
    GST_BUFFER_POOL_OPTION_VIDEO_META,
    GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT,
    NULL
  };

  return options;
}

static gboolean
gst_mmngr_buffer_pool_set_config (GstBufferPool * pool, GstStructure * config)
{
  GstMmngrBufferPool *self = GST_MMNGR_BUFFER_POOL (pool);
  guint size, min, max;
  GstCaps *caps;
  GstVideoInfo info;
  GstAllocator *allocator = NULL;
  GstAllocationParams params;

  if (!gst_buffer_pool_config_get_params (config, &caps, &size, &min, &max) ||
      !caps) {
    GST_WARNING_OBJECT (self, "no caps in the configuration");
    return FALSE;
  }
  if (!gst_video_info_from_caps (&info, caps)) {
    GST_WARNING_OBJECT (self, "not video caps: %" GST_PTR_FORMAT, caps);
    return FALSE;
  }

  if (!gst_buffer_pool_config_get_allocator (config, &allocator, &params))
    gst_allocation_params_init (&params);
  if (allocator && allocator != self->allocator)
    GST_DEBUG_OBJECT (self, "using the mmngr allocator, not %"
        GST_PTR_FORMAT, allocator);

  self->add_meta = gst_buffer_pool_config_has_option (config,
      GST_BUFFER_POOL_OPTION_VIDEO_META);

  gst_video_alignment_reset (&self->align);
  if (gst_buffer_pool_config_has_option (config,
          GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT)) {
    gst_buffer_pool_config_get_video_alignment (config, &self->align);
    /* Padding or odd strides are only findable through the meta. */
    self->add_meta = TRUE;
  }
  if (!gst_video_info_align (&info, &self->align)) {
    GST_WARNING_OBJECT (self, "cannot apply the video alignment");
    return FALSE;
  }
  gst_buffer_pool_config_set_video_alignment (config, &self->align);

  /* A producer may ask for more than the frame (a V4L2 driver's
   * sizeimage): the buffer is the larger of the two. */
  info.size = MAX ((gsize) size, info.size);
  self->info = info;
  self->params = params;
  self->params.flags &= ~GST_MEMORY_FLAG_READONLY;

  gst_buffer_pool_config_set_params (config, caps, info.size, min, max);
  /* (get_allocator gave no reference to @allocator.) */
  gst_buffer_pool_config_set_allocator (config, self->allocator,
      &self->params);

  GST_DEBUG_OBJECT (self, "%s %dx%d, %" G_GSIZE_FORMAT " bytes, %u-%u "
      "buffers, meta %d", gst_video_format_to_string (info.finfo->format),
      info.width, info.height, info.size, min, max, self->add_meta);

  return GST_BUFFER_POOL_CLASS (gst_mmngr_buffer_pool_parent_class)->set_config
      (pool, config);
}

static GstFlowReturn
gst_mmngr_buffer_pool_alloc_buffer (GstBufferPool * pool, GstBuffer ** buffer,
    GstBufferPoolAcquireParams * acquire)
{
  GstMmngrBufferPool *self = GST_MMNGR_BUFFER_POOL (pool);
  GstVideoInfo *info = &self->info;
  GstMemory *mem;
  GstBuffer *buf;

  mem = gst_allocator_alloc (self->allocator, info->size, &self->params);
  if (!mem) {
    GST_WARNING_OBJECT (self, "could not allocate %" G_GSIZE_FORMAT
        " bytes of mmngr memory", info->size);
    return GST_FLOW_ERROR;
  }
  buf = gst_buffer_new ();
  gst_buffer_append_memory (buf, mem);

  if (self->add_meta)
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
        GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info),
        info->offset, info->stride);

  *buffer = buf;
  return GST_FLOW_OK;
}

/* A producer resized the frame to what it wrote (V4L2's bytesused); the
 * pool keeps only buffers of its own size, so give it back before the
 * base class looks. */
static void
gst_mmngr_buffer_pool_reset_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GstMmngrBufferPool *self = GST_MMNGR_BUFFER_POOL (pool);
  GstMemory *mem = gst_buffer_peek_memory (buffer, 0);
  gsize offset, maxsize;

  gst_memory_get_sizes (mem, &offset, &maxsize);
  if (gst_buffer_n_memory (buffer) == 1 && gst_memory_is_writable (mem) &&
      maxsize >= self->params.prefix + self->info.size)
    gst_memory_resize (mem, (gssize) self->params.prefix - (gssize) offset,
        self->info.size);

  GST_BUFFER_POOL_CLASS (gst_mmngr_buffer_pool_parent_class)->reset_buffer
      (pool, buffer);
}

static void
gst_mmngr_buffer_pool_finalize (GObject * object)
{
  GstMmngrBufferPool *self = GST_MMNGR_BUFFER_POOL (object);

  gst_object_unref (self->allocator);
  G_OBJECT_CLASS (gst_mmngr_buffer_pool_parent_class)->finalize (object);
}

static void
gst_mmngr_buffer_pool_class_init (GstMmngrBufferPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS (klass);

  gobject_class->finalize = gst_mmngr_buffer_pool_finalize;
  pool_class->get_options = gst_mmngr_buffer_pool_get_options;
  pool_class->set_config = gst_mmngr_buffer_pool_set_config;
  pool_class->alloc_buffer = gst_mmngr_buffer_pool_alloc_buffer;
  pool_class->reset_buffer = gst_mmngr_buffer_pool_reset_buffer;
}

static void
gst_mmngr_buffer_pool_init (GstMmngrBufferPool * self)
{
}

/**
 * gst_mmngr_buffer_pool_new:
 * @allocator: a #GstMmngrAllocator
 *
 * Returns: (transfer full): a pool of video frames in @allocator's memory.
 */
GstBufferPool *
gst_mmngr_buffer_pool_new (GstAllocator * allocator)
{
  GstMmngrBufferPool *self;

  g_return_val_if_fail (GST_IS_MMNGR_ALLOCATOR (allocator), NULL);
  self = g_object_new (GST_TYPE_MMNGR_BUFFER_POOL, NULL);
  gst_object_ref_sink (self);
  self->allocator = gst_object_ref (allocator);
  gst_allocation_params_init (&self->params);
  return GST_BUFFER_POOL (self);
}
