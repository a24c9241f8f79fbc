/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through GS: GS.base points at this CPU's struct
 * percpu. CPU ids are dense, 0 .. percpu_cpu_count() - 1, in the order the
 * CPUs came up: 0 is the bootstrap processor, then the application
 * processors kernel/smp.c started.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "madt.h" /* SMP_MAX_CPUS */
#include "smp_call.h"

struct percpu {
	struct percpu *self; /* at offset 0, so %gs:0 is this struct */
	uint32_t cpu_id;
	uint32_t apic_id;
	int exception_depth;  /* kernel/idt.c: a fault while reporting one */
	uint64_t timer_ticks; /* kernel/timer.c; written by this CPU only */
	uint32_t irq_depth;   /* kernel/irq.c: inside an interrupt handler */
	/* kernel/smp_task.c: work for this AP's idle loop */
	void (*task_fn)(void *arg);
	void *task_arg;
	struct smp_call task_wake;
};

/* Sets GS.base on the BSP. Before it, this_cpu_id() faults. */
void percpu_init_bsp(void);

/* The struct of the next CPU to come up (id percpu_cpu_count()), cleared,
 * its cpu_id and apic_id set; NULL when SMP_MAX_CPUS are running. */
struct percpu *percpu_prepare_next(uint32_t apic_id);

/* Points GS.base at pc on the calling CPU (an AP that is starting). */
void percpu_load(struct percpu *pc);

/* Counts the CPU percpu_prepare_next() set up: from now on mm/ and every
 * walk over the CPUs include it. Called by the BSP once the AP reported in
 * and before it is let go, so no CPU runs uncounted code. */
void percpu_count_next(void);

/* The number of CPUs running (1 .. SMP_MAX_CPUS). */
unsigned int percpu_cpu_count(void);

/* CPU cpu's struct; panics if cpu is not running. */
struct percpu *percpu_of(unsigned int cpu);

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int this_cpu_id(void)
{
	uint32_t id;

	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(id)
			 : "i"(offsetof(struct percpu, cpu_id)));
	return id;
}

/* This CPU's interrupt depth (kernel/irq.c), one %gs load. */
static inline uint32_t this_cpu_irq_depth(void)
{
	uint32_t depth;

	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(depth)
			 : "i"(offsetof(struct percpu, irq_depth)));
	return depth;
}

/* True once percpu_init_bsp() ran: GS is then valid on every CPU that
 * runs kernel code (each AP loads it first thing). */
bool percpu_ready(void);

/* this_cpu_id(), or 0 before percpu_init_bsp() (for the panic path). */
unsigned int this_cpu_id_early(void);

#endif
