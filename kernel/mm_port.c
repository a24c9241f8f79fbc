/* SPDX-License-Identifier: MIT */
/*
 * The kernel's implementation of include/mm/port.h.
 *
 * Locks are test-and-set spinlocks that turn interrupts off while held
 * (pushfq/cli, then popfq on unlock): the local APIC timer and cross-CPU
 * calls interrupt every CPU (kernel/irq.h). CPUs: those kernel/smp.c
 * started, all counted before mm_init() (kernel/percpu.h).
 */
#include <mm/port.h>

#include "cpu.h"
#include "layout.h"
#include "numa.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "smp_call.h"
#include "tsc.h"

uintptr_t mm_port_direct_map_offset = DIRECT_MAP_BASE;

/* mm_port_irq_save/restore and mm_port_cpu_id are inline:
 * kernel/mm_port_inline.h (the Makefile builds with MM_PORT_INLINE). */

unsigned long mm_port_lock_irqsave(mm_spinlock_t *lock)
{
	unsigned long flags = mm_port_irq_save();

	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			cpu_relax();
	return flags;
}

void mm_port_unlock_irqrestore(mm_spinlock_t *lock, unsigned long irq_state)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	mm_port_irq_restore(irq_state);
}

unsigned int mm_port_cpu_count(void)
{
	return percpu_cpu_count();
}

/* NUMA: the SRAT's node of the CPU's APIC id and the SLIT's distance
 * (kernel/numa.h; one node, 10/20, without them). */
unsigned int mm_port_cpu_node(unsigned int cpu)
{
	const struct percpu *pc = percpu_of(cpu);

	return pc ? numa_node_of_apic(numa_topology(), pc->apic_id) : 0;
}

unsigned int mm_port_node_distance(unsigned int a, unsigned int b)
{
	const struct numa_info *numa = numa_topology();

	if (a >= numa->nodes || b >= numa->nodes)
		return a == b ? 10 : 20;
	return numa->distance[a][b];
}

/* A cross-CPU call (kernel/smp_call.h): fn runs with interrupts off on cpu,
 * from its IPI handler, or from this CPU's own wait when cpu is this CPU;
 * the wait runs the calls sent to this CPU meanwhile. */
void mm_port_call_on_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	smp_call(cpu, fn, arg);
}

uint64_t mm_port_now_ns(void)
{
	return tsc_now_ns();
}

void mm_port_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

_Noreturn void mm_port_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_at(file, line, fmt, ap);
}
