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

#ifndef HOST_TLS
/* The host port's thread-locals: local-exec (the host builds are
 * executables), so each is one %fs load, as this kernel's %gs loads are. */
#define HOST_TLS _Thread_local __attribute__((tls_model("local-exec")))
#endif

extern HOST_TLS unsigned int mm_host_cpu;

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
extern HOST_TLS volatile unsigned long host_irq_off;
extern HOST_TLS volatile unsigned long host_irq_pending;
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

/* Set by the interrupt signal's handler and by tests that play one
 * (tests/host/host_cpu.c); the benchmarks read it too, as a port with
 * interrupts would. */
extern HOST_TLS volatile bool host_in_interrupt;
static inline bool mm_port_in_interrupt(void)
{
	return host_in_interrupt;
}

#endif
