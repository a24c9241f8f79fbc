#!/usr/bin/env bash
# qemu-matrix.sh TEST.elf — boot the test kernel in every configuration (or
# those named in CONFIGS), each with a timeout; print a table and the overall
# "N passed, N failed, N skipped" line (skipped: tests that a configuration
# cannot run, KT_SKIP, such as RAM above 4 GiB in pc-32M). Exit status: 0
# only if every configuration printed a summary with 0 failures AND exited
# through isa-debug-exit with the pass code (a triple fault exits 0 and is a
# crash, not a pass).
#
# Environment: BUILD, TEST (glob), SEED, CONFIGS, KVM=1, TIMEOUT (seconds).
# The rows of MATRIX_OPT_IN run only when CONFIGS names them.
set -uo pipefail
here=$(dirname "$0")
. "$here/qemu-common.sh"
. "$here/ktest-summary.sh"
elf=$1
build=${BUILD:-build}
logs=$build/test-logs
mkdir -p "$logs"

# name | machine arguments | extra kernel command line
# Every row's command line also gets cpus=N, the N of its -smp (1 without):
# the smp tests check that that many CPUs came up. Rows with -smp run
# multi-threaded TCG (qemu_accel). The -numa rows also say what topology
# they built (numa=, numa_mib=, numa_cpus=, numa_dist=; see
# tests/kernel/test_numa_boot.c), which the numa_boot tests check.
MATRIX=(
	"pc-32M|-M pc -m 32M|"
	"pc-128M|-M pc -m 128M|"
	"pc-1G-smp2|-M pc -m 1G -smp 2|"
	"pc-1G-memopts|-M pc -m 1G|mem=768M memmap=16M\$64M"
	"q35-4G-max|-M q35 -m 4G -cpu max|"
	"q35-8G|-M q35 -m 8G|"
	"q35-8G-max-smp2|-M q35 -m 8G -cpu max -smp 2|"
	"pc-512M-smp4|-M pc -m 512M -smp 4|"
	"q35-2G-smp8|-M q35 -m 2G -smp 8|"
	"q35-4G-numa2-smp4|-M q35 -m 4G -smp 4 -object memory-backend-ram,size=2G,id=m0 -object memory-backend-ram,size=2G,id=m1 -numa node,nodeid=0,memdev=m0,cpus=0-1 -numa node,nodeid=1,memdev=m1,cpus=2-3 -numa dist,src=0,dst=1,val=21|numa=2 numa_mib=2048,2048 numa_cpus=0,0,1,1 numa_dist=21"
	"q35-3G-numa4-smp4|-M q35 -m 3G -smp 4 -object memory-backend-ram,size=1G,id=m0 -object memory-backend-ram,size=1G,id=m1 -object memory-backend-ram,size=1G,id=m2 -numa node,nodeid=0,memdev=m0,cpus=0 -numa node,nodeid=1,memdev=m1,cpus=1 -numa node,nodeid=2,memdev=m2,cpus=2 -numa node,nodeid=3,cpus=3|numa=4 numa_mib=1024,1024,1024,0 numa_cpus=0,1,2,3"
)
# Opt-in rows: too slow or too big for every `make test`; run them with
# `make test CONFIGS=q35-1T`. The guest RAM is a memory backend with
# reserve=off (plain -m 1T is refused by the host's overcommit check: QEMU
# asks for all of it up front) and the host keeps only the pages the guest
# touches; 1 TiB needs more than the default 40 physical address bits.
MATRIX_OPT_IN=(
	"q35-64G|-M q35,memory-backend=m0 -object memory-backend-ram,id=m0,size=64G,reserve=off -m 64G -smp 2|"
	"q35-1T|-M q35,memory-backend=m0 -object memory-backend-ram,id=m0,size=1T,reserve=off -m 1T -cpu max,phys-bits=42 -smp 2|"
)

if [ "$elf" = --list ]; then
	for row in "${MATRIX[@]}"; do IFS='|' read -r n m c <<<"$row"; printf '%-18s %s %s\n' "$n" "$m" "${c:+(cmdline: $c)}"; done
	for row in "${MATRIX_OPT_IN[@]}"; do IFS='|' read -r n m c <<<"$row"; printf '%-18s %s %s(only when CONFIGS names it)\n' "$n" "$m" "${c:+(cmdline: $c) }"; done
	exit 0
