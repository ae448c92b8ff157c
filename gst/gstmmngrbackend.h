/* SPDX-License-Identifier: MIT */
/*
 * The plugin's only contact with libmmngr: a session, a pool by name and
 * new buffers as dma-buf descriptors.  Kept in one small file so that a
 * change of the mmngr2 API touches nothing else.
 */
#ifndef GST_MMNGR_BACKEND_H
#define GST_MMNGR_BACKEND_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GstMmngrBackend GstMmngrBackend;

/* enum GstMmngrCaching, as the mmngr2 caching modes. */
typedef enum {
  GST_MMNGR_CACHING_CACHED = 0,
  GST_MMNGR_CACHING_WRITECOMBINE = 1,
  GST_MMNGR_CACHING_UNCACHED = 2,
} GstMmngrCaching;

GstMmngrBackend *gst_mmngr_backend_open (const gchar * pool_name,
    GstMmngrCaching caching, GError ** error);
void gst_mmngr_backend_close (GstMmngrBackend * backend);
gint gst_mmngr_backend_alloc_dmabuf (GstMmngrBackend * backend, gsize size,
    gsize align, guint64 * dev_addr);
const gchar *gst_mmngr_backend_pool_name (GstMmngrBackend * backend);

G_END_DECLS

#endif /* GST_MMNGR_BACKEND_H */
