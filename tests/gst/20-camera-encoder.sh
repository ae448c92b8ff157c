#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 2, camera -> hardware encoder, zero-copy:
#   v4l2src io-mode=dmabuf-import ! caps ! mmngrpool
#     ! v4l2fwhtenc output-io-mode=dmabuf-import ! multifilesink
# vivid (vb2-dma-contig) captures into mmngr dma-bufs and vicodec's FWHT
# encoder reads the same dma-bufs.  The stream must equal, byte for byte,
# the one the encoder makes from vivid's own buffers (io-mode=mmap, the
# encoder's own buffers: CPU copies), and decode again to the same frames,
# vicodec's decoder writing them into mmngr dma-bufs
# (v4l2fwhtdec capture-io-mode=dmabuf-import ! mmngrpool).

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=30
# 1280x720: v4l2fwhtenc encodes nothing smaller (pipelines.inc).
CAPS=video/x-raw,format=NV12,width=1280,height=720,framerate=30/1
FWHT=video/x-fwht,width=1280,height=720,framerate=30/1
tap_plan 8
dmesg_mark

setup_devices 1 || { tap_fail "vivid, vicodec, mmngr loaded"; skip_rest 8 "no devices"; }
have_element v4l2fwhtenc && have_element v4l2fwhtdec ||
	skip_rest 8 "no v4l2fwhtenc/v4l2fwhtdec (vicodec not loaded?)"

mkdir -p "$WORK/ref" "$WORK/p2"
run_pipeline ref2 v4l2src device="$VIVID" io-mode=mmap num-buffers=$N ! $CAPS \
	! v4l2fwhtenc ! $FWHT ! multifilesink location="$WORK/ref/%03d.fwht"

check "pipeline 2: $N frames from vivid through mmngrpool into v4l2fwhtenc output-io-mode=dmabuf-import" \
	run_pipeline p2 v4l2src device="$VIVID" io-mode=dmabuf-import num-buffers=$N ! $CAPS \
	! mmngrpool name=pool ! v4l2fwhtenc output-io-mode=dmabuf-import ! $FWHT \
	! multifilesink location="$WORK/p2/%03d.fwht"
echo "# $(distinct_buffers p2) mmngr dma-bufs, at most $(max_refs p2) references; $RUN_SECONDS s"
check "no copy: mmngrpool passed $N frames, 0 copies" zero_copies p2 pool $N
# vicodec's queues are vb2-vmalloc: it holds the dma-buf while queued
# (a reference) rather than attaching; vivid attaches.
check "mmngr dma-bufs attached to vivid and held by vicodec too (refs >= 2)" held p2 vivid 2

cat "$WORK"/ref/*.fwht >"$WORK/ref.fwht" 2>/dev/null
cat "$WORK"/p2/*.fwht >"$WORK/p2.fwht" 2>/dev/null
echo "# encoded: $(ls "$WORK"/p2 | wc -l) frames, $(wc -c <"$WORK/p2.fwht") bytes; reference $(ls "$WORK"/ref | wc -l) frames"
check "the stream equals the one encoded from vivid's own buffers" same_files "$WORK/p2.fwht" "$WORK/ref.fwht"

decode() {
	name=$1 dir=$2; shift 2
	run_pipeline "$name" multifilesrc location="$dir/%03d.fwht" index=0 stop-index=$((N - 1)) \
		caps="$FWHT" ! "$@" ! checksumsink sync=false
}
decode dec-ref "$WORK/ref" v4l2fwhtdec ! video/x-raw,format=I420
check "the stream decodes again, into mmngr dma-bufs (v4l2fwhtdec capture-io-mode=dmabuf-import): $N frames" \
	decode dec-p2 "$WORK/p2" v4l2fwhtdec capture-io-mode=dmabuf-import ! video/x-raw,format=I420 \
	! mmngrpool name=decoded
check "no copy after the decoder: $N frames, 0 copies" zero_copies dec-p2 decoded $N
check "decoded frames equal those of the reference stream" same_content dec-p2 dec-ref $N
check "clean kernel log" dmesg_clean
exit 0
