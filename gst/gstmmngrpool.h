/* SPDX-License-Identifier: MIT */
/*
 * mmngrpool: offers upstream a pool of mmngr dma-bufs and passes them on.
 */
#ifndef GST_MMNGR_POOL_H
#define GST_MMNGR_POOL_H

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_MMNGR_POOL (gst_mmngr_pool_get_type ())
G_DECLARE_FINAL_TYPE (GstMmngrPool, gst_mmngr_pool, GST, MMNGR_POOL,
    GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (mmngrpool);

G_END_DECLS

#endif /* GST_MMNGR_POOL_H */
