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
# scales them to 1280x720 (the smallest size v4l2fwhtenc encodes,
# pipelines.inc) into a second pool's, and vicodec encodes those.  The
# stream must equal, byte for byte, the one the same pipeline makes without
# mmngr (every element in its own buffers).

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=20
CAM=video/x-raw,format=RGB,width=640,height=480,framerate=30/1
SCALED=video/x-raw,format=RGB,width=1280,height=720
FWHT=video/x-fwht,width=1280,height=720
tap_plan 8
dmesg_mark

setup_devices 1 || { tap_fail "vivid, vim2m, vicodec, mmngr loaded"; skip_rest 8 "no devices"; }
have_element v4l2convert || skip_rest 8 "no v4l2convert (vim2m loaded?)"
have_element v4l2fwhtenc || skip_rest 8 "no v4l2fwhtenc (vicodec loaded?)"

mkdir -p "$WORK/ref4" "$WORK/p4"
run_pipeline ref4 v4l2src device="$VIVID" io-mode=mmap num-buffers=$N ! $CAM \
	! v4l2convert ! $SCALED ! v4l2fwhtenc ! $FWHT \
	! multifilesink location="$WORK/ref4/%03d.fwht"

check "pipeline 4: $N frames camera -> scaler -> encoder, each hop importing mmngr dma-bufs" \
	run_pipeline p4 v4l2src device="$VIVID" io-mode=dmabuf-import num-buffers=$N ! $CAM \
	! mmngrpool name=captured \
	! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import \
	! $SCALED ! mmngrpool name=scaled ! v4l2fwhtenc output-io-mode=dmabuf-import ! $FWHT \
	! multifilesink location="$WORK/p4/%03d.fwht"
echo "# $(distinct_buffers p4) mmngr dma-bufs, at most $(max_refs p4) references; $RUN_SECONDS s"
check "no copy after the camera: $N frames, 0 copies" zero_copies p4 captured $N
check "no copy after the scaler: $N frames, 0 copies" zero_copies p4 scaled $N
check "captured mmngr dma-bufs attached to vivid and held by vim2m (refs >= 2)" held p4 vivid 2
# vim2m and vicodec queue on vb2-vmalloc: they hold the dma-buf while it is
# queued (a reference) rather than attaching it.
check "scaled mmngr dma-bufs held by vim2m and vicodec, not attached (refs >= 2)" \
	sh -c "grep 'devices=-' '$WORK/p4.users' | grep -q 'refs=[2-9]'"

cat "$WORK"/ref4/*.fwht >"$WORK/ref4.fwht" 2>/dev/null
cat "$WORK"/p4/*.fwht >"$WORK/p4.fwht" 2>/dev/null
echo "# encoded: $(ls "$WORK"/p4 | wc -l) frames, $(wc -c <"$WORK/p4.fwht") bytes; reference $(ls "$WORK"/ref4 | wc -l) frames"
check "encoder: $N frames" sh -c "[ \$(ls '$WORK/p4' | wc -l) -eq $N ]"
check "the stream equals the one encoded without mmngr" same_files "$WORK/p4.fwht" "$WORK/ref4.fwht"
check "clean kernel log" dmesg_clean
exit 0
