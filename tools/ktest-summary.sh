# Sourced by test-all.sh and qemu-matrix.sh: reading ktest's closing line.
#
# summary_counts LOGFILE: prints "P F S" from the last "N passed, N failed"
# or "N passed, N failed, N skipped" line of LOGFILE (S is 0 when the
# skipped part is absent, as in the fuzz logs), or nothing when there is none.
summary_counts() {
	tr -d '\r' <"$1" |
		sed -nE 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/p' |
		tail -n 1 | awk '{ print $1, $2, ($3 == "" ? 0 : $3) }'
}
