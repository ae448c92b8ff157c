#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs upstream's dmabuf-heap (built unmodified next to this script as
# dmabuf-heap-upstream) and reports it as TAP, which the lanes read.  Newer
# versions (6.12's) speak TAP themselves; older ones (6.1's) print "Testing ...: OK|FAIL"
# lines, which become one result per heap and case, its other lines
# diagnostics, and a failure if it exits non-zero without saying which
# case failed (as the kernel's kselftest runner would: by exit status).

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
	/^Testing heap: / { heap = substr($0, 15); print "# " $0; next }
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
		if (!n || (rc != 0 && !fails)) {
			n++
			print "not ok " n " dmabuf-heap exit status " rc (n == 1 ? ", no case ran" : "")
		}
		print "1.." n
	}'
exit $rc
