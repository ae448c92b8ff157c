#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Pipeline 1, camera -> display, zero-copy:
#   v4l2src io-mode=dmabuf-import ! caps ! mmngrpool ! kmssink
# vivid captures into mmngrpool's mmngr dma-bufs and vkms scans the same
# dma-bufs out, with vivid's buffers from vb2-vmalloc (allocators=0: vivid
# writes through a kernel mapping of the dma-buf, dma_buf_vmap) and from
# vb2-dma-contig (allocators=1: vivid attaches to the dma-buf and needs it
# contiguous, which is what mmngr gives).  A tee shows the same buffers to
# checksumsink, whose checksums must be those of vivid's own buffers.

. "$(dirname "$0")/tap.inc"
. "$(dirname "$0")/pipelines.inc"

N=60
CAPS=video/x-raw,format=BGRx,width=640,height=480,framerate=30/1
# Four results for each allocator, whatever happens, and the kernel log.
tap_plan 9
dmesg_mark

for alloc in 0 1; do
	case $alloc in 0) kind=vb2-vmalloc ;; 1) kind=vb2-dma-contig ;; esac
	if ! setup_devices $alloc; then
		tap_fail "pipeline 1 ($kind): vivid allocators=$alloc, mmngr and vkms loaded"
		tap_skip "copies ($kind)" "no devices"
		tap_skip "attached ($kind)" "no devices"; tap_skip "content ($kind)" "no devices"
		continue
	fi
	if ! have_element kmssink; then
		skip_rest 9 "no kmssink (gstreamer1.0-plugins-bad)"
	fi
	# vivid's own buffers (io-mode=mmap), for the expected checksum.
	run_pipeline ref$alloc v4l2src device="$VIVID" io-mode=mmap num-buffers=5 \
		! $CAPS ! checksumsink sync=false

	check "pipeline 1, vivid allocators=$alloc ($kind): $N frames to kmssink (vkms) through mmngrpool" \
		run_pipeline p1-$alloc v4l2src device="$VIVID" io-mode=dmabuf-import num-buffers=$N \
		! $CAPS ! mmngrpool name=pool ! tee name=t \
		! queue ! kmssink driver-name=vkms force-modesetting=true sync=false \
		t. ! queue ! checksumsink sync=false
	echo "# $(distinct_buffers p1-$alloc) mmngr dma-bufs, at most $(max_refs p1-$alloc) references each; $RUN_SECONDS s"
	check "($kind) no copy: mmngrpool passed $N frames, 0 copies" zero_copies p1-$alloc pool $N
	if [ $alloc = 1 ]; then
		check "($kind) the same mmngr dma-buf attached to vivid and vkms at once" \
			attached p1-$alloc vivid vkms
	else
		# vb2-vmalloc does not attach: it holds the dma-buf (a reference)
		# and maps it.  vkms attaches to scan it out.
		check "($kind) mmngr dma-bufs attached to vkms, held by vivid too (refs >= 3)" \
			held p1-$alloc vkms 3
	fi
	check "($kind) content: every frame at the far end is vivid's pattern" \
		same_content p1-$alloc ref$alloc $N
done
check "clean kernel log" dmesg_clean
exit 0
