#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make demo` shows inside the R-Car-like guest.

set -e

section() { printf '\n=== %s ===\n' "$*"; }

# reg of a reserved-memory node: <addr-hi addr-lo size-hi size-lo>.
region() {
	hex=$(od -An -tx1 -v "$1/reg" | tr -d ' \n')
	base=$((0x${hex%????????????????}))
	size=$((0x${hex#????????????????}))
	flags=
	[ -e "$1/reusable" ] && flags="$flags reusable(CMA)"
	[ -e "$1/no-map" ] && flags="$flags no-map"
	[ -e "$1/compatible" ] && flags="$flags $(tr '\0' ' ' <"$1/compatible")"
	printf '  %-34s base 0x%08x  size %4d MiB %s\n' "$(basename "$1")" \
		"$base" $((size >> 20)) "$flags"
}

section "Board: $(tr '\0' ' ' </proc/device-tree/compatible 2>/dev/null), kernel $(uname -r)"
for n in /proc/device-tree/reserved-memory/*@*; do
	region "$n"
done
grep -E '^Cma(Total|Free)' /proc/meminfo | sed 's/^/  /'

section "modprobe mmngr mmngrbuf"
modprobe mmngr
modprobe mmngrbuf
lsmod | grep -E '^(Module|mmngr)'
modinfo -F description /lib/modules/$(uname -r)/extra/mmngr.ko | sed 's/^/  mmngr:    /'
modinfo -F description /lib/modules/$(uname -r)/extra/mmngrbuf.ko | sed 's/^/  mmngrbuf: /'

section "Devices"
for d in rgnmm rgnmmbuf; do
	dev=$(realpath /sys/class/misc/$d/device)
	printf '  /dev/%-9s %s  bound to %s (%s)\n' "$d" "$(ls -l /dev/$d | cut -c1-10)" \
		"$(basename "$(realpath $dev/driver)")" \
		"$(tr -d '\0' <$dev/of_node/compatible 2>/dev/null || echo "no DT node")"
done

section "Pools (/sys/class/misc/rgnmm/device/pools)"
pools=/sys/class/misc/rgnmm/device/pools
printf '  %-11s %-8s %10s %10s %14s\n' pool kind size used largest_free
for p in "$pools"/*; do
	printf '  %-11s %-8s %6d MiB %6d MiB %10d MiB\n' "$(basename "$p")" \
		"$(cat "$p/kind")" $(($(cat "$p/size") >> 20)) \
		$(($(cat "$p/used") >> 20)) $(($(cat "$p/largest_free") >> 20))
done
echo "  (kernelheap is the default CMA area: its size is not visible to modules)"

section "The mmngr tool (libmmngr): pools"
mmngr=/kselftest/libmmngr/mmngr
$mmngr pools

section "Allocating through /dev/rgnmm (the Renesas ABI)"
/kselftest/demo/rgnmm_demo

section "Zero copy: vivid captures into an mmngr buffer, vgem imports it"
# vivid-001 uses vb2-dma-contig, the path real capture hardware takes.
modprobe vgem
modprobe vivid n_devs=2 node_types=0x1,0x1 multiplanar=1,1 allocators=0,1
/kselftest/demo/zero_copy_demo

section "The mmngr tool: allocate, export, and who uses the dma-buf"
printf 'alloc 1M\nexport 1\nusers 1\nfree 1\n' | $mmngr shell

section "Self-tests"
for t in mmngr/rgnmm_dev mmngr/rgnmm_abi mmngrbuf/rgnmmbuf_dev \
	mmngrbuf/rgnmmbuf_fence mmngrbuf/rgnmmbuf_vgem mmngrbuf/rgnmmbuf_vivid; do
	printf '  %-24s ' "$t"
	/kselftest/$t 2>&1 | sed -n 's/^# Totals: //p'
done

section "rmmod"
rmmod vivid vgem
rmmod mmngrbuf
rmmod mmngr
echo "  both modules unloaded"
