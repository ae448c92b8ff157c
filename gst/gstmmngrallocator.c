// SPDX-License-Identifier: MIT
/*
 * GstMmngrAllocator: a GstDmaBufAllocator whose memories are new dma-bufs
 * of an mmngr pool.  Everything else (mapping with DMA_BUF_IOCTL_SYNC
 * around CPU access, closing the descriptor on free, gst_is_dmabuf_memory())
 * is the dma-buf allocator's, so any element that imports dma-bufs takes
 * these memories as they are.
 */
#include "gstmmngrallocator.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_mmngr_allocator_debug);
#define GST_CAT_DEFAULT gst_mmngr_allocator_debug

struct _GstMmngrAllocator
{
  GstDmaBufAllocator parent;

  GstMmngrBackend *backend;
};

G_DEFINE_TYPE_WITH_CODE (GstMmngrAllocator, gst_mmngr_allocator,
    GST_TYPE_DMABUF_ALLOCATOR,
    GST_DEBUG_CATEGORY_INIT (gst_mmngr_allocator_debug, "mmngrallocator", 0,
        "mmngr dma-buf allocator"));

GType
gst_mmngr_caching_get_type (void)
{
  static const GEnumValue values[] = {
    {GST_MMNGR_CACHING_CACHED,
        "Cached CPU mappings, synchronised around CPU access", "cached"},
    {GST_MMNGR_CACHING_WRITECOMBINE,
        "Write-combining CPU mappings", "writecombine"},
    {GST_MMNGR_CACHING_UNCACHED, "Uncached CPU mappings", "uncached"},
    {0, NULL, NULL},
  };
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMmngrCaching", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static GstMemory *
gst_mmngr_allocator_alloc (GstAllocator * allocator, gsize size,
    GstAllocationParams * params)
{
  GstMmngrAllocator *self = GST_MMNGR_ALLOCATOR (allocator);
  gsize maxsize = params->prefix + size + params->padding;
  GstMemory *mem;
  gint fd;

  /* params->align is a mask; mmngr buffers start on a page at least. */
  fd = gst_mmngr_backend_alloc_dmabuf (self->backend, maxsize,
      params->align + 1, NULL);
  if (fd < 0) {
    GST_WARNING_OBJECT (self, "no %" G_GSIZE_FORMAT " bytes from mmngr pool "
        "%s: %s", maxsize, gst_mmngr_backend_pool_name (self->backend),
        g_strerror (-fd));
    return NULL;
  }

  /* The descriptor now belongs to the memory, which closes it when freed;
   * that drops GStreamer's reference to the dma-buf. */
  mem = gst_fd_allocator_alloc (allocator, fd, maxsize,
      GST_FD_MEMORY_FLAG_NONE);
  if (!mem)
    return NULL;

  /* mmngr memory is contiguous whichever pool it comes from. */
  GST_MINI_OBJECT_FLAG_SET (mem, GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS |
      (params->flags & ~GST_MEMORY_FLAG_READONLY));
  if (params->prefix || params->padding)
    gst_memory_resize (mem, params->prefix, size);

  GST_LOG_OBJECT (self, "dma-buf fd %d, %" G_GSIZE_FORMAT " bytes", fd,
      maxsize);
  return mem;
}

static void
gst_mmngr_allocator_finalize (GObject * object)
{
  GstMmngrAllocator *self = GST_MMNGR_ALLOCATOR (object);

  gst_mmngr_backend_close (self->backend);
  G_OBJECT_CLASS (gst_mmngr_allocator_parent_class)->finalize (object);
}

static void
gst_mmngr_allocator_class_init (GstMmngrAllocatorClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstAllocatorClass *allocator_class = GST_ALLOCATOR_CLASS (klass);

  gobject_class->finalize = gst_mmngr_allocator_finalize;
  allocator_class->alloc = gst_mmngr_allocator_alloc;
}

static void
gst_mmngr_allocator_init (GstMmngrAllocator * self)
{
  /* The dma-buf allocator's init set mem_type to GST_ALLOCATOR_DMABUF and
   * its map/unmap; an allocator with an alloc function is not custom. */
  GST_OBJECT_FLAG_UNSET (self, GST_ALLOCATOR_FLAG_CUSTOM_ALLOC);
}

/**
 * gst_mmngr_allocator_new:
 * @pool: the mmngr pool's name ("kernelheap", "multimedia", ...)
 * @caching: CPU caching of the memories' mappings
 * @error: where to say why not
 *
 * Returns: (transfer full) (nullable): a new allocator, or %NULL when mmngr
 * is not loaded or has no such pool or caching mode.
 */
GstAllocator *
gst_mmngr_allocator_new (const gchar * pool, GstMmngrCaching caching,
    GError ** error)
{
  GstMmngrBackend *backend;
  GstMmngrAllocator *self;

  backend = gst_mmngr_backend_open (pool, caching, error);
  if (!backend)
    return NULL;
  self = g_object_new (GST_TYPE_MMNGR_ALLOCATOR, NULL);
  gst_object_ref_sink (self);
  self->backend = backend;
  return GST_ALLOCATOR (self);
}

gboolean
gst_is_mmngr_memory (GstMemory * mem)
{
  return mem && mem->allocator && GST_IS_MMNGR_ALLOCATOR (mem->allocator);
}

/*
 * Whether @mem is a dma-buf that mmngrbuf exported although another
 * allocator wraps it: a heap node's buffer that libcamera's DmaBufAllocator
 * or another process allocated, an export handed over a socket.  It is
 * mmngr memory all the same.  The kernel names a dma-buf's exporter in its
 * descriptor's fdinfo; the answer is kept on the memory, which a pool
 * brings back frame after frame.
 */
static gboolean
gst_mmngr_dmabuf_exported_by_mmngr (GstMemory * mem)
{
  static GQuark quark;
  gchar path[48], *text = NULL;
  gboolean ours = FALSE;
  gpointer known;

  if (!gst_is_dmabuf_memory (mem))
    return FALSE;
  if (!quark)
    quark = g_quark_from_static_string ("GstMmngrExporter");
  known = gst_mini_object_get_qdata (GST_MINI_OBJECT_CAST (mem), quark);
  if (known)
    return GPOINTER_TO_INT (known) == 2;

  g_snprintf (path, sizeof (path), "/proc/self/fdinfo/%d",
      gst_dmabuf_memory_get_fd (mem));
  if (g_file_get_contents (path, &text, NULL, NULL)) {
    ours = strstr (text, "\nexp_name:\tmmngrbuf\n") != NULL;
    g_free (text);
  }
  gst_mini_object_set_qdata (GST_MINI_OBJECT_CAST (mem), quark,
      GINT_TO_POINTER (ours ? 2 : 1), NULL);
  return ours;
}

/*
 * Whether every memory of @buffer is mmngr's (none: not): our allocator's,
 * or a dma-buf mmngrbuf exported.
 */
gboolean
gst_buffer_is_mmngr (GstBuffer * buffer)
{
  guint i, n = gst_buffer_n_memory (buffer);
  GstMemory *mem;

  if (!n)
    return FALSE;
  for (i = 0; i < n; i++) {
    mem = gst_buffer_peek_memory (buffer, i);
    if (!gst_is_mmngr_memory (mem) && !gst_mmngr_dmabuf_exported_by_mmngr (mem))
      return FALSE;
  }
  return TRUE;
}
