#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 4, the R-Car shape, camera -> scaler -> encoder, every hop
# importing the previous hop's mmngr dma-buf (on a board: v4l2src !
# vspmfilter dmabuf-use=true ! omxh264enc use-dmabuf=true):
#   v4l2src io-mode=dmabuf-import ! caps ! mmngrpool
#     ! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import
#     ! caps ! mmngrpool ! v4l2fwhtenc output-io-mode=dmabuf-import ! files
# vivid (vb2-dma-contig) captures 640x480 RGB into mmngr dma-bufs, vim2m
# scales them to 320x240 into a second pool's, vicodec encodes those.  The
# stream must equal, byte for byte, the one of the same pipeline without
# mmngr.

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=30
CAM=video/x-raw,format=RGB,width=640,height=480,framerate=30/1
SCALED=video/x-raw,format=RGB,width=320,height=240
FWHT=video/x-fwht,width=320,height=240
tap_plan 7
dmesg_mark

setup_devices 1 || { tap_fail "vivid, vim2m, vicodec, mmngr loaded"; skip_rest 7 "no devices"; }
for e in v4l2fwhtenc v4l2convert; do
	have_element $e || skip_rest 7 "no $e (vicodec, vim2m loaded?)"
done

mkdir -p "$WORK/ref4" "$WORK/p4"
run_pipeline ref4 v4l2src device="$VIVID" io-mode=mmap num-buffers=$N ! $CAM \
	! v4l2convert ! $SCALED ! v4l2fwhtenc ! $FWHT ! multifilesink location="$WORK/ref4/%03d.fwht"

check "pipeline 4: $N frames camera -> scaler -> encoder, every hop importing mmngr dma-bufs" \
	run_pipeline p4 v4l2src device="$VIVID" io-mode=dmabuf-import num-buffers=$N ! $CAM \
	! mmngrpool name=captured \
	! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import \
	! $SCALED ! mmngrpool name=scaled ! v4l2fwhtenc output-io-mode=dmabuf-import \
	! $FWHT ! multifilesink location="$WORK/p4/%03d.fwht"
echo "# $(distinct_buffers p4) mmngr dma-bufs, at most $(max_refs p4) references; $RUN_SECONDS s"
check "no copy after the camera: $N frames, 0 copies" zero_copies p4 captured $N
check "no copy after the scaler: $N frames, 0 copies" zero_copies p4 scaled $N
check "captured mmngr dma-bufs attached to vivid and held by vim2m (refs >= 2)" held p4 vivid 2
check "scaled mmngr dma-bufs held by vim2m and vicodec (refs >= 2, not attached)" \
	sh -c "grep -v 'devices=[^-]' '$WORK/p4.users' | grep -q 'refs=[2-9]'"
cat "$WORK"/ref4/*.fwht >"$WORK/ref4.fwht" 2>/dev/null
cat "$WORK"/p4/*.fwht >"$WORK/p4.fwht" 2>/dev/null
echo "# encoded: $(ls "$WORK"/p4 | wc -l) frames, $(wc -c <"$WORK/p4.fwht") bytes; reference $(ls "$WORK"/ref4 | wc -l) frames"
check "content: the stream equals the one of the pipeline without mmngr" \
	same_files "$WORK/p4.fwht" "$WORK/ref4.fwht"
check "clean kernel log" dmesg_clean
exit 0
