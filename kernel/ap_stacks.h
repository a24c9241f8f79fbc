/* SPDX-License-Identifier: MIT */
/*
 * The application processors' stacks: one block of RAM carved out of the
 * boot memory map before mm_init() and added to its reservations, so mm/
 * never hands it out and no mm/ call is needed to start a CPU. Sized by
 * the CPUs the MADT lists, so a one-CPU machine gives up nothing.
 */
#ifndef KERNEL_AP_STACKS_H
#define KERNEL_AP_STACKS_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"
#include "gdt.h"

#define AP_STACK_SIZE (16 * 1024)
#define AP_IST_SIZE (4 * 1024) /* #DF, NMI, #MC: a report and a panic */
/* Kept out of ZONE_DMA, which is for devices. */
#define AP_STACKS_MIN_PHYS (16ull << 20)

struct ap_stacks {
	uint8_t stack[AP_STACK_SIZE];
	uint8_t ist[IST_COUNT][AP_IST_SIZE];
};

/*
 * Reserves stacks for n APs in the highest usable RAM at or above
 * AP_STACKS_MIN_PHYS that no reservation covers, recording the
 * reservation in bi (as "AP stacks"). Returns how many APs got stacks: n,
 * or 0 (logged) when no free range is big enough or bi's reservation list
 * is full.
 */
unsigned int ap_stacks_reserve(struct boot_info *bi, unsigned int n);

/* The stacks of CPU cpu (1 .. the n reserved). */
struct ap_stacks *ap_stacks_of(unsigned int cpu);

/* True if va lies in the reserved block (stack traces may read it). */
bool ap_stacks_contain(uint64_t va);

#endif
