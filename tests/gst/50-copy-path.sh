#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The copy path: a producer that does not write into the mmngr pool
# (v4l2src io-mode=mmap: vivid's own buffers) gets every frame copied into
# mmngr memory.  mmngrpool must say so once, count every copy, and the
# copies must be the frames.  And a pool that does not exist is a clear
# error, not a pipeline that quietly runs in other memory.

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=20
CAPS=video/x-raw,format=BGRx,width=640,height=480,framerate=30/1
tap_plan 6
dmesg_mark

setup_devices 0 || { tap_fail "vivid, mmngr loaded"; skip_rest 6 "no devices"; }

run_pipeline ref5 v4l2src device="$VIVID" io-mode=mmap num-buffers=5 ! $CAPS ! checksumsink sync=false
check "vivid's own buffers (io-mode=mmap) through mmngrpool: $N frames" \
	run_pipeline copy v4l2src device="$VIVID" io-mode=mmap num-buffers=$N ! $CAPS \
	! mmngrpool name=pool ! checksumsink sync=false
f=$(pool_stat copy pool frames) c=$(pool_stat copy pool copies)
echo "# frames=$f copies=$c"
check "every frame copied and counted: copies = frames = $N" test "$f/$c" = "$N/$N"
w=$(grep -c "Copying frames into mmngr memory" "$WORK/copy.log")
grep "WARNING: from element" "$WORK/copy.log" | sed "s/^/# /"
check "the copy was announced once (a GStreamer warning naming mmngrpool)" test "$w" = 1
check "the copies hold vivid's frames" same_content copy ref5 $N

run_pipeline nopool videotestsrc num-buffers=1 ! mmngrpool pool=no-such-pool ! fakesink
grep "ERROR" "$WORK/nopool.log" | sed "s/^/# /"
check "pool=no-such-pool: the pipeline fails and names the pool" \
	sh -c "[ $RUN_RC != 0 ] && grep -q 'Could not use mmngr pool \"no-such-pool\"' '$WORK/nopool.log'"
check "clean kernel log" dmesg_clean
exit 0
