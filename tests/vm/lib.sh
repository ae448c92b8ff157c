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

# lanes_longest_first TIMES LANE...: the LANEs, those that took longest
# last time (TIMES: "lane seconds" lines) first, so that the last lane to
# start is a short one.  A lane never timed counts as long, and one that
# builds its kernel (KERNEL=debug: half an hour on two cores) as longest.
lanes_longest_first() {
	local times=$1 lane t
	shift
	for lane in "$@"; do
		t=$(awk -v l="$lane" '$1 == l { t = $2 } END { print t + 0 }' "$times" 2>/dev/null)
		if [ "${t:-0}" -le 0 ]; then
			t=100000
			grep -qs '^KERNEL=debug' "$VM_DIR/lanes/$lane.lane" && t=200000
		fi
		echo "$t $lane"
	done | sort -k1,1nr -k2,2 | awk '{ print $2 }'
}

# lane_time_record TIMES LANE SECONDS: remember how long LANE took.
lane_time_record() {
	local times=$1 lane=$2 t=$3

	mkdir -p "$(dirname "$times")"
	(
		flock 9
		{ grep -v "^$lane " "$times" 2>/dev/null; echo "$lane $t"; } >"$times.tmp"
		mv "$times.tmp" "$times"
	) 9>"$times.lock"
}

# lane_load NAME: set the lane's variables (see lanes/README) and derive
# the per-architecture ones.
lane_load() {
	local f="$VM_DIR/lanes/$1.lane"

	[ -f "$f" ] || die "no lane '$1' (have: $(lanes_all | tr '\n' ' '))"
	LANE=$1
	DESCRIPTION= ARCH= KERNEL= ABI= FLAVOUR= SUITES= SOURCE= DTS= MEM=2G SMP=2 APPEND=
	TIMEOUT=900 MODULES= MODPROBE_CONF= CPU= KBUILD_ARGS= BUNDLE_TESTS= GUEST=busybox
	# shellcheck source=/dev/null
	. "$f"
	[ -n "$ARCH" ] && [ -n "$KERNEL" ] || die "$f: ARCH and KERNEL are required"
	[ "$KERNEL" != debian ] || [ -n "$SUITES" ] || die "$f: KERNEL=debian needs SUITES"
	[ -z "$SOURCE" ] || { [ "$KERNEL" = debug ] && [ -n "$SUITES" ]; } ||
		die "$f: SOURCE is for KERNEL=debug and needs SUITES"
	case $GUEST in
	busybox) ;;
	gst)	[ "$ARCH" = amd64 ] && [ -n "$SUITES" ] ||
			die "$f: GUEST=gst needs ARCH=amd64 and SUITES (the userland's release)" ;;
	*)	die "$f: unknown GUEST '$GUEST'" ;;
	esac

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
		QEMU_MACHINE=(-M virt -cpu "${CPU:-cortex-a57}" -nic none)
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

