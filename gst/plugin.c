// SPDX-License-Identifier: MIT
/* The mmngr GStreamer plugin: mmngrpool. */
#include <gst/gst.h>

#include "gstmmngrpool.h"

#ifndef PACKAGE
#define PACKAGE "mmngr"
#endif
#ifndef VERSION
#define VERSION "1.0.0"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (mmngrpool, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, mmngr,
    "Contiguous mmngr dma-bufs for zero-copy pipelines", plugin_init,
    VERSION, "MIT/X11", PACKAGE, "Unknown package origin")
