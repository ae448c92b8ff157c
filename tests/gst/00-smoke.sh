#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest itself, with no mmngr in the pipelines: the test drivers built
# for the lane's kernel are there and GStreamer drives each of them.  If
# these fail, the mmngr pipeline tests cannot say anything.

. "$(dirname "$0")/tap.inc"

tap_plan 10

# libmmngr and the mmngr tool, built in this userland, in /usr/local.
check "mmngr pools (libmmngr from /usr/local)" mmngr pools
check "v4l2-ctl lists vicodec" sh -c 'v4l2-ctl --list-devices | grep vicodec'
check "v4l2-ctl lists vim2m" sh -c 'v4l2-ctl --list-devices | grep vim2m'
check "vkms has a connected connector" sh -c \
	'modetest -M vkms -c | grep -E "^[0-9]+[[:space:]]+[0-9]+[[:space:]]+connected"'
check "gst-inspect-1.0 finds v4l2src, v4l2fwhtenc, v4l2fwhtdec, v4l2convert, kmssink" sh -c \
	'for e in v4l2src v4l2fwhtenc v4l2fwhtdec v4l2convert kmssink; do
		gst-inspect-1.0 --exists $e || { echo "no element $e"; exit 1; }
	done'

for n in 0 1; do
	alloc=vmalloc
	[ $n = 1 ] && alloc=dma-contig
	if dev=$(video_dev "vivid-00$n-vid-cap"); then
		pipeline "vivid-00$n ($alloc) -> fakesink" 120 \
			v4l2src device="$dev" num-buffers=10 ! fakesink
	else
		tap_fail "vivid-00$n ($alloc) -> fakesink: no vivid-00$n-vid-cap"
	fi
done

# vicodec codes 640x360 to 4096x2160 only, and GStreamer 1.26's v4l2fwhtenc
# only gets its coded buffers at vicodec's default size, 1280x720: at any
# other, v4l2videoenc sizes its capture pool from the coded format read
# before the raw format was set, and finds the driver's buffers too small
# ("buffer size 1228844 is smaller then negotiated size 3686444" at 640x480).
pipeline "videotestsrc -> v4l2fwhtenc -> v4l2fwhtdec -> fakesink (vicodec)" 120 \
	videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=1280,height=720 ! \
	v4l2fwhtenc ! v4l2fwhtdec ! fakesink
pipeline "videotestsrc -> v4l2convert -> kmssink (vim2m, vkms)" 120 \
	videotestsrc num-buffers=10 ! video/x-raw,format=RGB,width=320,height=240 ! \
	v4l2convert ! video/x-raw,format=RGB16,width=640,height=480 ! kmssink driver-name=vkms
pipeline "videotestsrc -> kmssink (vkms)" 120 \
	videotestsrc num-buffers=10 ! video/x-raw,format=BGRx,width=320,height=240 ! \
	kmssink driver-name=vkms
