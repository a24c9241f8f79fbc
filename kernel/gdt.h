/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own GDT (replacing the boot stub's) with a 64-bit TSS, whose
 * interrupt stack table gives #DF (and NMI, #MC) a known-good stack: a
 * kernel stack overflow then reports a double fault instead of
 * triple-faulting.
 */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_TSS 0x18

/* IST slots (1-based, as in the IDT gate). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

#define IST_COUNT 3

#include <stdint.h>

/* Loads the GDT and the TSS on this CPU (the BSP). */
void gdt_init(void);

/* The same for CPU cpu (an AP, on itself), whose IST stacks (slots 1..3)
 * end at ist_top[0..2]. */
void gdt_init_cpu(unsigned int cpu, const uint64_t ist_top[IST_COUNT]);

#endif
