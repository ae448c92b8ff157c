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
out=$(./dmabuf-heap-upstream 2>&1)
rc=$?
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
