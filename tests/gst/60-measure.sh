#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 1 measured, in one boot: frames/s and CPU use of camera ->
# display (vivid, vb2-dma-contig, 640x480 BGRx at 30 frames/s, to vkms)
#   a. through mmngrpool:        v4l2src io-mode=dmabuf-import ! mmngrpool ! kmssink
#   b. as users write it today:  v4l2src ! kmssink  (kmssink copies each
#      frame into a dumb buffer of its own)
#   c. vivid exporting:          v4l2src io-mode=dmabuf ! kmssink
# CPU use is the whole guest's (/proc/stat), so it includes what vivid and
# vkms do in the kernel.  Results only: the numbers are in the TAP lines.

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=${MEASURE_FRAMES:-150}
CAPS=video/x-raw,format=BGRx,width=640,height=480,framerate=30/1
SINK="kmssink driver-name=vkms force-modesetting=true sync=false"
tap_plan 3

setup_devices 1 || { tap_fail "vivid, vkms, mmngr loaded"; skip_rest 3 "no devices"; }
have_element kmssink || skip_rest 3 "no kmssink"

cpu() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8, $5 }' /proc/stat; }

# measure NAME LABEL PIPELINE...
measure() {
	name=$1 label=$2; shift 2
	c0=$(cpu)
	if run_pipeline "$name" "$@"; then
		c1=$(cpu)
		res=$(echo "$c0 $c1 $RUN_SECONDS $N" | awk '{
			busy = $3 - $1; idle = $4 - $2
			printf "%.1f frames/s, CPU %.0f%%", $6 / $5, 100 * busy / (busy + idle) }')
		copies=$(pool_stat "$name" pool copies)
		tap_ok "$label: $N frames in $RUN_SECONDS s, $res${copies:+, mmngrpool copies $copies}"
	else
		tap_fail "$label"
	fi
}

echo "# $(nproc) CPUs; gst $(gst-launch-1.0 --version | sed -n 's/.*version //p' | head -n 1)"
measure m-pool "with mmngrpool" v4l2src device="$VIVID" io-mode=dmabuf-import num-buffers=$N \
	! $CAPS ! mmngrpool name=pool ! $SINK
measure m-plain "without mmngrpool (v4l2src ! kmssink)" v4l2src device="$VIVID" num-buffers=$N \
	! $CAPS ! $SINK
measure m-export "without mmngrpool (v4l2src io-mode=dmabuf ! kmssink)" v4l2src device="$VIVID" \
	io-mode=dmabuf num-buffers=$N ! $CAPS ! $SINK
exit 0
