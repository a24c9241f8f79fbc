/* SPDX-License-Identifier: MIT */
/*
 * The host port's per-CPU hooks, inline (include/mm/port.h, MM_PORT_INLINE).
 * A host process has no interrupts to mask; the "CPU" is a thread-local
 * number that tests set with host_set_cpu().
 */
#ifndef MM_PORT_HOST_INLINE_H
#define MM_PORT_HOST_INLINE_H

extern _Thread_local unsigned int mm_host_cpu;

static inline unsigned long mm_port_irq_save(void)
{
	return 0;
}

static inline void mm_port_irq_restore(unsigned long irq_state)
{
	(void)irq_state;
}

static inline unsigned int mm_port_cpu_id(void)
{
	return mm_host_cpu;
}

#endif
