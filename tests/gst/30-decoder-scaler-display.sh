#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 3, decoder -> scaler -> display, zero-copy on every hop:
#   multifilesrc ! v4l2fwhtdec capture-io-mode=dmabuf-import ! mmngrpool
#     ! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import
#     ! mmngrpool ! kmssink
# vicodec decodes 640x360 frames into mmngr dma-bufs (in a format the
# decoder and vim2m agree on), vim2m scales them to
# 640x480 RGB565 reading those and writing into a second pool's, and vkms
# scans those out.  The frames at the far end must be those of the same
# pipeline without mmngr (every element's own buffers).
#
# The stream is made with v4l2-ctl on vicodec's encoder, not with
# v4l2fwhtenc, which cannot encode frames this small (pipelines.inc;
# 640x360 is the smallest vicodec takes, 640 wide the largest vim2m), and
# cut into one file per frame at the FWHT frame headers (44 bytes, the
# payload size big-endian at offset 40).

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=10
FWHT=video/x-fwht,width=640,height=360,framerate=30/1
OUT=video/x-raw,format=RGB16,width=640,height=480
tap_plan 8
dmesg_mark

setup_devices 1 || { tap_fail "vicodec, vim2m, vkms, mmngr loaded"; skip_rest 8 "no devices"; }
for e in v4l2fwhtdec v4l2convert kmssink; do
	have_element $e || skip_rest 8 "no $e (vicodec, vim2m, gstreamer1.0-plugins-bad?)"
done
[ -n "$ENC" ] || skip_rest 8 "no vicodec encoder node"

# be32 FILE OFFSET: the big-endian 32-bit number at OFFSET of FILE.
be32() {
	od -An -tu1 -j "$2" -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'
}

make_stream() {
	mkdir -p "$WORK/src3"
	timeout 120 gst-launch-1.0 -q videotestsrc num-buffers=$N pattern=smpte \
		! video/x-raw,format=RGB,width=640,height=360 \
		! filesink location="$WORK/raw3.rgb" || return 1
	timeout 120 v4l2-ctl -d "$ENC" --set-fmt-video-out=width=640,height=360,pixelformat=RGB3 \
		--stream-mmap --stream-out-mmap --stream-from="$WORK/raw3.rgb" \
		--stream-to="$WORK/stream3.fwht" --stream-count=$N >/dev/null || return 1
	total=$(wc -c <"$WORK/stream3.fwht") off=0 i=0
	while [ "$off" -lt "$total" ]; do
		len=$((44 + $(be32 "$WORK/stream3.fwht" $((off + 40)))))
		dd if="$WORK/stream3.fwht" of="$WORK/src3/$(printf %03d $i).fwht" \
			iflag=skip_bytes,count_bytes skip=$off count=$len bs=64k 2>/dev/null || return 1
		off=$((off + len)) i=$((i + 1))
	done
	echo "# stream: $total bytes, $i frames"
	[ "$i" = "$N" ]
}
check "the input stream: $N frames of 640x360 RGB encoded by vicodec (v4l2-ctl)" make_stream ||
	skip_rest 8 "no input stream"

source3() {
	echo multifilesrc location="$WORK/src3/%03d.fwht" index=0 stop-index=$((N - 1)) caps="$FWHT"
}
# shellcheck disable=SC2046 # the source element and its properties
run_pipeline ref3 $(source3) ! v4l2fwhtdec ! v4l2convert ! $OUT \
	! checksumsink sync=false

# shellcheck disable=SC2046
check "pipeline 3: $N frames decoded, scaled and displayed, every hop importing mmngr dma-bufs" \
	run_pipeline p3 $(source3) ! v4l2fwhtdec capture-io-mode=dmabuf-import \
	! mmngrpool name=decoded \
	! v4l2convert output-io-mode=dmabuf-import capture-io-mode=dmabuf-import \
	! $OUT ! mmngrpool name=scaled ! tee name=t \
	! queue ! kmssink driver-name=vkms force-modesetting=true sync=false \
	t. ! queue ! checksumsink sync=false
echo "# $(distinct_buffers p3) mmngr dma-bufs, at most $(max_refs p3) references; $RUN_SECONDS s"
check "no copy after the decoder: $N frames, 0 copies" zero_copies p3 decoded $N
check "no copy after the scaler: $N frames, 0 copies" zero_copies p3 scaled $N
check "scaled mmngr dma-bufs attached to vkms" attached p3 vkms
check "decoded mmngr dma-bufs held by vicodec and vim2m, not attached (refs >= 2)" \
	sh -c "grep 'devices=-' '$WORK/p3.users' | grep -q 'refs=[2-9]'"
check "content: the frames at the far end are those of the pipeline without mmngr" \
	same_content p3 ref3 $N
check "clean kernel log" dmesg_clean
exit 0
