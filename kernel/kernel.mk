# The kernel. KERNEL_SRCS: both kernel builds. HOSTABLE_SRCS: hardware-free
# code that also builds (and is tested) on the host. KERNEL_RUN_SRCS: only the
# report kernel. KERNEL_TEST_SRCS: only the test kernel.
# ktest_jmp.asm (ktest_setjmp/longjmp) is only called by the test kernel.
KERNEL_ASM += kernel/isr.asm kernel/ktest_jmp.asm kernel/ap_boot.asm
KERNEL_SRCS += kernel/main.c kernel/serial.c kernel/printk.c kernel/string.c \
	kernel/panic.c kernel/shutdown.c kernel/gdt.c kernel/idt.c \
	kernel/paging.c kernel/directmap.c kernel/tsc.c kernel/percpu.c \
	kernel/mm_port.c kernel/ksyms.c
# ACPI through the direct map; the NUMA topology read at boot.
KERNEL_SRCS += kernel/acpi_boot.c kernel/numa_boot.c
# SMP and interrupts: local APIC, AP start-up, the tick, cross-CPU calls.
KERNEL_SRCS += kernel/lapic.c kernel/smp.c kernel/ap_stacks.c kernel/smp_call.c kernel/smp_task.c kernel/irq.c \
	kernel/timer.c
# Boot information (multiboot2, memory map, command line): hardware-free.
HOSTABLE_SRCS += kernel/mb2.c kernel/memmap.c kernel/cmdline.c kernel/bootinfo.c
KERNEL_RUN_SRCS += kernel/run.c kernel/run_smp.c
KERNEL_TEST_SRCS += kernel/test_main.c kernel/ktest_kernel.c kernel/test_confine.c
# Kernel-only tests (hardware: exceptions, the direct map, the console).
TESTS_KERNEL += tests/kernel/test_printk.c tests/kernel/test_string.c \
	tests/kernel/test_exceptions.c tests/kernel/test_panic.c \
	tests/kernel/test_directmap.c tests/kernel/test_reservations.c \
	tests/kernel/test_port.c tests/kernel/test_ksyms.c \
	tests/kernel/test_smp.c tests/kernel/test_numa_boot.c
include kernel/bootinfo.mk
