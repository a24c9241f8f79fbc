#!/usr/bin/env bash
# bench.sh BUILD — `make bench`: the host benchmarks (-O2, debug checks off),
# then the malloc comparison workloads under each allocator that is
# installed (glibc, jemalloc, tcmalloc, mimalloc via LD_PRELOAD).
# Figures go to the terminal and to BUILD/bench.txt. BENCH=GLOB selects.
set -uo pipefail
build=${1:-build}
bin=$build/mm64-bench
out=$build/bench.txt
lib=/usr/lib/x86_64-linux-gnu
{
	echo "# mm64 benchmarks, $(date -u +%F), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
	"$bin" ${BENCH:-} || exit 1
	if [ -z "${BENCH:-}" ] || [[ "${BENCH}" == libc* ]]; then
		for pre in "" "$lib/libjemalloc.so.2" "$lib/libtcmalloc_minimal.so.4" \
			$(ls $lib/libmimalloc.so.? 2>/dev/null | head -n 1); do
			[ -z "$pre" ] || [ -e "$pre" ] || continue
			echo
			echo "# malloc comparison: ${pre:-glibc malloc}"
			LD_PRELOAD=$pre "$bin" 'libc.*' || exit 1
		done
	fi
} 2>&1 | tee "$out"
exit "${PIPESTATUS[0]}"
