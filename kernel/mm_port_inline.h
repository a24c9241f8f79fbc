/* SPDX-License-Identifier: MIT */
/*
 * This kernel's per-CPU hooks for mm/, inline (include/mm/port.h,
 * MM_PORT_INLINE): interrupts off/on with pushfq/cli and popfq, the CPU
 * number from the per-CPU area at %gs.
 */
#ifndef KERNEL_MM_PORT_INLINE_H
#define KERNEL_MM_PORT_INLINE_H

#include "percpu.h"

static inline unsigned long mm_port_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void mm_port_irq_restore(unsigned long irq_state)
{
	/* popfq puts IF back as it was; the other flags are unchanged. */
	__asm__ volatile("pushq %0; popfq" : : "r"(irq_state) : "memory", "cc");
}

static inline unsigned int mm_port_cpu_id(void)
{
	return this_cpu_id();
}

/* irq_dispatch keeps the depth (kernel/irq.c). */
static inline bool mm_port_in_interrupt(void)
{
	return this_cpu_irq_depth() != 0;
}

#endif
