# Sourced by the QEMU launchers. The accelerator: TCG unless KVM=1 asks for
# KVM and /dev/kvm is usable (the nested KVM on our CI machines is ~40x
# slower than TCG, so it is opt-in).
qemu_accel() {
	if [ "${KVM:-0}" = 1 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		# QEMU tries them in order: TCG if KVM fails to start.
		echo "-accel kvm -accel tcg"
	else
		echo "-accel tcg"
	fi
}

# isa-debug-exit turns the value v the kernel writes into exit status 2v+1.
QEMU_EXIT_PASS=33  # 0x10: report done / all tests passed
QEMU_EXIT_FAIL=35  # 0x11: tests failed
QEMU_EXIT_PANIC=37 # 0x12: panic outside a test
QEMU_DEVICES="-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -no-reboot -serial stdio -monitor none"
