/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through GS: GS.base points at this CPU's struct
 * percpu. Only the bootstrap processor runs: application processors are not
 * started (an -smp 2 guest leaves CPU 1 waiting for its start-up IPI), so
 * there is one struct and cpu_count is 1.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stddef.h>
#include <stdint.h>

struct percpu {
	struct percpu *self; /* at offset 0, so %gs:0 is this struct */
	uint32_t cpu_id;
};

/* Sets GS.base on the BSP. Before it, this_cpu_id() faults. */
void percpu_init_bsp(void);

unsigned int percpu_cpu_count(void);

static inline unsigned int this_cpu_id(void)
{
	uint32_t id;

	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(id)
			 : "i"(offsetof(struct percpu, cpu_id)));
	return id;
}

#endif