# debian_mirror: the Debian mirror the host's apt uses, or deb.debian.org.
debian_mirror() {
	local m

	m=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$m" ] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\(http[^ ]*\/debian\)\/* .*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

# The package lists of a private apt configuration are read again when
# older than this (minutes), so that a kernel security update is noticed.
MMNGR_APT_MAX_AGE=${MMNGR_APT_MAX_AGE:-360}

# apt_private SUITE...: export APT_CONFIG pointing at a private apt
# configuration that sees exactly SUITEs (main, amd64 and arm64) of the host's
# Debian mirror, with lists and downloads of its own under $MMNGR_CACHE/apt.
# The host's sources, pins and installed packages are neither read nor
# touched, so a lane's kernel can come from any Debian release (bullseye on
# a trixie host, trixie-backports on a bookworm host).
apt_private() {
	local key dir mirror s url

	key=$(printf '%s+' "$@")
	dir=$MMNGR_CACHE/apt/${key%+}
	mkdir -p "$dir"/state/lists/partial "$dir"/cache/archives/partial \
		"$dir"/sources.list.d "$dir"/preferences.d
	: >>"$dir/state/status"
	mirror=$(debian_mirror)
	for s in "$@"; do
		case $s in
		*-security) url=${mirror%/debian}/debian-security ;;
		*)	    url=$mirror ;;
		esac
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $url $s main"
	done >"$dir/sources.list.new"
	cat >"$dir/apt.conf" <<-EOF
		Dir::Etc::SourceList "$dir/sources.list";
		Dir::Etc::SourceParts "$dir/sources.list.d";
		Dir::Etc::Preferences "$dir/preferences";
		Dir::Etc::PreferencesParts "$dir/preferences.d";
		Dir::State "$dir/state";
		Dir::State::status "$dir/state/status";
		Dir::Cache "$dir/cache";
		APT::Architecture "$(dpkg --print-architecture)";
		APT::Architectures { "amd64"; "arm64"; };
		Acquire::Languages "none";
	EOF
	export APT_CONFIG=$dir/apt.conf
	# One refresh at a time; lanes run in parallel may share the lists.
	(
		flock 9
		if ! cmp -s "$dir/sources.list.new" "$dir/sources.list"; then
			mv "$dir/sources.list.new" "$dir/sources.list"
			rm -f "$dir/stamp"
		fi
		rm -f "$dir/sources.list.new"
		[ -n "$(find "$dir/stamp" -mmin -"$MMNGR_APT_MAX_AGE" 2>/dev/null)" ] && exit 0
		for try in 1 2 3; do
			apt-get update -qq >/dev/null 2>"$dir/update.log" && touch "$dir/stamp" && exit 0
			sleep 10
		done
		cat "$dir/update.log" >&2
		exit 1
	) 9>"$dir/lock" || { log "apt-get update for $* failed"; return 1; }
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
# plus suite (where it came from) and kbuild.control (the control file of
# the linux-kbuild package, whose host tools the module build runs).
# The directory is named after the exact package version: a security update
# is fetched once, and the kernels it replaces are deleted.
#
# The newest ABI of the lane's series wins, e.g. 6.1.0-56 or 7.3.4+deb13.
# An archive may list packages it does not serve (bullseye-security lists
# arm64 kernels that its mirrors no longer carry): then the next older ABI
# is used, and said so.
debian_kernel() {
	local abi fallback=0

	apt_private $SUITES || die "$LANE: cannot read the package lists of $SUITES"
	# Debian names the unsigned image ...-unsigned where a signed one
	# exists too (not in backports).
	for abi in $(apt-cache search --names-only "^linux-image-${ABI}-${FLAVOUR}(-unsigned)?\$" 2>/dev/null |
		     awk '{ print $1 }' | sed "s/^linux-image-//; s/-unsigned\$//; s/-${FLAVOUR}\$//" |
		     sort -urV); do
		debian_kernel_abi "$abi" "$fallback" && return 0
		fallback=1
	done
	die "$LANE: no linux-image-${ABI}-${FLAVOUR}[-unsigned] in $SUITES that can be downloaded"
}

