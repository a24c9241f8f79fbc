# Sourced by the QEMU launchers. The accelerator: TCG unless KVM=1 asks for
# KVM and /dev/kvm is usable (the nested KVM on our CI machines is ~40x
# slower than TCG, so it is opt-in). qemu_accel N: for a guest of N CPUs;
# above 1, TCG runs one host thread per CPU (thread=multi), so they really
# run at the same time.
qemu_accel() {
	local tcg=tcg
	if [ "${1:-1}" -gt 1 ]; then tcg=tcg,thread=multi; fi
	if [ "${KVM:-0}" = 1 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		# QEMU tries them in order: TCG if KVM fails to start.
		echo "-accel kvm -accel $tcg"
	else
		echo "-accel $tcg"
	fi
}

# The N of "-smp N" in a QEMU argument string; 1 without one.
qemu_smp_of() {
	local n
	n=$(sed -n 's/.*-smp \([0-9][0-9]*\).*/\1/p' <<<"$1")
	echo "${n:-1}"
}

# isa-debug-exit turns the value v the kernel writes into exit status 2v+1.
QEMU_EXIT_PASS=33  # 0x10: report done / all tests passed
QEMU_EXIT_FAIL=35  # 0x11: tests failed
QEMU_EXIT_PANIC=37 # 0x12: panic outside a test
QEMU_DEVICES="-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -no-reboot -serial stdio -monitor none"
