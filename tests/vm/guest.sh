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
	(cd "$TOP" && git ls-files -z -co --exclude-standard -- Kbuild VERSION mmngr mmngrbuf include |
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
	tests_locked "$arch" make -C "$TOP/tests" OUTPUT="$out" CC="$cc" LDFLAGS="$ldflags" \
		KSFT_HARNESS_DIR="$harness" >"$LANE_BUILD/tests-$arch.log" 2>&1
}

# tests_locked ARCH COMMAND...: run COMMAND holding $BUILD/tests/ARCH's
# lock.  Lanes of one architecture share those binaries, and lanes run in
# parallel: one must not copy them while another's make rewrites them.
tests_locked() {
	local arch=$1
	shift
	mkdir -p "$BUILD/tests"
	flock "$BUILD/tests/.$arch.lock" "$@"
}

# build_bundle: the kselftest bundle of the lane's tests in
# $LANE_BUILD/kselftest_install, as `make kselftest-install` makes it.
build_bundle() {
	local out=$LANE_BUILD/kselftest_install

	rm -rf "$out"
	# It reuses (and may rebuild) the lanes' shared test build.
	tests_locked "$ARCH" make -C "$TOP" kselftest-install ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" \
		CC="$TEST_CC" BUILD="$BUILD" INSTALL_PATH="$out" >"$LANE_BUILD/bundle.log" 2>&1
}

# heap_selftest_src KERNEL_DIR: print a directory holding the lane kernel's
# own version of upstream's dma-buf heap selftest
# (tools/testing/selftests/dmabuf-heaps/, kselftest.h, the dma-heap uapi),
# taken from the linux-source package of the kernel's series in the lane's
# suites and cached per package version; for kernels not from Debian's
# archive or a lane's SOURCE (debug-arm64, built from the host's
# linux-source-6.1), the harness's own linux-source-6.1 (tests/vm/ksrc).
heap_selftest_src() {
	local k=$1 series pkg ver dir tmp

	if [ "$KERNEL" = debian ] || [ -n "$SOURCE" ]; then
		series=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' "$k/kver")
		pkg=linux-source-$series
		apt_private $SUITES || return 1
		ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^  Candidate: //p')
	fi
	if [ -z "${ver:-}" ] || [ "$ver" = "(none)" ]; then
		log "$LANE: no ${pkg:-linux-source} for this kernel: dmabuf-heap.c from linux-source-6.1"
		dir=$("$VM_DIR/ksrc") || return 1
		echo "linux-source-6.1 (tests/vm/ksrc)" >"$LANE_BUILD/heap-selftest.from"
		echo "$dir"
		return
	fi
	dir=$MMNGR_CACHE/ksrc/heaps-$pkg-$ver
	if [ ! -e "$dir/.done" ]; then
		log "$LANE: extracting the dmabuf-heaps selftest from $pkg $ver"
		tmp=$(mktemp -d "$MMNGR_CACHE/ksrc/.heaps-XXXXXX") || return 1
		apt_download "$tmp" "$pkg" &&
		dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb |
			tar -xO "./usr/src/$pkg.tar.xz" |
			tar -xJf - -C "$tmp" --strip-components=1 \
				"$pkg/tools/testing/selftests/dmabuf-heaps" \
				"$pkg/tools/testing/selftests/kselftest.h" \
				"$pkg/include/uapi/linux/dma-heap.h" &&
		rm -f "$tmp"/*.deb && touch "$tmp/.done" ||
			{ rm -rf "$tmp"; return 1; }
		# Another lane may have got there first: keep its copy.
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	echo "$pkg $ver" >"$LANE_BUILD/heap-selftest.from"
	echo "$dir"
}

# build_heap_selftest KERNEL_DIR ARCH CC: upstream's dmabuf-heap.c from
# heap_selftest_src, built unmodified with tests/dmabuf-heaps' rules, into
# $LANE_BUILD/heap-selftest/ARCH; build_initramfs puts it in place of the
# linux-source-6.1 build.
build_heap_selftest() {
	local k=$1 arch=$2 cc=$3 src out=$LANE_BUILD/heap-selftest/$2 ldflags=-static

	src=$(heap_selftest_src "$k") || return 1
	[ "$arch" = armhf ] && ldflags+=" -Wl,-z,max-page-size=0x10000"
	rm -rf "$out" && mkdir -p "$out" || return 1
	cp "$LANE_BUILD/heap-selftest.from" "$out/dmabuf-heap-upstream.from"
	make -C "$TOP/tests/dmabuf-heaps" OUTPUT="$out" CC="$cc" LDFLAGS="$ldflags" \
		KSFT_HARNESS_DIR="$("$VM_DIR/ksrc")/tools/testing/selftests" \
		UPSTREAM="$src/tools/testing/selftests/dmabuf-heaps" \
		"$out/dmabuf-heap-upstream" >"$LANE_BUILD/heap-selftest-$arch.log" 2>&1
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
	cp "$VM_DIR/guest-kselftest" "$VM_DIR/guest-bundle" "$root/usr/bin/"
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

	tests_locked "$ARCH" cp -r "$BUILD/tests/$ARCH" "$root/kselftest" || return 1
	if [ "$ARCH" = arm64 ]; then
		tests_locked armhf cp -r "$BUILD/tests/armhf" "$root/kselftest-compat" || return 1
	fi
	# Upstream's heap selftest as the lane kernel's own sources have it.
	cp "$LANE_BUILD/heap-selftest/$ARCH"/* "$root/kselftest/dmabuf-heaps/" || return 1
	if [ "$ARCH" = arm64 ]; then
		cp "$LANE_BUILD/heap-selftest/armhf"/* "$root/kselftest-compat/dmabuf-heaps/" || return 1
	fi
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
	build_heap_selftest "$KDIR_OUT" "$ARCH" "$TEST_CC" ||
		{ log "$LANE: dmabuf-heap selftest build failed"; tail -n 30 "$LANE_BUILD/heap-selftest-$ARCH.log" >&2; return 1; }
	if [ "$ARCH" = arm64 ]; then
		build_heap_selftest "$KDIR_OUT" armhf arm-linux-gnueabihf-gcc ||
			{ log "$LANE: armhf dmabuf-heap selftest build failed"; tail -n 30 "$LANE_BUILD/heap-selftest-armhf.log" >&2; return 1; }
	fi
	build_dtb || { log "$LANE: device tree failed"; cat "$LANE_BUILD/dtb.log" >&2; return 1; }
	[ -z "$BUNDLE_TESTS" ] || build_bundle ||
		{ log "$LANE: make kselftest-install failed"; tail -n 30 "$LANE_BUILD/bundle.log" >&2; return 1; }
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
