// SPDX-License-Identifier: MIT
/*
 * The mmngr2 calls of the plugin (see gstmmngrbackend.h): mmngr2_open(),
 * mmngr2_pool_find()/mmngr2_pool_get() and mmngr2_alloc_dmabuf(), which
 * returns new pool memory straight as a dma-buf that is its only owner:
 * the memory goes back to the pool when the last user of the dma-buf
 * (GStreamer, a V4L2 or DRM device) lets go.
 */
#include "gstmmngrbackend.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <mmngr2.h>

struct _GstMmngrBackend
{
  struct mmngr2 *mm;
  unsigned int pool;
  unsigned int kind;
  unsigned int caching;
  gchar name[32];
};

GstMmngrBackend *
gst_mmngr_backend_open (const gchar * pool_name, GstMmngrCaching caching,
    GError ** error)
{
  GstMmngrBackend *b = g_new0 (GstMmngrBackend, 1);
  struct mmngr2_pool info;
  int ret;

  ret = mmngr2_open (&b->mm);
  if (ret < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (-ret),
        "cannot open /dev/mmngr and /dev/rgnmmbuf (are mmngr and mmngrbuf "
        "loaded?): %s", g_strerror (-ret));
    goto fail;
  }
  ret = mmngr2_pool_find (b->mm, pool_name);
  if (ret < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (-ret),
        "no mmngr pool \"%s\" (mmngr pools lists them): %s", pool_name,
        g_strerror (-ret));
    goto fail;
  }
  b->pool = ret;
  ret = mmngr2_pool_get (b->mm, b->pool, &info, sizeof (info));
  if (ret < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (-ret),
        "mmngr pool \"%s\": %s", pool_name, g_strerror (-ret));
    goto fail;
  }
  if (!(info.caching & (1u << caching))) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "mmngr pool \"%s\" does not offer caching mode %u (modes 0x%x)",
        pool_name, caching, info.caching);
    goto fail;
  }
  b->kind = info.kind;
  b->caching = caching;
  g_strlcpy (b->name, info.name, sizeof (b->name));
  return b;

fail:
  gst_mmngr_backend_close (b);
  return NULL;
}

void
gst_mmngr_backend_close (GstMmngrBackend * backend)
{
  if (!backend)
    return;
  if (backend->mm)
    mmngr2_close (backend->mm);
  g_free (backend);
}

/* A new dma-buf of @size bytes (rounded up to pages) or -errno. */
gint
gst_mmngr_backend_alloc_dmabuf (GstMmngrBackend * backend, gsize size,
    gsize align, guint64 * dev_addr)
{
  uint64_t addr = 0;
  int fd;

  fd = mmngr2_alloc_dmabuf (backend->mm, backend->pool, size, align,
      backend->caching, O_RDWR, &addr);
  if (fd >= 0 && dev_addr)
    *dev_addr = addr;
  return fd;
}

const gchar *
gst_mmngr_backend_pool_name (GstMmngrBackend * backend)
{
  return backend->name;
}
