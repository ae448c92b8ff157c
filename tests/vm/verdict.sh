# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# How a lane's guest output becomes a verdict.  Sourced by tests/vm/lane and
# by tests/vm/verdict-test, which checks that it fails what it must.

# Turn the guest's markers and the harness's TAP into result lines.  The
# output of a failed case (from its "RUN" line on) is kept as diagnostics.
parse_output() {
	awk -v lane="$LANE" '
	function res(r, d) { print r " " lane ": " d }
	function flush(   i) { for (i = 0; i < nbuf; i++) print "# " buf[i]; nbuf = 0 }
	/^@@STEP (ok|fail) .*@@$/ {
		s = $0; sub(/^@@STEP /, "", s); sub(/@@$/, "", s)
		r = s; sub(/ .*/, "", r); d = s; sub(/^[a-z]+ /, "", d)
		res(r, d); next
	}
	/^@@PROG .*@@$/ {
		prog = $0; sub(/^@@PROG /, "", prog); sub(/@@$/, "", prog)
		inprog = 1; nprogs++; plan = -1; seen = 0; fails = 0; nbuf = 0; next
	}
	/^@@PROG-EXIT [0-9]+@@$/ {
		rc = $0; gsub(/[^0-9]/, "", rc)
		if (plan < 0 && seen == 0) { flush(); res("fail", prog ": no TAP output (exit status " rc ")") }
		else if (seen < plan) { flush(); res("fail", prog ": " plan - seen " of " plan " results missing (exit status " rc ")") }
		else if (rc != 0 && fails == 0) { flush(); res("fail", prog ": exit status " rc " without a failed case") }
		inprog = 0; next
	}
	/^@@DONE@@$/ { done = 1; next }
	!inprog { next }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^#  RUN / { nbuf = 0 }
	/^(not )?ok [0-9]+ / {
		seen++
		ok = ($1 == "ok")
		d = $0; sub(/^(not )?ok [0-9]+ /, "", d)
		if (ok && d ~ /# SKIP/) { res("skip", prog ": " d); nbuf = 0; next }
		if (ok) { res("ok", prog ": " d); nbuf = 0; next }
		fails++; res("fail", prog ": " d); flush(); next
	}
	{ if (nbuf < 200) buf[nbuf++] = $0 }
	END {
		if (inprog) { flush(); res("fail", prog ": did not finish") }
		if (!nprogs) res("fail", "no kselftest program ran")
		if (!done) res("fail", "guest-kselftest did not finish")
	}
	'
}

# What must never appear in a guest's kernel log after our tests.
BAD_DMESG='WARNING:|BUG:|Oops|Call [Tt]race:|Unable to handle kernel|general protection fault|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|scheduling while atomic|DMA-API: .*device driver|refcount_t:|list_(add|del) corruption|stack-protector|hung_task|soft lockup|rcu_sched detected stall|Kernel panic'

# known_dmesg <LOG: LOG without the reports of other code's known defects,
# each named here with its reason.  Only the exact report goes, so anything
# else in the log still fails the lane.
#  - vivid's capture thread (vivid-kthread-cap.c) checks that its next
#    frame is due in the future and then passes "due - jiffies" to
#    wait_event_interruptible_timeout(): when a tick lands in between (an
#    emulated guest on a loaded host), the timeout is negative and
#    schedule_timeout() prints "wrong timeout value" with a stack dump.
known_dmesg() {
	awk '
	function flush(   i) { for (i = 0; i < n; i++) print buf[i]; n = 0 }
	/schedule_timeout: wrong timeout value/ { flush(); held = 1 }
	held {
		buf[n++] = $0
		if ($0 ~ /<\/TASK>/ || n > 40) {
			if (!(vivid && n <= 40))
				flush()
			n = 0; held = 0; vivid = 0
		} else if ($0 ~ /vivid_thread_vid_cap/)
			vivid = 1
		next
	}
	{ print }
	END { flush() }
	'
}

# bad_dmesg <LOG: print the lines that fail a lane; true if there are any.
bad_dmesg() {
	known_dmesg | grep -E "$BAD_DMESG"
}

# bad_taint VALUE: true if /proc/sys/kernel/tainted has a flag that means
# the kernel complained: W (warning), D (died), B (bad page), L (soft
# lockup), M (machine check).  Unsigned out-of-tree modules (E, O) are fine.
bad_taint() {
	[ $(($1 & ((1 << 9) | (1 << 7) | (1 << 5) | (1 << 14) | (1 << 4)))) != 0 ]
}
