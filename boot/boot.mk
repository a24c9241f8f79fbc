# Boot stub (NASM): multiboot2 header, 32-bit entry, long mode.
BOOT_ASM += boot/boot.asm
