# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The Debian userland guest of the GStreamer lanes (GUEST=gst): the root file
# system (gst-rootfs), the test drivers Debian's kernels leave out (vicodec,
# vim2m, vkms, built as external modules from the kernel's own
# linux-source), and libmmngr built against that userland.  Sourced after
# lib.sh, lane_load and guest.sh, never run.

# The lane kernel's modules every GStreamer guest gets besides MODULES: the
# virtio disk and ext4 the userland is mounted from (crc32c: ext4's metadata
# checksums, which mke2fs enables by default).
GST_BOOT_MODULES="virtio_blk ext4 crc32c_generic"

# Bump when the way the extra modules are built changes.
GST_MODULES_LAYOUT=2

# gst_extra_modules KERNEL_DIR: print the directory holding vicodec.ko,
# vim2m.ko, vkms.ko and v4l2-mem2mem.ko built for the kernel, building them
# the first time.  Debian's amd64 configuration has V4L_TEST_DRIVERS and
# DRM but not these three, nor V4L2_MEM2MEM_DEV, which the two V4L2 ones
# select and no driver of Debian's selects; their other dependencies
# (VIDEOBUF2_VMALLOC, MEDIA_CONTROLLER, DRM_KMS_HELPER, DRM_GEM_SHMEM_HELPER,
# CRC32) are there, so the four build against the kernel's headers.  The
# sources come from the kernel's own linux-source-X.Y package, same version;
# only their five paths are unpacked, in a temporary directory.  vim2m is
# built with a larger frame size limit (below), the rest as released.
# Cached in $MMNGR_CACHE/gst-modules/<kver>_<version>-<layout>/.
gst_extra_modules() {
	local k=$1 kver ver series dir tmp src root='' old f
	local cmd

	kver=$(cat "$k/kver")
	ver=${k##*_}
	series=$(echo "$kver" | cut -d. -f1,2)
	dir=$MMNGR_CACHE/gst-modules/${kver}_$ver-$GST_MODULES_LAYOUT
	[ -e "$dir/.done" ] && { echo "$dir"; return 0; }

	mkdir -p "$MMNGR_CACHE/gst-modules"
	(
		flock 9
		[ -e "$dir/.done" ] && exit 0
		log "$LANE: building vicodec, vim2m, vkms from linux-source-$series $ver"
		tmp=$(mktemp -d "$MMNGR_CACHE/gst-modules/.tmp.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		# shellcheck disable=SC2086 # a list of suites
		apt_private $SUITES || exit 1
		mkdir "$tmp/deb" "$tmp/x" "$tmp/src"
		apt_download "$tmp/deb" "linux-source-$series=$ver" ||
			{ log "$LANE: cannot download linux-source-$series $ver"; exit 1; }
		dpkg-deb --fsys-tarfile "$tmp"/deb/linux-source-*.deb |
			tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJ -C "$tmp/x" --strip-components=1 \
				"linux-source-$series/drivers/media/test-drivers/vicodec" \
				"linux-source-$series/drivers/media/test-drivers/vim2m.c" \
				"linux-source-$series/drivers/media/v4l2-core/v4l2-mem2mem.c" \
				"linux-source-$series/drivers/gpu/drm/vkms" ||
			{ log "$LANE: cannot unpack linux-source-$series"; exit 1; }
		rm -rf "$tmp/deb"
		src=$tmp/src
		cp "$tmp"/x/drivers/media/v4l2-core/v4l2-mem2mem.c \
			"$tmp"/x/drivers/media/test-drivers/vim2m.c "$src/"
		# vim2m's one change: its frame size limit, 640x480 upstream,
		# raised to 1920x1080 so that the scaler can feed vicodec's
		# encoder, which GStreamer 1.26 drives only from 1280x720
		# (tests/gst/pipelines.inc).  The limit is a constant of this
		# test driver; no code path changes.
		sed -i -e 's/^#define MAX_W 640$/#define MAX_W 1920/' \
			-e 's/^#define MAX_H 480$/#define MAX_H 1080/' "$src/vim2m.c"
		grep -qx '#define MAX_W 1920' "$src/vim2m.c" && grep -qx '#define MAX_H 1080' "$src/vim2m.c" ||
			{ log "$LANE: vim2m.c of linux-source-$series has no MAX_W 640/MAX_H 480 to raise"; exit 1; }
		cp -r "$tmp"/x/drivers/media/test-drivers/vicodec "$tmp"/x/drivers/gpu/drm/vkms "$src/"
		# The subdirectories keep their own Makefiles; the symbols
		# they test are given on the command line.
		echo 'obj-m += v4l2-mem2mem.o vim2m.o vicodec/ vkms/' >"$src/Kbuild"
		cmd=(make -C "$k/build" M="$src" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE"
		     CONFIG_VIDEO_VICODEC=m CONFIG_DRM_VKMS=m modules)
		if ! kbuild_runs_here "$k"; then
			root=$(build_chroot "$(cat "$k/suite")" "$k") || exit 1
		fi
		if [ -n "$root" ]; then
			in_chroot "$root" "$(cd "$k" && pwd -P)" "$src" -- "${cmd[@]}"
		else
			"${cmd[@]}"
		fi >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; exit 1; }
		# A symbol the kernel does not export would only show at load time.
		if grep -E 'WARNING: modpost: .*undefined' "$tmp/build.log" >&2; then
			exit 1
		fi
		mkdir "$tmp/out"
		for f in v4l2-mem2mem vim2m vicodec/vicodec vkms/vkms; do
			cp "$src/$f.ko" "$tmp/out/" || exit 1
		done
		cp "$tmp/build.log" "$tmp/out/"
		touch "$tmp/out/.done"
		rm -rf "$dir"
		mv "$tmp/out" "$dir"
		# Builds for older packages of the same flavour are superseded.
		for old in "$MMNGR_CACHE"/gst-modules/*-"$FLAVOUR"_*; do
			[ "$old" = "$dir" ] && continue
			log "$LANE: dropping superseded $(basename "$old")"
			rm -rf "$old"
		done
	) 9>"$MMNGR_CACHE/gst-modules/.lock" || return 1
	echo "$dir"
}

# gst_kernel_deps DIR: the lane kernel's modules the .ko files in DIR need
# (modinfo's depends), minus those in DIR.
gst_kernel_deps() {
	local dir=$1 f

	for f in "$dir"/*.ko; do
		modinfo -F depends "$f" | tr ',' '\n'
	done | grep . | sort -u | grep -vxF -f <(for f in "$dir"/*.ko; do basename "$f" .ko; done | tr - _) |
		grep -vxF -f <(for f in "$dir"/*.ko; do basename "$f" .ko; done)
}

# gst_in_userland DIR... -- COMMAND...: run COMMAND in the userland's tree
# (trixie's compiler, GStreamer's headers and libraries) with the DIRs
# (absolute paths) mounted at their own paths.  pkg-config finds libmmngr
# where gst_build_lib staged it ($LANE_BUILD/gst-stage/pkgconfig): code for
# the guest, e.g. a GStreamer plugin, builds like this and finds
# libmmngr.so.1 in the guest's /usr/local/lib at run time.
gst_in_userland() {
	local stage=$LANE_BUILD/gst-stage dirs=()

	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		dirs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	mkdir -p "$stage"
	in_chroot "$GST_ROOTFS/root" "$stage" "${dirs[@]}" -- env \
		PKG_CONFIG_PATH="$stage/pkgconfig" "$@"
}

# gst_build_lib: libmmngr and the mmngr tool built in the userland itself
# (its compiler, its C library), installed under $LANE_BUILD/gst-stage with
# PREFIX=/usr/local: the guest gets that tree, and a plugin built in the
# same userland links against it.
gst_build_lib() {
	local stage=$LANE_BUILD/gst-stage out=$LANE_BUILD/gst-lib src=$LANE_BUILD/src f

	rm -rf "$stage" "$out"
	mkdir -p "$stage" "$out"
	# build_modules copied only the kernel side; the library needs lib/.
	(cd "$TOP" && git ls-files -z -co --exclude-standard -- lib include/uapi |
		rsync -a --from0 --files-from=- . "$src/") || return 1
	gst_in_userland "$src" "$out" -- \
		make -C "$src/lib" O="$out" PREFIX=/usr/local DESTDIR="$stage" install \
		>"$LANE_BUILD/gst-lib.log" 2>&1 ||
		{ tail -n 30 "$LANE_BUILD/gst-lib.log" >&2; return 1; }
	# The installed .pc files name /usr/local, right in the guest; these
	# copies name the staging tree, for builds in the userland chroot.
	mkdir -p "$stage/pkgconfig"
	for f in "$stage"/usr/local/lib/pkgconfig/*.pc; do
		sed "s|=/usr/local|=$stage/usr/local|" "$f" >"$stage/pkgconfig/${f##*/}" || return 1
	done
}

# gst_build_plugin: the GStreamer plugin (gst/) built in the userland,
# against its GStreamer and the static libmmngr gst_build_lib made, with
# -Werror, checked there (gst/check-plugin: gst-inspect-1.0 of it) and
# installed into the stage's /usr/local/lib/gstreamer-1.0, where
# tests/gst/ point GST_PLUGIN_PATH.
gst_build_plugin() {
	local stage=$LANE_BUILD/gst-stage out=$LANE_BUILD/gst-lib src=$LANE_BUILD/src

	(cd "$TOP" && git ls-files -z -co --exclude-standard -- gst |
		rsync -a --from0 --files-from=- . "$src/") || return 1
	in_chroot "$GST_ROOTFS/root" "$src" "$out" "$stage" -- \
		make -C "$src/gst" O="$out/gst" MMNGR_LIB_O="$out" CFLAGS="-O2 -g -Werror" \
		PLUGINDIR=/usr/local/lib/gstreamer-1.0 DESTDIR="$stage" check install \
		>"$LANE_BUILD/gst-plugin.log" 2>&1 ||
		{ tail -n 30 "$LANE_BUILD/gst-plugin.log" >&2; return 1; }
}

# gst_prepare: everything a GStreamer guest needs besides prepare_guest's:
# the userland (GST_ROOTFS), the extra modules (GST_MODULES), libmmngr and
# the GStreamer plugin.
gst_prepare() {
	GST_ROOTFS=$("$VM_DIR/gst-rootfs" "$(echo "$SUITES" | cut -d' ' -f1)") ||
		{ log "$LANE: no userland"; return 1; }
	GST_MODULES=$(gst_extra_modules "$KDIR_OUT") ||
		{ log "$LANE: vicodec, vim2m, vkms build failed"; return 1; }
	gst_build_lib || { log "$LANE: libmmngr build in the userland failed"; return 1; }
	gst_build_plugin || { log "$LANE: GStreamer plugin build in the userland failed"; return 1; }
}

# gst_add_to_initramfs ROOT KVER: put into the initramfs tree ROOT what
# /init copies into the userland: the extra modules, the boot modules,
# libmmngr and the plugin (/usr/local), the GStreamer tests (/gst-tests: the scripts,
# *.sh, and what they include, *.inc) and their runner.
gst_add_to_initramfs() {
	local root=$1 kver=$2

	cp "$GST_MODULES"/*.ko "$root/lib/modules/$kver/extra/"
	# shellcheck disable=SC2046,SC2086 # lists of module names
	add_kernel_modules "$KDIR_OUT" "$root" "$kver" $GST_BOOT_MODULES $(gst_kernel_deps "$GST_MODULES") ||
		return 1
	mkdir -p "$root/gst/usr/local" "$root/gst/gst-tests"
	cp -r "$LANE_BUILD/gst-stage/usr/local/." "$root/gst/usr/local/"
	cp "$VM_DIR/guest-gst" "$root/usr/bin/"
	cp "$TOP"/tests/gst/*.sh "$TOP"/tests/gst/*.inc "$root/gst/gst-tests/"
}
