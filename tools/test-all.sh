#!/usr/bin/env bash
# test-all.sh — what `make test` runs once everything is built: the host
# tests (ASan/UBSan), the SMP stress test on 2 and 4 CPUs (threads) under
# ASan/UBSan and under ThreadSanitizer for SMP_MS each, each fuzz target for
# FUZZ_SECONDS, check-embed (mm/ with another kernel's flags) and the QEMU
# matrix.
# Ends with one "N passed, N failed, N skipped" line over all of them (a
# skipped test is one its configuration cannot run: KT_SKIP); exits non-zero
# on any failure.
set -uo pipefail
here=$(dirname "$0")
. "$here/ktest-summary.sh"
build=${BUILD:-build}
seed=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
export SEED=$seed
passed=0 failed=0 skipped=0
rows=()

count() { # count NAME LOGFILE STATUS SECONDS
	local name=$1 log=$2 status=$3 secs=$4 line p=0 f=0 s=0
	line=$(summary_counts "$log")
	if [ -n "$line" ]; then read -r p f s <<<"$line"; fi
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	rows+=("$(printf '%-22s %7s %7s %7s %6ss' "$name" "$p" "$f" "$s" "$secs")")
}

mkdir -p "$build/test-logs"

echo "==== host tests (ASan/UBSan), seed=$seed"
log=$build/test-logs/host.log
start=$(date +%s)
"$build/host-tests" seed="$seed" ${TEST:+test="$TEST"} >"$log" 2>&1
status=$?
grep -E '^(not ok|#   |#     )' "$log" | head -n 80
tail -n 1 "$log"
[ $status = 0 ] || { echo "---- tail of $log ----"; tail -n 30 "$log"; }
count host "$log" $status $(( $(date +%s) - start ))

# Any ThreadSanitizer report fails the run (exit code 66), after all of them
# are printed; tools/tsan-summary.sh lists the distinct ones.
export TSAN_OPTIONS="${TSAN_OPTIONS:-exitcode=66 halt_on_error=0 history_size=7}"
# binary:CPUs:name:extra arguments. The release build (MM_DEBUG=0) runs
# without the deliberate double frees: catching a kmalloc double free on
# another CPU is a debug-build promise.
# The :nodes=2 runs split the map and the CPUs into two NUMA nodes.
for run in host-smp:2:asan: host-smp:4:asan: host-smp-tsan:2:tsan: \
	host-smp-tsan:4:tsan: host-smp-release:4:release:doublefree=0 \
	host-smp:4:asan-2nodes:nodes=2 host-smp-tsan:4:tsan-2nodes:nodes=2; do
	[ -n "${TEST:-}" ] && break # a selected test run skips the stress test
	IFS=: read -r bin cpus kind extra <<<"$run"
	{
		name="smp $kind ${cpus} CPUs"
		echo "==== $name, ${SMP_MS:-3000} ms, seed=$seed"
		log=$build/test-logs/$bin-$cpus${extra:+-${extra//=/}}.log
		start=$(date +%s)
		timeout 600 "$build/$bin" threads=$cpus ms="${SMP_MS:-3000}" seed="$seed" $extra >"$log" 2>&1
		status=$?
		grep -E '^(not ok|# CPU|panic:)' "$log" | head -n 40
		if grep -q 'WARNING: ThreadSanitizer' "$log"; then
			"$here/tsan-summary.sh" "$log" | tail -n 30
			[ $status = 0 ] && status=66
		fi
		tail -n 1 "$log"
		count "$name" "$log" $status $(( $(date +%s) - start ))
	}
done

for t in ${FUZZ_TARGETS:-}; do
	[ -n "${TEST:-}" ] && break # a selected test run skips fuzzing
	echo "==== fuzz $t for ${FUZZ_SECONDS:-30}s"
	log=$build/test-logs/fuzz-$t.log
	start=$(date +%s)
	"$here/fuzz.sh" "$build/fuzz/$t" "tests/fuzz/$t.corpus" "${FUZZ_SECONDS:-30}" >"$log" 2>&1
	status=$?
	tail -n 3 "$log"
	if [ $status = 0 ]; then echo "1 passed, 0 failed" >>"$log"; else
		echo "---- tail of $log ----"; tail -n 40 "$log"; echo "0 passed, 1 failed" >>"$log"; fi
	count "fuzz-$t" "$log" $status $(( $(date +%s) - start ))
done

echo "==== check-embed: mm/ built with another kernel's flags"
log=$build/test-logs/check-embed.log
start=$(date +%s)
"$here/check-embed.sh" "$build" >"$log" 2>&1
status=$?
grep -E '^(not ok|#   )' "$log" | head -n 40
tail -n 1 "$log"
count check-embed "$log" $status $(( $(date +%s) - start ))

echo "==== kernel tests under QEMU"
log=$build/test-logs/matrix.log
start=$(date +%s)
"$here/qemu-matrix.sh" "$build/mm64-test.elf" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count "qemu (all configs)" "$log" $status $(( $(date +%s) - start ))

echo
echo "==== make test summary (seed=$seed)"
printf '%-22s %7s %7s %7s %7s\n' suite passed failed skipped time
for r in "${rows[@]}"; do echo "$r"; done
if [ $((passed + failed + skipped)) = 0 ]; then
	# A selection that matches nothing anywhere is a mistake, not a pass.
	echo "test-all: no test ran (TEST='${TEST:-}' matches nothing)"
	failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
