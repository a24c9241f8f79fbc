/* SPDX-License-Identifier: MIT */
/*
 * The periodic tick: the local APIC timer of every CPU at TIMER_HZ, counted
 * per CPU, with one hook for work that must run on a tick.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdint.h>

#define TIMER_HZ 1000

/*
 * Installs fn to run on every tick of every CPU, from the interrupt
 * handler (interrupts off, on the interrupted stack, the EOI not yet
 * sent); NULL (the default) removes it. fn must be short and must not
 * wait for another CPU. Returns the hook it replaced.
 */
void (*timer_set_hook(void (*fn)(void)))(void);

/* Starts this CPU's timer (lapic_timer_calibrate() must have run). */
void timer_start_this_cpu(void);

/* Ticks CPU cpu has taken since its timer started. */
uint64_t timer_ticks(unsigned int cpu);

/* Called by irq_dispatch() on IRQ_VEC_TIMER. */
void timer_tick(void);

#endif
