#!/usr/bin/env bash
# mkiso.sh KERNEL.elf OUT.iso [CMDLINE] — a BIOS GRUB ISO that boots KERNEL
# with multiboot2 and the given kernel command line.
set -euo pipefail
elf=$1 iso=$2 cmdline=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/boot/grub"
cp "$elf" "$work/boot/mm64.elf"
# Single quotes keep GRUB from expanding $ in memmap=SIZE$ADDR.
quoted=""
for word in $cmdline; do
	quoted+=" '${word//\'/}'"
done
cat > "$work/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "mm64" {
	multiboot2 /boot/mm64.elf$quoted
	boot
}
CFG
mkdir -p "$(dirname "$iso")"
# grub-mkrescue is chatty on success; show its output only on failure.
if ! out=$(grub-mkrescue -o "$iso.tmp" "$work" 2>&1); then
	echo "$out" >&2
	exit 1
fi
mv "$iso.tmp" "$iso"
