// SPDX-License-Identifier: MIT
/**
 * SECTION:element-mmngrpool
 * @title: mmngrpool
 *
 * Placed between a producer and a consumer of video frames, mmngrpool
 * answers the producer's ALLOCATION query with a pool of mmngr dma-bufs
 * (#GstMmngrBufferPool on #GstMmngrAllocator), so that a producer that
 * imports dma-bufs (`v4l2src io-mode=dmabuf-import`, `v4l2*dec
 * capture-io-mode=dmabuf-import`, `v4l2convert capture-io-mode=dmabuf-import`)
 * writes straight into contiguous mmngr memory, and passes those same
 * buffers on, untouched, to the consumer (`kmssink`, `v4l2*enc
 * output-io-mode=dmabuf-import`, ...), which imports the same dma-buf.
 *
 * A frame that arrives in mmngr memory some other way (a dma-buf mmngrbuf
 * exported, such as libcamera's buffers from an mmngr heap node) goes on
 * untouched too.  A frame that does not arrive in mmngr memory (the
 * producer did not take the pool) is copied into mmngr memory: the first
 * copy posts a warning,
 * and the #GstMmngrPool:copies property and the "mmngrpool" element
 * message posted at end of stream count them, so a user sees where a
 * pipeline copies.
 *
 * |[
 * gst-launch-1.0 v4l2src io-mode=dmabuf-import ! video/x-raw,format=BGRx,width=640,height=480 \
 *     ! mmngrpool pool=multimedia ! kmssink
 * ]|
 */
#include "gstmmngrpool.h"
#include "gstmmngrallocator.h"
#include "gstmmngrbufferpool.h"

#include <gst/video/video.h>

GST_DEBUG_CATEGORY_STATIC (gst_mmngr_pool_debug);
#define GST_CAT_DEFAULT gst_mmngr_pool_debug

#define DEFAULT_POOL "kernelheap"
#define DEFAULT_CACHING GST_MMNGR_CACHING_CACHED
#define DEFAULT_MIN_BUFFERS 2
#define DEFAULT_MAX_BUFFERS 0

enum
{
  PROP_0,
  PROP_POOL,
  PROP_CACHING,
  PROP_MIN_BUFFERS,
  PROP_MAX_BUFFERS,
  PROP_COPIES,
  PROP_FRAMES,
};

struct _GstMmngrPool
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  gchar *pool_name;
  GstMmngrCaching caching;
  guint min_buffers, max_buffers;

  /* from start() to stop() */
  GstAllocator *allocator;
  GstBufferPool *copy_pool;	/* for frames that are not mmngr's */
  GstVideoInfo info;
  gboolean have_info;
  gboolean warned;
  guint64 copies, frames;	/* under the object lock */
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL) "; "
        GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_DMABUF,
            GST_VIDEO_FORMATS_ALL)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL) "; "
        GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_DMABUF,
            GST_VIDEO_FORMATS_ALL)));

G_DEFINE_TYPE_WITH_CODE (GstMmngrPool, gst_mmngr_pool,
    GST_TYPE_BASE_TRANSFORM,
    GST_DEBUG_CATEGORY_INIT (gst_mmngr_pool_debug, "mmngrpool", 0,
        "mmngr buffer pool element"));
GST_ELEMENT_REGISTER_DEFINE (mmngrpool, "mmngrpool", GST_RANK_NONE,
    GST_TYPE_MMNGR_POOL);

/* A configured, inactive pool of mmngr frames of @caps. */
static GstBufferPool *
gst_mmngr_pool_new_pool (GstMmngrPool * self, GstCaps * caps, gsize size)
{
  GstBufferPool *pool = gst_mmngr_buffer_pool_new (self->allocator);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  guint min, max;

  GST_OBJECT_LOCK (self);
  min = self->min_buffers;
  max = self->max_buffers;
  GST_OBJECT_UNLOCK (self);

  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  gst_buffer_pool_config_add_option (config,
      GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_config_set_allocator (config, self->allocator, NULL);
  if (!gst_buffer_pool_set_config (pool, config)) {
    GST_WARNING_OBJECT (self, "pool refused %" GST_PTR_FORMAT, caps);
    gst_object_unref (pool);
    return NULL;
  }
  return pool;
}

/*
 * Upstream asks what to write into: a new mmngr pool every time (the
 * producer configures and activates it; one that is still active from an
 * earlier negotiation cannot be configured again), the mmngr allocator
 * and GstVideoMeta, so the producer may pick strides and plane offsets.
 */
static gboolean
gst_mmngr_pool_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  GstMmngrPool *self = GST_MMNGR_POOL (trans);
  GstBufferPool *pool;
  GstVideoInfo info;
  GstCaps *caps;
  gboolean need_pool;
  guint min, max;

  gst_query_parse_allocation (query, &caps, &need_pool);
  if (!caps || !gst_video_info_from_caps (&info, caps)) {
    GST_DEBUG_OBJECT (self, "no video caps in %" GST_PTR_FORMAT, query);
    return FALSE;
  }
  if (!self->allocator)
    return FALSE;

  pool = gst_mmngr_pool_new_pool (self, caps, info.size);
  if (!pool)
    return FALSE;

  GST_OBJECT_LOCK (self);
  min = self->min_buffers;
  max = self->max_buffers;
  GST_OBJECT_UNLOCK (self);

  GST_DEBUG_OBJECT (self, "offering %" GST_PTR_FORMAT " for %" GST_PTR_FORMAT
      " (need_pool %d)", pool, caps, need_pool);
  gst_query_add_allocation_pool (query, pool, info.size, min, max);
  gst_query_add_allocation_param (query, self->allocator, NULL);
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  gst_object_unref (pool);
  return TRUE;
}

