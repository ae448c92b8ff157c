# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared helpers for the QEMU lanes: where things are cached, how a lane is
# described, and how to get its kernel.  Sourced, never run.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
MMNGR_CACHE=${MMNGR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmngr}
BUILD=${MMNGR_BUILD:-$TOP/build}
export MMNGR_CACHE

die() { echo "error: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

# All lanes, in the order `make check` runs them.
lanes_all() {
	local f
	for f in "$VM_DIR"/lanes/*.lane; do
		basename "$f" .lane
	done | sort -t- -k1,1 -k2,2
}

# lane_load NAME: set the lane's variables (see lanes/README) and derive
# the per-architecture ones.
lane_load() {
	local f="$VM_DIR/lanes/$1.lane"

	[ -f "$f" ] || die "no lane '$1' (have: $(lanes_all | tr '\n' ' '))"
	LANE=$1
	DESCRIPTION= ARCH= KERNEL= ABI= FLAVOUR= DTS= MEM=2G SMP=2 APPEND=
	TIMEOUT=900 MODULES= MODPROBE_CONF=
	# shellcheck source=/dev/null
	. "$f"
	[ -n "$ARCH" ] && [ -n "$KERNEL" ] || die "$f: ARCH and KERNEL are required"

	case $ARCH in
	amd64)
		QEMU=qemu-system-x86_64
		# Multi-threaded TCG now and then runs a stale translation of
		# code the kernel has just patched (int3 Oops at boot, seen
		# with 6.12); one thread still emulates every vCPU.
		QEMU_ACCEL=tcg,thread=single
		# No NIC: nothing to boot from the network, no iPXE banner.
		QEMU_MACHINE=(-M q35 -nic none)
		CONSOLE=ttyS0
		KARCH=x86_64
		CROSS_COMPILE=
		TEST_CC=gcc
		;;
	arm64)
		QEMU=qemu-system-aarch64
		QEMU_ACCEL=tcg
		QEMU_MACHINE=(-M virt -cpu cortex-a57 -nic none)
		CONSOLE=ttyAMA0
		KARCH=arm64
		CROSS_COMPILE=aarch64-linux-gnu-
		TEST_CC=aarch64-linux-gnu-gcc
		;;
	*)
		die "$f: unknown ARCH '$ARCH'"
		;;
	esac
	LANE_BUILD=$BUILD/lanes/$LANE
}

# Debian package names carry the architecture qualifier only when it is not
# the host's.
deb_arch_suffix() {
	[ "$1" = "$(dpkg --print-architecture)" ] || echo ":$1"
}

# apt_download DIR PKG...: fetch packages into DIR, refreshing the package
# lists once if the archive has moved on since they were read.
apt_download() {
	local dir=$1
	shift
	(cd "$dir" && apt-get download -q "$@" >/dev/null 2>&1) && return 0
	log "apt-get download $* failed; refreshing package lists"
	apt-get update -qq >/dev/null 2>&1 || true
	(cd "$dir" && apt-get download -q "$@" >/dev/null) || return 1
}

# debian_kernel: print the directory holding the lane's Debian kernel,
# downloading and unpacking it first if it is not cached.  The layout is the
# one build-debug-kernel produces:
#   vmlinuz  kver  config  modules/lib/modules/<kver>/  build/ (KDIR)
debian_kernel() {
	local sfx abi img hdr common kbuild ver dir tmp f kver

	sfx=$(deb_arch_suffix "$ARCH")
	# The newest ABI of the lane's series for which an unsigned image
	# exists in the archive, e.g. 6.1.0-56 or 6.12.117+deb12.
	abi=$(apt-cache search --names-only "^linux-image-${ABI}-${FLAVOUR}-unsigned\$" 2>/dev/null |
	      sed -n "s/^linux-image-\(.*\)-${FLAVOUR}-unsigned .*/\1/p" | sort -V | tail -n1)
	[ -n "$abi" ] || die "$LANE: no linux-image-${ABI}-${FLAVOUR}-unsigned in the package lists"
	img=linux-image-$abi-$FLAVOUR-unsigned
	hdr=linux-headers-$abi-$FLAVOUR
	ver=$(apt-cache policy "$img$sfx" | sed -n 's/^  Candidate: //p')
	dir=$MMNGR_CACHE/debian-kernel/$abi-${FLAVOUR}_$ver

	if [ ! -e "$dir/.done" ]; then
		common=$(apt-cache depends "$hdr$sfx" | sed -n 's/^ *Depends: <\?\(linux-headers-[^:>]*-common\).*/\1/p' | head -n1)
		kbuild=$(apt-cache depends "$hdr$sfx" | sed -n 's/^ *Depends: \(linux-kbuild-[^:>]*\).*/\1/p' | head -n1)
		[ -n "$common" ] && [ -n "$kbuild" ] || die "$LANE: cannot resolve the dependencies of $hdr"
		log "$LANE: fetching $img $ver"
		mkdir -p "$MMNGR_CACHE/debian-kernel"
		tmp=$(mktemp -d "$MMNGR_CACHE/debian-kernel/.tmp.XXXXXX")
		mkdir "$tmp/debs" "$tmp/root"
		# kbuild is the host's: its scripts are host binaries.
		apt_download "$tmp/debs" "$img$sfx" "$hdr$sfx" "$common" "$kbuild" ||
			{ rm -rf "$tmp"; die "$LANE: download of $img failed"; }
		for f in "$tmp"/debs/*.deb; do
			dpkg-deb -x "$f" "$tmp/root"
		done
		rm -rf "$tmp/debs"
		kver=$(basename "$(ls -d "$tmp"/root/lib/modules/*-"$FLAVOUR")")
		# The package's postinst would have generated modules.dep.
		depmod -b "$tmp/root" "$kver" ||
			{ rm -rf "$tmp"; die "$LANE: depmod failed"; }
		# Headers name their shared half by absolute path; point it
		# into the unpacked tree.
		sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
			"$tmp/root/usr/src/linux-headers-$kver/Makefile"
		ln -s "root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
		ln -s "root/boot/config-$kver" "$tmp/config"
		ln -s "root/usr/src/linux-headers-$kver" "$tmp/build"
		mkdir -p "$tmp/modules/lib/modules"
		ln -s "../../../root/lib/modules/$kver" "$tmp/modules/lib/modules/$kver"
		echo "$kver" >"$tmp/kver"
		touch "$tmp/.done"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	echo "$dir"
}

# lane_kernel: print the directory of the lane's kernel (see debian_kernel).
lane_kernel() {
	case $KERNEL in
	debian)	debian_kernel ;;
	debug)	"$VM_DIR/build-debug-kernel" "$ARCH" ;;
	*)	die "$LANE: unknown KERNEL '$KERNEL'" ;;
	esac
}

# busybox_for ARCH: print the path of a static busybox for ARCH.
busybox_for() {
	local arch=$1 dir

	if [ "$arch" = "$(dpkg --print-architecture)" ]; then
		echo /bin/busybox
		return
	fi
	dir=$MMNGR_CACHE/busybox-$arch
	if [ ! -x "$dir/bin/busybox" ]; then
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		apt_download "$dir.tmp" "busybox-static:$arch" || die "cannot download busybox-static:$arch"
		dpkg-deb -x "$dir.tmp"/busybox-static_*.deb "$dir.tmp/root"
		mkdir -p "$dir/bin"
		mv "$dir.tmp/root/bin/busybox" "$dir/bin/busybox"
		rm -rf "$dir.tmp"
	fi
	echo "$dir/bin/busybox"
}

# result ok|fail|skip DESCRIPTION [DIAGNOSTIC-FILE]: append one result to
# $results, with the file's lines as TAP diagnostics.
result() {
	echo "$1 $2" >>"$results"
	if [ $# -ge 3 ] && [ -s "$3" ]; then
		sed 's/^/# /' "$3" >>"$results"
	fi
}

# tap_report NAME FILE: print FILE's results as one numbered TAP stream,
# ending with "# NAME: N passed, N failed, N skipped", and keep it with the
# counts in $BUILD/results/NAME.{tap,counts}.  Fails if anything failed.
tap_report() {
	local name=$1 file=$2 dir=$BUILD/results line
	local pass=0 fail=0 skip=0 n=0

	mkdir -p "$dir"
	{
		echo "TAP version 13"
		while IFS= read -r line; do
			case $line in
			"ok "*)	  n=$((n + 1)); pass=$((pass + 1)); echo "ok $n ${line#ok }" ;;
			"skip "*) n=$((n + 1)); skip=$((skip + 1)); echo "ok $n ${line#skip } # SKIP" ;;
			"fail "*) n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n ${line#fail }" ;;
			*)	  echo "$line" ;;
			esac
		done <"$file"
		echo "1..$n"
		echo "# $name: $pass passed, $fail failed, $skip skipped"
	} >"$dir/$name.tap"
	cat "$dir/$name.tap"
	echo "$pass $fail $skip" >"$dir/$name.counts"
	[ "$fail" = 0 ]
}
