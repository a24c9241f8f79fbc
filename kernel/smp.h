/* SPDX-License-Identifier: MIT */
/*
 * Multiprocessor start-up and stop. smp_init() reads the MADT, enables the
 * BSP's local APIC and its timer, and starts every enabled application
 * processor with INIT-SIPI-SIPI through the real-mode trampoline in
 * kernel/ap_boot.asm, one at a time. Each AP gets cpu id = the number of
 * CPUs running before it (dense, 0 is the BSP), its own stack and IST
 * stacks (kernel/ap_stacks.h), GDT and TSS, the shared IDT, its APIC and timer; then it waits in an
 * `sti; hlt` loop for its timer and for smp_call()s.
 *
 * Anything that goes wrong (no ACPI, a malformed MADT, no APIC, the
 * trampoline page not free) is logged and the kernel runs on the CPUs it
 * has: at least the BSP. An AP that does not report in within
 * AP_START_TIMEOUT_MS is reported ("cpu N (APIC id X) did not start"), put
 * back to sleep with INIT, and not counted.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"

struct percpu;

/* Where the trampoline is copied: a page below 1 MiB (the low 1 MiB is
 * reserved from mm/, kernel/bootinfo.c) that firmware leaves free. */
#define AP_TRAMPOLINE_PHYS 0x8000ull
#define AP_START_TIMEOUT_MS 2000

/* BSP, once, after the direct map is complete and before mm_init(), so
 * mm/ sees the final CPU count from its first call. Adds the APs' stacks
 * to bi's reservations (kernel/ap_stacks.h). */
void smp_init(struct boot_info *bi);

/* Enabled CPUs the MADT listed (0: no usable MADT). */
unsigned int smp_madt_cpus(void);

/* "N CPUs running (APIC ids a b c ...)" on the console. */
void smp_report(void);

/* ---- stopping (the panic path) ---- */

/* Sends an NMI to every other CPU, which stops it for good (cli; hlt), and
 * waits up to a few milliseconds for them to say so. Returns at once if
 * only one CPU runs. */
void smp_stop_others(void);

/* True once smp_stop_others() has begun: an NMI then means "stop". */
bool smp_stopping(void);

_Noreturn void smp_stop_this_cpu(void);

/* ap_boot.asm's target, on the AP's own stack. */
_Noreturn void kernel_ap_main(struct percpu *pc);

#endif