static gboolean
gst_mmngr_pool_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstMmngrPool *self = GST_MMNGR_POOL (trans);

  if (!gst_video_info_from_caps (&self->info, incaps)) {
    GST_ERROR_OBJECT (self, "not video caps: %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  self->have_info = TRUE;

  /* The copy pool, if one was needed, was for the old caps. */
  if (self->copy_pool) {
    gst_buffer_pool_set_active (self->copy_pool, FALSE);
    gst_clear_object (&self->copy_pool);
  }
  return TRUE;
}

static GstFlowReturn
gst_mmngr_pool_copy (GstMmngrPool * self, GstBuffer * inbuf,
    GstBuffer ** outbuf)
{
  GstVideoFrame src, dst;
  GstFlowReturn ret;
  GstCaps *caps;
  gboolean ok;

  if (!self->copy_pool) {
    caps = gst_video_info_to_caps (&self->info);
    self->copy_pool = gst_mmngr_pool_new_pool (self, caps, self->info.size);
    gst_caps_unref (caps);
    if (!self->copy_pool || !gst_buffer_pool_set_active (self->copy_pool,
            TRUE)) {
      GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
          ("Could not make a pool of mmngr memory to copy frames into."),
          (NULL));
      return GST_FLOW_ERROR;
    }
  }

  ret = gst_buffer_pool_acquire_buffer (self->copy_pool, outbuf, NULL);
  if (ret != GST_FLOW_OK)
    return ret;

  if (!gst_video_frame_map (&src, &self->info, inbuf, GST_MAP_READ))
    goto map_failed;
  if (!gst_video_frame_map (&dst, &self->info, *outbuf, GST_MAP_WRITE)) {
    gst_video_frame_unmap (&src);
    goto map_failed;
  }
  ok = gst_video_frame_copy (&dst, &src);
  gst_video_frame_unmap (&dst);
  gst_video_frame_unmap (&src);
  if (!ok)
    goto map_failed;

  gst_buffer_copy_into (*outbuf, inbuf,
      GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);

  if (!self->warned) {
    GstMemory *mem = gst_buffer_peek_memory (inbuf, 0);

    self->warned = TRUE;
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("Copying frames into mmngr memory: upstream did not write into "
            "the mmngr pool."),
        ("The first frame came in %s memory; the copies property counts "
            "the copies.", mem && mem->allocator ?
            mem->allocator->mem_type : "system"));
  }
  GST_OBJECT_LOCK (self);
  self->copies++;
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;

map_failed:
  gst_buffer_unref (*outbuf);
  *outbuf = NULL;
  GST_ELEMENT_ERROR (self, STREAM, FAILED,
      ("Could not copy a frame into mmngr memory."), (NULL));
  return GST_FLOW_ERROR;
}

/* A frame in mmngr memory goes on as it is; any other is copied. */
static GstFlowReturn
gst_mmngr_pool_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf)
{
  GstMmngrPool *self = GST_MMNGR_POOL (trans);

  if (!self->have_info)
    return GST_FLOW_NOT_NEGOTIATED;

  GST_OBJECT_LOCK (self);
  self->frames++;
  GST_OBJECT_UNLOCK (self);
  if (gst_buffer_is_mmngr (inbuf)) {
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }
  return gst_mmngr_pool_copy (self, inbuf, outbuf);
}

