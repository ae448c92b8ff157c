#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 4, the R-Car shape, camera -> scaler -> encoder, every hop
# importing the previous hop's mmngr dma-buf (on a board: v4l2src !
# vspmfilter dmabuf-use=true ! omxh264enc use-dmabuf=true):
#   v4l2src io-mode=dmabuf-import ! caps ! mmngrpool
#     ! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import
#     ! caps ! mmngrpool ! v4l2fwhtenc output-io-mode=dmabuf-import ! ...
# vivid (vb2-dma-contig) captures 640x480 RGB into mmngr dma-bufs, vim2m
# scales them to 320x240 into a second pool's.  The scaled frames must be
# those of the same pipeline without mmngr.  The encoder hop cannot run
# here: v4l2fwhtenc takes only frames of 1280x720 or more and vim2m makes
# at most 640x480 (pipelines.inc); 20-camera-encoder.sh shows the encoder
# importing mmngr dma-bufs.

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=30
CAM=video/x-raw,format=RGB,width=640,height=480,framerate=30/1
SCALED=video/x-raw,format=RGB,width=320,height=240
tap_plan 8
dmesg_mark

setup_devices 1 || { tap_fail "vivid, vim2m, mmngr loaded"; skip_rest 8 "no devices"; }
have_element v4l2convert || skip_rest 8 "no v4l2convert (vim2m loaded?)"

run_pipeline ref4 v4l2src device="$VIVID" io-mode=mmap num-buffers=$N ! $CAM \
	! v4l2convert ! $SCALED ! checksumsink sync=false

check "pipeline 4: $N frames camera -> scaler, each hop importing mmngr dma-bufs" \
	run_pipeline p4 v4l2src device="$VIVID" io-mode=dmabuf-import num-buffers=$N ! $CAM \
	! mmngrpool name=captured \
	! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import \
	! $SCALED ! mmngrpool name=scaled ! checksumsink sync=false
echo "# $(distinct_buffers p4) mmngr dma-bufs, at most $(max_refs p4) references; $RUN_SECONDS s"
check "no copy after the camera: $N frames, 0 copies" zero_copies p4 captured $N
check "no copy after the scaler: $N frames, 0 copies" zero_copies p4 scaled $N
check "captured mmngr dma-bufs attached to vivid and held by vim2m (refs >= 2)" held p4 vivid 2
check "scaled mmngr dma-bufs held by vim2m, not attached (refs >= 2)" \
	sh -c "grep 'devices=-' '$WORK/p4.users' | grep -q 'refs=[2-9]'"
check "content: the scaled frames are those of the pipeline without mmngr" \
	same_content p4 ref4 $N
tap_skip "the encoder hop (v4l2fwhtenc output-io-mode=dmabuf-import after the scaler)" "$VICODEC_SKIP"
check "clean kernel log" dmesg_clean
exit 0