# debian_kernel_abi ABI FALLBACK: debian_kernel for one ABI; fails if its
# packages cannot be downloaded.
debian_kernel_abi() {
	local abi=$1 fallback=$2 sfx img hdr common kbuild ver dir tmp f kver old parts

	sfx=$(deb_arch_suffix "$ARCH")
	img=linux-image-$abi-$FLAVOUR-unsigned
	apt-cache show "$img$sfx" >/dev/null 2>&1 || img=linux-image-$abi-$FLAVOUR
	hdr=linux-headers-$abi-$FLAVOUR
	ver=$(apt-cache policy "$img$sfx" | sed -n 's/^  Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || { log "$LANE: no candidate for $img$sfx"; return 1; }
	dir=$MMNGR_CACHE/debian-kernel/$abi-${FLAVOUR}_$ver

	if [ ! -e "$dir/.done" ]; then
		common=$(apt-cache depends "$hdr$sfx" | sed -n 's/^ *Depends: <\?\(linux-headers-[^:> ]*-common[^:> ]*\).*/\1/p' | head -n1)
		kbuild=$(apt-cache depends "$hdr$sfx" | sed -n 's/^ *Depends: \(linux-kbuild-[^:>]*\).*/\1/p' | head -n1)
		[ -n "$common" ] && [ -n "$kbuild" ] ||
			{ log "$LANE: cannot resolve the dependencies of $hdr"; return 1; }
		log "$LANE: fetching $img $ver"
		mkdir -p "$MMNGR_CACHE/debian-kernel"
		tmp=$(mktemp -d "$MMNGR_CACHE/debian-kernel/.tmp.XXXXXX")
		mkdir "$tmp/debs" "$tmp/root"
		# Since 7.0 the image package only depends on its parts: the
		# kernel (linux-binary-*), its modules and its configuration
		# (linux-base-<abi>-<flavour>).
		parts=$(apt-cache depends "$img$sfx" |
			sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-[^:>]*-${FLAVOUR}\)\(:.*\)\{0,1\}\$/\1/p" |
			sed "s/\$/$sfx/" | tr '\n' ' ')
		# kbuild is the build machine's: its scripts are host binaries.
		# shellcheck disable=SC2086 # parts is a list of package names
		if ! if [ "$fallback" = 0 ]; then
			apt_download "$tmp/debs" "$img$sfx" $parts "$hdr$sfx" "$common" "$kbuild"
		else
			(cd "$tmp/debs" && apt-get download -q "$img$sfx" $parts "$hdr$sfx" "$common" "$kbuild" >/dev/null)
		fi; then
			rm -rf "$tmp"
			log "WARNING: $LANE: $img $ver is listed in $SUITES but cannot be downloaded; trying an older one"
			return 1
		fi
		for f in "$tmp"/debs/*.deb; do
			dpkg-deb -x "$f" "$tmp/root"
		done
		dpkg-deb -f "$tmp"/debs/linux-kbuild-*.deb >"$tmp/kbuild.control"
		rm -rf "$tmp/debs"
		# Kernels up to 6.12 ship /lib/modules/<kver> and /boot/vmlinuz-
		# <kver>; since 7.0 everything is in /usr/lib/modules/<kver>.
		f=$(ls -d "$tmp"/root/lib/modules/*-"$FLAVOUR" "$tmp"/root/usr/lib/modules/*-"$FLAVOUR" 2>/dev/null | head -n1)
		[ -n "$f" ] || { rm -rf "$tmp"; die "$LANE: no modules directory in $img"; }
		kver=$(basename "$f")
		if [ ! -e "$tmp/root/lib/modules/$kver" ]; then
			mkdir -p "$tmp/root/lib/modules"
			ln -s "../../usr/lib/modules/$kver" "$tmp/root/lib/modules/$kver"
		fi
		# The package's postinst would have generated modules.dep.
		depmod -b "$tmp/root" "$kver" ||
			{ rm -rf "$tmp"; die "$LANE: depmod failed"; }
		# Headers name their shared half by absolute path; point it
		# into the unpacked tree.
		sed -i "s|/usr/src/|$dir/root/usr/src/|g" \
			"$tmp/root/usr/src/linux-headers-$kver/Makefile"
		if [ -e "$tmp/root/boot/vmlinuz-$kver" ]; then
			ln -s "root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
			ln -s "root/boot/config-$kver" "$tmp/config"
		else
			ln -s "root/lib/modules/$kver/vmlinuz" "$tmp/vmlinuz"
			ln -s "root/lib/modules/$kver/config" "$tmp/config"
		fi
		ln -s "root/usr/src/linux-headers-$kver" "$tmp/build"
		mkdir -p "$tmp/modules/lib/modules"
		ln -s "../../../root/lib/modules/$kver" "$tmp/modules/lib/modules/$kver"
		echo "$kver" >"$tmp/kver"
		echo "${SUITES%% *}" >"$tmp/suite"
		touch "$tmp/.done"
		rm -rf "$dir"
		mv "$tmp" "$dir"
		# Older builds of the same series and flavour are superseded.
		for old in "$MMNGR_CACHE"/debian-kernel/*_*; do
			[ "$old" = "$dir" ] && continue
			f=$(basename "$old")
			echo "${f%_*}" | grep -Ex "(${ABI})-${FLAVOUR}" >/dev/null || continue
			log "$LANE: dropping superseded $f"
			rm -rf "$old"
		done
	fi
	echo "$dir"
}

# kbuild_runs_here KERNEL_DIR: true if this machine can build modules for
# the kernel as its own distribution would: the kernel's linux-kbuild host
# tools run here (their C library is new enough, their libraries are
# installed), and the compiler is the major version the kernel was built
# with (its configuration records the flags that compiler accepts).
kbuild_runs_here() {
	local k=$1 need have want f

	[ -f "$k/kbuild.control" ] || return 0	# built here (debug kernels)
	need=$(sed -n 's/^Depends:.*libc6 (>= \([^)]*\)).*/\1/p' "$k/kbuild.control")
	have=$(dpkg-query -W -f='${Version}' libc6 2>/dev/null)
	[ -z "$need" ] || dpkg --compare-versions "${have:-0}" ge "$need" || return 1
	for f in "$k"/root/usr/lib/linux-kbuild-*/scripts/*/* "$k"/root/usr/lib/linux-kbuild-*/scripts/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		ldd "$f" 2>/dev/null | grep 'not found' >/dev/null && return 1
	done
	# Debian's headers call the compiler by its version (gcc-12).
	want=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)$/\1/p' "$k/config")
	[ -z "$want" ] || command -v "${CROSS_COMPILE}gcc-$((want / 10000))" >/dev/null
}

