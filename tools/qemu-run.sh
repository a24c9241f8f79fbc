#!/usr/bin/env bash
# qemu-run.sh [--debug] ISO — boot the report kernel with the serial console
# on this terminal. MACHINE, MEM and SMP choose the machine (default q35,
# 1G, 2 CPUs).
set -uo pipefail
here=$(dirname "$0")
. "$here/qemu-common.sh"
debug=0
if [ "${1:-}" = --debug ]; then debug=1; shift; fi
iso=$1
machine=${MACHINE:-q35}
mem=${MEM:-1G}
smp=${SMP:-2}
args=(-M "$machine" -m "$mem" -smp "$smp" $(qemu_accel "$smp") -cdrom "$iso" $QEMU_DEVICES)
if [ $debug = 1 ]; then
	elf=${iso%.iso}.elf
	# hbreak: the higher-half address is not mapped until the boot stub runs,
	# so a software breakpoint cannot be written there yet.
	echo "QEMU is paused with a gdb stub on :1234. In another terminal:"
	echo "    gdb $elf -ex 'target remote :1234' -ex 'hbreak kernel_main' -ex continue"
	exec qemu-system-x86_64 "${args[@]}" -s -S
fi
timeout "${TIMEOUT:-120}" qemu-system-x86_64 "${args[@]}"
status=$?
case $status in
	$QEMU_EXIT_PASS) exit 0 ;;
	124) echo "qemu-run: timed out after ${TIMEOUT:-120}s" >&2; exit 1 ;;
	0) echo "qemu-run: the guest reset (triple fault?) without reporting" >&2; exit 1 ;;
	*) echo "qemu-run: guest exited with status $status" >&2; exit 1 ;;
esac