static void
gst_mmngr_pool_post_stats (GstMmngrPool * self)
{
  GstStructure *s;
  guint64 frames, copies;

  GST_OBJECT_LOCK (self);
  frames = self->frames;
  copies = self->copies;
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
      " copies", frames, copies);
  s = gst_structure_new ("mmngrpool", "frames", G_TYPE_UINT64, frames,
      "copies", G_TYPE_UINT64, copies, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static gboolean
gst_mmngr_pool_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstMmngrPool *self = GST_MMNGR_POOL (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    gst_mmngr_pool_post_stats (self);
  return GST_BASE_TRANSFORM_CLASS (gst_mmngr_pool_parent_class)->sink_event
      (trans, event);
}

static gboolean
gst_mmngr_pool_start (GstBaseTransform * trans)
{
  GstMmngrPool *self = GST_MMNGR_POOL (trans);
  GError *error = NULL;
  GstMmngrCaching caching;
  gchar *name;

  GST_OBJECT_LOCK (self);
  name = g_strdup (self->pool_name);
  caching = self->caching;
  GST_OBJECT_UNLOCK (self);

  self->allocator = gst_mmngr_allocator_new (name, caching, &error);
  if (!self->allocator) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Could not use mmngr pool \"%s\".", name), ("%s", error->message));
    g_error_free (error);
    g_free (name);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "mmngr pool %s, caching %d", name, caching);
  g_free (name);

  self->have_info = FALSE;
  self->warned = FALSE;
  GST_OBJECT_LOCK (self);
  self->copies = 0;
  self->frames = 0;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_mmngr_pool_stop (GstBaseTransform * trans)
{
  GstMmngrPool *self = GST_MMNGR_POOL (trans);

  if (self->copy_pool) {
    gst_buffer_pool_set_active (self->copy_pool, FALSE);
    gst_clear_object (&self->copy_pool);
  }
  gst_clear_object (&self->allocator);
  self->have_info = FALSE;
  return TRUE;
}

static void
gst_mmngr_pool_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMmngrPool *self = GST_MMNGR_POOL (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_POOL:
      g_free (self->pool_name);
      self->pool_name = g_value_dup_string (value);
      if (!self->pool_name)
        self->pool_name = g_strdup (DEFAULT_POOL);
      break;
    case PROP_CACHING:
      self->caching = g_value_get_enum (value);
      break;
    case PROP_MIN_BUFFERS:
      self->min_buffers = g_value_get_uint (value);
      break;
    case PROP_MAX_BUFFERS:
      self->max_buffers = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_mmngr_pool_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMmngrPool *self = GST_MMNGR_POOL (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_POOL:
      g_value_set_string (value, self->pool_name);
      break;
    case PROP_CACHING:
      g_value_set_enum (value, self->caching);
      break;
    case PROP_MIN_BUFFERS:
      g_value_set_uint (value, self->min_buffers);
      break;
    case PROP_MAX_BUFFERS:
      g_value_set_uint (value, self->max_buffers);
      break;
    case PROP_COPIES:
      g_value_set_uint64 (value, self->copies);
      break;
    case PROP_FRAMES:
      g_value_set_uint64 (value, self->frames);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_mmngr_pool_finalize (GObject * object)
{
  GstMmngrPool *self = GST_MMNGR_POOL (object);

  g_free (self->pool_name);
  G_OBJECT_CLASS (gst_mmngr_pool_parent_class)->finalize (object);
}

static void
gst_mmngr_pool_class_init (GstMmngrPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = gst_mmngr_pool_set_property;
  gobject_class->get_property = gst_mmngr_pool_get_property;
  gobject_class->finalize = gst_mmngr_pool_finalize;

  g_object_class_install_property (gobject_class, PROP_POOL,
      g_param_spec_string ("pool", "mmngr pool",
          "Name of the mmngr pool to allocate from (`mmngr pools` lists them)",
          DEFAULT_POOL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CACHING,
      g_param_spec_enum ("caching", "CPU caching",
          "CPU caching of the buffers' mappings", GST_TYPE_MMNGR_CACHING,
          DEFAULT_CACHING, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MIN_BUFFERS,
      g_param_spec_uint ("min-buffers", "Minimum buffers",
          "Buffers the pool offers upstream at least (the producer adds "
          "its own)", 0, 64, DEFAULT_MIN_BUFFERS, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_BUFFERS,
      g_param_spec_uint ("max-buffers", "Maximum buffers",
          "Buffers the pool allocates at most (0: no limit)", 0, 64,
          DEFAULT_MAX_BUFFERS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_COPIES,
      g_param_spec_uint64 ("copies", "Copies",
          "Frames that arrived outside mmngr memory and were copied into it",
          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_FRAMES,
      g_param_spec_uint64 ("frames", "Frames", "Frames passed on",
          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "mmngr buffer pool", "Filter/Video",
      "Offers upstream contiguous mmngr dma-bufs to produce into and passes "
      "them on; copies (and counts) frames that arrive elsewhere",
      "mmngr project");

  gst_type_mark_as_plugin_api (GST_TYPE_MMNGR_CACHING, 0);

  trans_class->start = gst_mmngr_pool_start;
  trans_class->stop = gst_mmngr_pool_stop;
  trans_class->set_caps = gst_mmngr_pool_set_caps;
  trans_class->propose_allocation = gst_mmngr_pool_propose_allocation;
  trans_class->prepare_output_buffer = gst_mmngr_pool_prepare_output_buffer;
  trans_class->sink_event = gst_mmngr_pool_sink_event;
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
gst_mmngr_pool_init (GstMmngrPool * self)
{
  self->pool_name = g_strdup (DEFAULT_POOL);
  self->caching = DEFAULT_CACHING;
  self->min_buffers = DEFAULT_MIN_BUFFERS;
  self->max_buffers = DEFAULT_MAX_BUFFERS;
  /* Frames are passed on as they are; a copy is made in
   * prepare_output_buffer only when one is not mmngr's. */
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}