# build_chroot SUITE KERNEL_DIR: print the path of a minimal chroot of
# Debian SUITE that holds the compilers (native and arm64 cross) and the
# libraries the kernel's kbuild tools need, creating it with mmdebstrap
# the first time.  Cached by suite and package list.
build_chroot() {
	local suite=$1 k=$2 pkgs key dir

	pkgs=$(sed -n 's/^Depends: //p' "$k/kbuild.control" | tr ',' '\n' |
		sed 's/|.*//; s/(.*)//; s/:.*//; s/ //g' | grep -vx 'libc6' | grep .)
	pkgs=$(printf '%s\n' make gcc libc6-dev gcc-aarch64-linux-gnu $pkgs | sort -u | tr '\n' ',')
	key=$(echo "$suite $pkgs" | sha256sum | cut -c1-12)
	dir=$MMNGR_CACHE/chroot/$suite-$key
	mkdir -p "$MMNGR_CACHE/chroot"
	(
		flock 9
		[ -e "$dir/.done" ] && exit 0
		log "creating a $suite chroot for kernel builds ($pkgs)"
		rm -rf "$dir.tmp"
		mmdebstrap --quiet --variant=minbase --include="${pkgs%,}" "$suite" "$dir.tmp" \
			"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $suite main" \
			>"$MMNGR_CACHE/chroot/$suite-$key.log" 2>&1 ||
			{ tail -n 20 "$MMNGR_CACHE/chroot/$suite-$key.log" >&2; exit 1; }
		touch "$dir.tmp/.done"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	) 9>"$dir.lock" || return 1
	echo "$dir"
}

# in_chroot ROOT DIR... -- COMMAND...: run COMMAND in ROOT with the DIRs
# (absolute paths) mounted at the same paths and /proc, /dev mounted; all
# in a private mount namespace, so nothing outlives the command.
in_chroot() {
	local root=$1
	shift
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1; shift
		while [ "$1" != -- ]; do
			mkdir -p "$root$1"
			mount --bind "$1" "$root$1"
			shift
		done
		shift
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" "$@"' sh "$root" "$@"
}

# debug_source: for a debug lane with SOURCE (a linux-source-X.Y package of
# SUITES), print the path of its kernel tarball and, on a second line, the
# package version; the tarball is cached per version in $MMNGR_CACHE/ksrc.
debug_source() {
	local ver dir tar tmp

	apt_private $SUITES || die "$LANE: cannot read the package lists of $SUITES"
	ver=$(apt-cache policy "$SOURCE" 2>/dev/null | sed -n 's/^  Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "$LANE: no $SOURCE in $SUITES"
	dir=$MMNGR_CACHE/ksrc
	# build-debug-kernel tells the release from the file's name.
	tar=$dir/$SOURCE-$ver/$SOURCE.tar.xz
	mkdir -p "$dir"
	if [ ! -e "$tar" ]; then
		(
			flock 9
			[ -e "$tar" ] && exit 0
			log "$LANE: downloading $SOURCE $ver"
			tmp=$(mktemp -d "$dir/.src-XXXXXX") || exit 1
			if apt_download "$tmp" "$SOURCE=$ver" &&
			   dpkg-deb --fsys-tarfile "$tmp"/"$SOURCE"_*.deb |
				tar -xO "./usr/src/$SOURCE.tar.xz" >"$tmp/$SOURCE.tar.xz"; then
				rm -f "$tmp"/*.deb
				mv -T "$tmp" "${tar%/*}"
			fi
			rm -rf "$tmp"
			# Older versions are never used again.
			find "$dir" -maxdepth 1 -name "$SOURCE-*" ! -name "$SOURCE-$ver" -exec rm -rf {} +
			[ -e "$tar" ]
		) 9>"$dir/$SOURCE.lock" || die "$LANE: cannot fetch $SOURCE $ver"
	fi
	printf '%s\n%s\n' "$tar" "$ver"
}

# lane_kernel: print the directory of the lane's kernel (see debian_kernel).
lane_kernel() {
	local src

	case $KERNEL in
	debian)	debian_kernel ;;
	debug)	if [ -n "$SOURCE" ]; then
			src=$(debug_source) || exit 1
			# shellcheck disable=SC2086 # two words: tarball, version
			"$VM_DIR/build-debug-kernel" "$ARCH" $src
		else
			"$VM_DIR/build-debug-kernel" "$ARCH"
		fi ;;
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
	mkdir -p "$MMNGR_CACHE"
	# Lanes run in parallel: one downloads, the others wait for it.
	(
		flock 9
		[ -x "$dir/bin/busybox" ] && exit 0
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		APT_CONFIG= apt_download "$dir.tmp" "busybox-static:$arch" || die "cannot download busybox-static:$arch"
		dpkg-deb -x "$dir.tmp"/busybox-static_*.deb "$dir.tmp/root"
		mkdir -p "$dir/bin"
		mv "$dir.tmp/root/bin/busybox" "$dir/bin/busybox.tmp"
		mv "$dir/bin/busybox.tmp" "$dir/bin/busybox"
		rm -rf "$dir.tmp"
	) 9>"$dir.lock" || return 1
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
