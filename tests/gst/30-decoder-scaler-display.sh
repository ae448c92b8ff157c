#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 3, decoder -> scaler -> display, zero-copy on every hop:
#   ... ! v4l2fwhtdec capture-io-mode=dmabuf-import ! mmngrpool
#     ! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import
#     ! mmngrpool ! kmssink
# vicodec decodes into mmngr dma-bufs, vim2m scales them (320x240 RGB to
# 640x480 RGB565) reading those and writing into a second pool's, and vkms
# scans those out.  The frames at the far end must be those of the same
# pipeline without mmngr (every element's own buffers).

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=20
SRC=video/x-raw,format=RGB,width=320,height=240,framerate=30/1
FWHT=video/x-fwht,width=320,height=240,framerate=30/1
OUT=video/x-raw,format=RGB16,width=640,height=480
tap_plan 7
dmesg_mark

setup_devices 1 || { tap_fail "vicodec, vim2m, vkms, mmngr loaded"; skip_rest 7 "no devices"; }
for e in v4l2fwhtenc v4l2fwhtdec v4l2convert kmssink; do
	have_element $e || skip_rest 7 "no $e (vicodec, vim2m, gstreamer1.0-plugins-bad?)"
done

# The stream to decode: GStreamer's SMPTE bars, encoded by vicodec.
mkdir -p "$WORK/src3"
run_pipeline enc3 videotestsrc num-buffers=$N pattern=smpte ! $SRC \
	! v4l2fwhtenc ! $FWHT ! multifilesink location="$WORK/src3/%03d.fwht" ||
	{ tap_fail "encode the input stream"; skip_rest 7 "no input stream"; }

source_() {
	echo multifilesrc location="$WORK/src3/%03d.fwht" index=0 stop-index=$((N - 1)) caps="$FWHT"
}
# shellcheck disable=SC2046 # the source element and its properties
run_pipeline ref3 $(source_) ! v4l2fwhtdec ! video/x-raw,format=RGB ! v4l2convert ! $OUT \
	! checksumsink sync=false

# shellcheck disable=SC2046
check "pipeline 3: $N frames decoded, scaled and displayed, every hop importing mmngr dma-bufs" \
	run_pipeline p3 $(source_) ! v4l2fwhtdec capture-io-mode=dmabuf-import \
	! video/x-raw,format=RGB ! mmngrpool name=decoded \
	! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import \
	! $OUT ! mmngrpool name=scaled ! tee name=t \
	! queue ! kmssink driver-name=vkms force-modesetting=true sync=false \
	t. ! queue ! checksumsink sync=false
echo "# $(distinct_buffers p3) mmngr dma-bufs, at most $(max_refs p3) references; $RUN_SECONDS s"
check "no copy after the decoder: $N frames, 0 copies" zero_copies p3 decoded $N
check "no copy after the scaler: $N frames, 0 copies" zero_copies p3 scaled $N
check "scaled mmngr dma-bufs attached to vkms" attached p3 vkms
check "decoded mmngr dma-bufs held by vicodec and vim2m (refs >= 3)" held p3 "" 3
check "content: the frames at the far end are those of the pipeline without mmngr" \
	same_content p3 ref3 $N
check "clean kernel log" dmesg_clean
exit 0