fi

seed=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
if [[ "$(qemu_accel)" == *kvm* ]]; then
	# The nested KVM of our machines runs these guests ~40x slower than TCG.
	timeout_default=3600
	echo "qemu-matrix: using KVM (KVM=1); on a nested hypervisor this can be far slower than TCG"
else
	timeout_default=600
fi
TIMEOUT=${TIMEOUT:-$timeout_default}
selected=()
for row in "${MATRIX[@]}"; do
	name=${row%%|*}
	if [ -z "${CONFIGS:-}" ] || [[ " $CONFIGS " == *" $name "* ]]; then
		selected+=("$row")
	fi
done
for row in "${MATRIX_OPT_IN[@]}"; do
	name=${row%%|*}
	if [[ " ${CONFIGS:-} " == *" $name "* ]]; then selected+=("$row"); fi
done
if [ ${#selected[@]} = 0 ]; then
	echo "qemu-matrix: no configuration matches CONFIGS='$CONFIGS'; known:" >&2
	"$0" --list >&2
	exit 2
fi

total_pass=0 total_fail=0 total_skip=0 bad=0
table=()
for row in "${selected[@]}"; do
	IFS='|' read -r name margs extra <<<"$row"
	smp=$(qemu_smp_of "$margs")
	accel=$(qemu_accel "$smp")
	cmdline="seed=$seed cpus=$smp${TEST:+ test=$TEST}${extra:+ $extra}"
	iso=$build/iso/$name.iso
	"$here/mkiso.sh" "$elf" "$iso" "$cmdline" || { echo "qemu-matrix: mkiso failed" >&2; exit 2; }
	log=$logs/$name.log
	echo "== $name: qemu $margs $accel ($cmdline)"
	start=$(date +%s)
	qemu_no_thp timeout "$TIMEOUT" qemu-system-x86_64 $margs $accel -cdrom "$iso" $QEMU_DEVICES </dev/null >"$log" 2>&1 &
	qemu_pid=$!
	hv_error=0
	# On a KVM internal error QEMU pauses the guest instead of exiting:
	# stop it at once rather than wait for the timeout.
	while kill -0 $qemu_pid 2>/dev/null; do
		if grep -q "KVM internal error" "$log" 2>/dev/null; then
			hv_error=1
			pkill -TERM -P $qemu_pid 2>/dev/null
			break
		fi
		sleep 0.2
	done
	wait $qemu_pid
	status=$?
	secs=$(( $(date +%s) - start ))
	summary=$(summary_counts "$log")
	p=0 f=0 s=0 verdict=ok
	if [ -n "$summary" ]; then read -r p f s <<<"$summary"; fi
	if [ -z "$summary" ]; then
		if [ $hv_error = 1 ]; then
			verdict="CRASH (KVM internal error: the hypervisor cannot run this guest; use TCG)"
		elif [ $status = 124 ]; then
			verdict="TIMEOUT after ${TIMEOUT}s"
		elif [ $status = 0 ]; then
			verdict="CRASH (reset without a summary: triple fault?)"
		else
			verdict="CRASH (status $status, no summary)"
		fi
		f=$((f + 1))
	elif [ "$f" != 0 ] || [ $status != $QEMU_EXIT_PASS ]; then
		verdict="FAIL (status $status)"
		[ "$f" = 0 ] && f=1
	fi
	if [ "$verdict" != ok ]; then
		bad=1
		# The failures and the tail of the serial console.
		tr -d '\r' <"$log" | grep -E -A6 '^not ok ' | head -n 60
		echo "---- last serial lines of $name ($log) ----"
		tr -d '\r' <"$log" | tail -n 25
		echo "----"
	fi
	echo "== $name: $p passed, $f failed, $s skipped, ${secs}s: $verdict"
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
	table+=("$(printf '%-18s %7s %7s %7s %6ss  %s' "$name" "$p" "$f" "$s" "$secs" "$verdict")")
done

echo
printf '%-18s %7s %7s %7s %7s  %s\n' configuration passed failed skipped time verdict
for line in "${table[@]}"; do echo "$line"; done
echo "seed=$seed (replay: make test SEED=$seed)"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $bad
