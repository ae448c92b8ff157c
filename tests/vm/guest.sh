# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Building a lane's guest (modules, tests, device tree, initramfs) and
# booting it.  Sourced after lib.sh and lane_load, never run.

# Everything below writes its logs to $LANE_BUILD/*.log.

# build_modules KERNEL_DIR: build mmngr.ko and mmngrbuf.ko for the lane's
# kernel in a private copy of the sources (one tree cannot hold objects for
# two kernels), the way any user builds them: make -C KDIR M=... modules,
# with the kernel's own kbuild and compiler.  Where those do not run on this
# machine (a kernel of a newer or older Debian release), the build runs in a
# chroot of the kernel's release (build_chroot).
build_modules() {
	local k=$1 src=$LANE_BUILD/src root=
	local cmd=(make -C "$k/build" M="$src" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE")

	# Sources only, as git sees them (committed or not): never build
	# products of another kernel left in the work tree.
	rm -rf "$src" && mkdir -p "$src"
	(cd "$TOP" && git ls-files -z -co --exclude-standard -- Kbuild mmngr mmngrbuf include |
		rsync -a --from0 --files-from=- . "$src/") || return 1
	if ! kbuild_runs_here "$k"; then
		root=$(build_chroot "$(cat "$k/suite")" "$k") || return 1
		echo "building in $root" >"$LANE_BUILD/modules.log"
	fi
	# shellcheck disable=SC2086 # KBUILD_ARGS is a list of make arguments
	if [ -n "$root" ]; then
		in_chroot "$root" "$(cd "$k" && pwd -P)" "$src" -- "${cmd[@]}" $KBUILD_ARGS modules
	else
		"${cmd[@]}" $KBUILD_ARGS modules
	fi >>"$LANE_BUILD/modules.log" 2>&1
}

# module_warnings: print the compiler's and kbuild's warnings in the last
# module build; true if there are any.
module_warnings() {
	grep -E '(^|: )([Ww]arning|WARNING)[: ]' "$LANE_BUILD/modules.log"
}

# build_tests ARCH CC: static kselftest binaries for one user-space ABI, in
# $BUILD/tests/ARCH.  Shared by every lane of that architecture.
build_tests() {
	local arch=$1 cc=$2 harness out=$BUILD/tests/$1 ldflags=-static

	# 32-bit ARM programs run on arm64 kernels with 16 KiB (or 64 KiB)
	# pages too; the loader maps their segments in whole kernel pages,
	# so the file must be laid out for the largest (arm's default is 4 KiB).
	[ "$arch" = armhf ] && ldflags+=" -Wl,-z,max-page-size=0x10000"
	# make does not relink for new flags: start over when they change.
	[ "$(cat "$out/.ldflags" 2>/dev/null)" = "$ldflags" ] || rm -rf "$out"
	mkdir -p "$out" && echo "$ldflags" >"$out/.ldflags" || return 1
	harness=$("$VM_DIR/ksrc")/tools/testing/selftests || return 1
	make -C "$TOP/tests" OUTPUT="$out" CC="$cc" LDFLAGS="$ldflags" \
		KSFT_HARNESS_DIR="$harness" >"$LANE_BUILD/tests-$arch.log" 2>&1
}

# build_dtb: QEMU's own device tree for the lane's machine with dts/$DTS
# applied, so that the overlay only has to say what an R-Car board adds.
build_dtb() {
	local out=$LANE_BUILD/board.dtb

	[ -n "$DTS" ] || return 0
	{
		"$QEMU" -accel "$QEMU_ACCEL" "${QEMU_MACHINE[@]}" -smp "$SMP" -m "$MEM" -nographic \
			-machine dumpdtb="$LANE_BUILD/qemu.dtb" &&
		dtc -q -@ -I dts -O dtb -o "$LANE_BUILD/overlay.dtbo" "$TOP/dts/$DTS" &&
		fdtoverlay -i "$LANE_BUILD/qemu.dtb" -o "$out" "$LANE_BUILD/overlay.dtbo"
	} >"$LANE_BUILD/dtb.log" 2>&1
}

# add_kernel_modules KERNEL_DIR ROOT KVER NAME...: copy the named modules of
# the lane's kernel and everything they depend on into ROOT, decompressed
# (busybox modprobe does not read .ko.xz).
add_kernel_modules() {
	local kdir=$1 root=$2 kver=$3 mods=$kdir/modules/lib/modules/$3
	local name m f dst
	shift 3

	for name in "$@"; do
		name=${name//-/_}
		# modules.dep: "kernel/path/mod.ko[.xz]: dep1 dep2 ..." with the
		# full dependency closure on each line.
		m=$(awk -v n="$name" -F: '{ b=$1; sub(/.*\//, "", b); sub(/\.ko.*/, "", b);
			gsub(/-/, "_", b); if (b == n) { print $1 $2; exit } }' "$mods/modules.dep")
		if [ -z "$m" ]; then
			grep -q "/${name}.ko" "$mods/modules.builtin" 2>/dev/null && continue
			log "$LANE: module $name not found in $kver"
			return 1
		fi
		for f in $m; do
			dst=$root/lib/modules/$kver/${f%.xz}
			dst=${dst%.zst}
			[ -e "$dst" ] && continue
			mkdir -p "$(dirname "$dst")"
			case $f in
			*.xz)	xz -dc "$mods/$f" >"$dst" ;;
			*.zst)	zstd -qdc "$mods/$f" >"$dst" ;;
			*)	cp "$mods/$f" "$dst" ;;
			esac
		done
	done
	cp "$mods"/modules.order "$mods"/modules.builtin* "$root/lib/modules/$kver/" 2>/dev/null
	return 0
}

