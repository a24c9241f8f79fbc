/* SPDX-License-Identifier: MIT */
/*
 * The host port's per-CPU hooks, inline (include/mm/port.h, MM_PORT_INLINE).
 * The "CPU" is a thread-local number: set by host_set_cpu() when one thread
 * plays every CPU, fixed by host_cpu_thread_enter() when a thread is a CPU.
 *
 * Interrupts are modelled per thread (tests/host/host_cpu.c): "off" is a
 * thread-local flag that the interrupt signal's handler reads; an interrupt
 * that finds them off is left pending and run when mm_port_irq_restore()
 * turns them back on. A signal runs on the thread it interrupts, so a
 * compiler barrier (not a fence) orders the flag against the guarded code.
 *
 * HOST_PORT_NO_IRQ (the benchmarks, which have no interrupts): the hooks
 * cost nothing, as on a port without interrupts.
 */
#ifndef MM_PORT_HOST_INLINE_H
#define MM_PORT_HOST_INLINE_H

extern _Thread_local unsigned int mm_host_cpu;

#ifdef HOST_PORT_NO_IRQ
static inline unsigned long mm_port_irq_save(void)
{
	return 0;
}

static inline void mm_port_irq_restore(unsigned long irq_state)
{
	(void)irq_state;
}
#else
extern _Thread_local volatile unsigned long host_irq_off;
extern _Thread_local volatile unsigned long host_irq_pending;
void host_irq_run_pending(void);

static inline unsigned long mm_port_irq_save(void)
{
	unsigned long was = host_irq_off;

	host_irq_off = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return was;
}

static inline void mm_port_irq_restore(unsigned long irq_state)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	host_irq_off = irq_state;
	/* An interrupt that came while they were off runs now. */
	if (!irq_state && host_irq_pending)
		host_irq_run_pending();
}
#endif

static inline unsigned int mm_port_cpu_id(void)
{
	return mm_host_cpu;
}

#endif
