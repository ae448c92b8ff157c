#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs upstream's dmabuf-heap (built unmodified next to this script as
# dmabuf-heap-upstream) and reports it as TAP, which the lanes read.
# Newer versions (6.12's) speak TAP themselves.  6.1's prints
# "Testing ...: OK|FAIL" lines, which become one result per heap and case;
# 5.10's prints neither, and gives one result by its exit status, as the
# kernel's kselftest runner would.  Other lines are kept as diagnostics; a
# non-zero exit that names no failed case fails too.

cd "$(dirname "$0")" || exit 1
[ -f dmabuf-heap-upstream.from ] &&
	echo "# dmabuf-heap.c from $(cat dmabuf-heap-upstream.from)"

# The test takes every heap in /dev/dma_heap.  Only ours are ours to test:
# where the kernel has heaps of its own, a tmpfs over /dev/dma_heap shows
# the test our nodes alone.  (The kernel's CMA heap on the debug kernel
# trips DMA-API debugging when the test has vgem import it: vgem declares
# no maximum segment size.  Not ours to fix or to hide.)
view=
for h in /dev/dma_heap/*; do
	case ${h##*/} in mmngr-*|\*) ;; *) view=/dev/dma_heap ;; esac
done
if [ -n "$view" ] && [ "$(id -u)" = 0 ]; then
	ours=$(mktemp -d)
	mount -t tmpfs mmngr-heaps "$ours" || exit 1
	for h in /dev/dma_heap/mmngr-*; do
		[ -c "$h" ] || continue
		# stat gives major and minor in hex, mknod takes decimal.
		set -- $(stat -c '0x%t 0x%T' "$h")
		mknod "$ours/${h##*/}" c "$(printf %d "$1")" "$(printf %d "$2")" || exit 1
	done
	echo "# heaps of the kernel's own left out: $(ls /dev/dma_heap | grep -v '^mmngr-' | tr '\n' ' ')"
	mount --bind "$ours" /dev/dma_heap || exit 1
	out=$(./dmabuf-heap-upstream 2>&1)
	rc=$?
	umount /dev/dma_heap
	umount "$ours"
	rmdir "$ours"
else
	out=$(./dmabuf-heap-upstream 2>&1)
	rc=$?
fi
if printf '%s\n' "$out" | grep -Eq '^(not )?ok [0-9]+ '; then
	printf '%s\n' "$out"
	exit $rc
fi
printf '%s\n' "$out" | awk -v rc="$rc" '
	/^Testing heap: / {
		heap = substr($0, 15); heaps = heaps " " heap; print "# " $0; next
	}
	/^  Testing / {
		d = $0; sub(/^  Testing /, "", d)
		res = d; sub(/^[^:]*: */, "", res); sub(/:.*/, "", d)
		n++
		if (res ~ /FAIL/) { fails++; print "not ok " n " " heap ": " d " # " res }
		else if (res ~ /OK$/) print "ok " n " " heap ": " d
		else { fails++; print "not ok " n " " heap ": " d " (no verdict: " res ")" }
		next
	}
	{ print "# " $0 }
	END {
		if (!n && rc == 0 && heaps != "")
			print "ok " ++n " every heap (exit status 0):" heaps
		else if (!n || (rc != 0 && !fails))
			print "not ok " ++n " exit status " rc (heaps == "" ? ", no heap tested" : ":" heaps)
		print "1.." n
	}'
exit $rc