# build_initramfs KERNEL_DIR CONF [EXTRA...]: pack busybox, /init, the lane's
# and our modules (installed for modprobe), the kselftests, and EXTRA files
# (into /root) into $LANE_BUILD/initramfs.cpio.gz.  CONF becomes /etc/vm.conf.
# GUEST=gst lanes also get what their userland needs (gst_add_to_initramfs),
# which /init copies into it.
build_initramfs() {
	local kdir=$1 conf=$2 kver root=$LANE_BUILD/initramfs f
	shift 2

	kver=$(cat "$kdir/kver")
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,lib/modules/"$kver"/extra}
	cp "$(busybox_for "$ARCH")" "$root/bin/busybox"
	cp "$VM_DIR/init" "$root/init"
	cp "$VM_DIR/guest-kselftest" "$root/usr/bin/"
	printf '%s\n' "$conf" >"$root/etc/vm.conf"
	if [ -n "$MODPROBE_CONF" ]; then
		mkdir -p "$root/etc/modprobe.d"
		printf '%s\n' "$MODPROBE_CONF" >"$root/etc/modprobe.d/mmngr.conf"
	fi

	cp "$LANE_BUILD/src/mmngr/mmngr.ko" "$LANE_BUILD/src/mmngrbuf/mmngrbuf.ko" \
		"$root/lib/modules/$kver/extra/"
	add_kernel_modules "$kdir" "$root" "$kver" ${MODULES:-vgem vivid} || return 1

	if [ "$GUEST" = gst ]; then
		gst_add_to_initramfs "$root" "$kver" || return 1
		printf '%s\n' "VM_ROOT=/dev/vda" "VM_ROOT_MODULES='$GST_BOOT_MODULES'" >>"$root/etc/vm.conf"
	fi
	depmod -b "$root" "$kver" || return 1

	cp -r "$BUILD/tests/$ARCH" "$root/kselftest"
	[ "$ARCH" = arm64 ] && cp -r "$BUILD/tests/armhf" "$root/kselftest-compat"
	for f in "$@"; do
		cp -r "$f" "$root/root/"
	done

	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$LANE_BUILD/initramfs.cpio.gz"
}

# prepare_guest: kernel, modules, tests and device tree for the lane.
# Sets KDIR_OUT.  Returns non-zero with a message on the first failure.
prepare_guest() {
	mkdir -p "$LANE_BUILD"
	KDIR_OUT=$(lane_kernel) || { log "$LANE: kernel not available"; return 1; }
	build_modules "$KDIR_OUT" ||
		{ log "$LANE: module build failed"; tail -n 30 "$LANE_BUILD/modules.log" >&2; return 1; }
	build_tests "$ARCH" "$TEST_CC" ||
		{ log "$LANE: test build failed"; tail -n 30 "$LANE_BUILD/tests-$ARCH.log" >&2; return 1; }
	if [ "$ARCH" = arm64 ]; then
		# 32-bit ARM user space, run through the compat ioctl path.
		build_tests armhf arm-linux-gnueabihf-gcc ||
			{ log "$LANE: armhf test build failed"; tail -n 30 "$LANE_BUILD/tests-armhf.log" >&2; return 1; }
	fi
	build_dtb || { log "$LANE: device tree failed"; cat "$LANE_BUILD/dtb.log" >&2; return 1; }
	if [ "$GUEST" = gst ]; then
		gst_prepare || return 1
	fi
}

# boot_guest [QEMU_ARGS...]: boot the lane's kernel with the initramfs; the
# console goes to stdout.  Fails after $TIMEOUT seconds.  A GUEST=gst lane's
# userland image is attached with snapshot=on: the guest's writes go to a
# temporary file QEMU deletes, never into the cached image.
boot_guest() {
	local extra=()

	[ -n "$DTS" ] && extra=(-dtb "$LANE_BUILD/board.dtb")
	if [ "$GUEST" = gst ]; then
		extra+=(-drive "file=$GST_ROOTFS/rootfs.img,format=raw,if=virtio,snapshot=on")
	fi
	timeout --foreground -k 10 "$TIMEOUT" \
		"$QEMU" -accel "$QEMU_ACCEL" "${QEMU_MACHINE[@]}" -smp "$SMP" -m "$MEM" \
		-nographic -no-reboot "${extra[@]}" \
		-kernel "$KDIR_OUT/vmlinuz" -initrd "$LANE_BUILD/initramfs.cpio.gz" \
		-append "console=$CONSOLE panic=-1 quiet $APPEND" "$@"
}

. "$VM_DIR/gst.sh"
