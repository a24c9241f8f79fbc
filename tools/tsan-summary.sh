#!/usr/bin/env bash
# tsan-summary.sh LOG... — the distinct ThreadSanitizer reports in LOGs, one
# line each: the two accesses (kind, top frame, its caller) and where the
# memory lies, with how many times each pair was reported. Two reports are
# the same when their two top frames are (in either order).
set -euo pipefail
awk '
/^WARNING: ThreadSanitizer:/ {
	inrep = 1; n = 0; loc = ""; what = $0
	sub(/^WARNING: ThreadSanitizer: /, "", what); sub(/ \(pid=.*$/, "", what)
	next
}
!inrep { next }
/^  (Atomic |Previous |Previous atomic )?([Rr]ead|[Ww]rite) of size/ {
	n++; acc[n] = $0; sub(/^  /, "", acc[n]); sub(/ of size.*$/, "", acc[n])
	f0[n] = ""; f1[n] = ""; next
}
/^    #0 / && n && f0[n] == "" { f0[n] = $3 " " $2; next }
/failed to restore the stack/ && n && f0[n] == "" { f0[n] = "(stack lost: TSan history_size)"; f1[n] = "?"; next }
/^    #1 / && n && f1[n] == "" { f1[n] = $3; next }
/^  Location is / { loc = $0; sub(/^  Location is /, "", loc); sub(/ at 0x[0-9a-f]+.*$/, "", loc); next }
/^SUMMARY: ThreadSanitizer/ {
	inrep = 0
	a = f0[1] " [" acc[1] ", from " f1[1] "]"
	b = f0[2] " [" acc[2] ", from " f1[2] "]"
	key = (f0[1] < f0[2]) ? f0[1] "|" f0[2] : f0[2] "|" f0[1]
	if (!(key in count)) { order[++keys] = key; line[key] = what ": " a "  <->  " b (loc != "" ? "  (" loc ")" : "") }
	count[key]++
}
END {
	for (i = 1; i <= keys; i++) printf "%3d x %s\n", count[order[i]], line[order[i]]
	printf "%d distinct\n", keys
}' "$@"
