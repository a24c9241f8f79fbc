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

# qemu_no_thp COMMAND...: run COMMAND with transparent huge pages off for it
# and its children (prctl PR_SET_THP_DISABLE, inherited across exec). QEMU
# asks for huge pages on guest RAM (MADV_HUGEPAGE), so on a host whose THP
# is "madvise" or "always" one guest write to an untouched 2 MiB stretch
# costs the host 2 MiB: a test that writes one word into every 4 MiB block
# of a 1 TiB guest would take 512 GiB of host memory instead of 1 GiB. With
# 4 KiB pages the host keeps what the guest touched. Perl (perl-base, on
# every Debian) makes the system call: 157 is SYS_prctl on x86-64, 41
# PR_SET_THP_DISABLE.
qemu_no_thp() {
	perl -e 'syscall(157, 41, 1, 0, 0, 0) == 0 or die "prctl(PR_SET_THP_DISABLE): $!\n"; exec @ARGV or die "exec $ARGV[0]: $!\n"' "$@"
}

# isa-debug-exit turns the value v the kernel writes into exit status 2v+1.
QEMU_EXIT_PASS=33  # 0x10: report done / all tests passed
QEMU_EXIT_FAIL=35  # 0x11: tests failed
QEMU_EXIT_PANIC=37 # 0x12: panic outside a test
QEMU_DEVICES="-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -no-reboot -serial stdio -monitor none"
