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
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || exit "$status"

# The comparison: each malloc workload's ns/op against mm64's slab on the
# same workload in this run, as a ratio (above 1: mm64 is faster).
awk -F'|' '
	function trim(s) { gsub(/^ +| +$/, "", s); return s }
	/^# malloc comparison: / { who = substr($0, 22); sub(/.*\//, "", who); next }
	/^\| / && $2 !~ /\[cpu\]/ && $3 ~ /[0-9]/ {
		label = trim($2); ns = trim($3) + 0
		if (who == "") mm[label] = ns; else { k[who, label] = ns; whos[who] = 1; labels[label] = 1 }
	}
	END {
		pair["malloc(64)+free pair"] = "kmalloc(64)+kfree pair"
		pair["malloc churn 16-2048 B, 4096 live"] = "kmalloc churn 16-2048 B, 4096 live"
		pair["malloc churn 16-2048 B, 65536 live"] = "kmalloc churn 16-2048 B, 65536 live"
		pair["64 malloc(64) then 64 free, per object"] = "kmem_cache bulk 64 alloc+free, per object"
		printf "\n# malloc comparison: ns/op, and the ratio to mm64 (above 1: mm64 is faster)\n"
		printf "| %-40s | %8s |", "workload", "mm64"
		for (w in whos) printf " %-28s |", w
		printf "\n"
		for (l in pair) {
			m = mm[pair[l]]; if (m == 0) continue
			printf "| %-40s | %8.2f |", l, m
			for (w in whos) printf " %8.2f (%5.2fx)            |", k[w, l], k[w, l] / m
			printf "\n"
		}
	}' "$out" | tee -a "$out"
