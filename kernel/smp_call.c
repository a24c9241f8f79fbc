/* SPDX-License-Identifier: MIT */
#include "smp_call.h"

#include <mm/port.h>

#include "cpu.h"
#include "irq.h"
#include "lapic.h"
#include "panic.h"
#include "percpu.h"
#include "tsc.h"

#define MS 1000000ull

/* queue[c]: pushed by anyone (CAS on the head), taken whole by CPU c. */
static struct smp_call *queue[SMP_MAX_CPUS];

void smp_call_async(unsigned int cpu, struct smp_call *c,
		    void (*fn)(void *), void *arg)
{
	unsigned int n = percpu_cpu_count();

	if (cpu >= n)
		panic("smp_call: cpu %u is not running (%u CPUs)", cpu, n);
	if (!fn)
		panic("smp_call: NULL function for cpu %u", cpu);
	c->fn = fn;
	c->arg = arg;
	c->cpu = cpu;
	__atomic_store_n(&c->done, 0, __ATOMIC_RELAXED);
	struct smp_call *head = __atomic_load_n(&queue[cpu], __ATOMIC_RELAXED);
	do
		c->next = head;
	while (!__atomic_compare_exchange_n(&queue[cpu], &head, c, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	/* To this CPU too: the call then runs as soon as interrupts are on
	 * (or at the next smp_call_wait()). */
	if (!lapic_send_ipi(percpu_of(cpu)->apic_id, ICR_FIXED | IRQ_VEC_CALL))
		panic("smp_call: the APIC did not send the IPI to cpu %u", cpu);
}

int smp_call_done(const struct smp_call *c)
{
	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

void smp_call_wait(struct smp_call *c)
{
	uint64_t end = tsc_now_ns() + SMP_CALL_TIMEOUT_MS * MS;

	while (!smp_call_done(c)) {
		smp_call_run_queued(); /* see the deadlock rule in the header */
		if (tsc_now_ns() > end)
			panic("smp_call: cpu %u did not run the call in %d ms",
			      c->cpu, SMP_CALL_TIMEOUT_MS);
		cpu_relax();
	}
}

void smp_call(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct smp_call c;

	smp_call_async(cpu, &c, fn, arg);
	smp_call_wait(&c);
}

unsigned int smp_call_all_others(void (*fn)(void *), void *arg)
{
	struct smp_call calls[SMP_MAX_CPUS];
	unsigned int me = this_cpu_id(), n = percpu_cpu_count(), sent = 0;

	for (unsigned int c = 0; c < n; c++)
		if (c != me)
			smp_call_async(c, &calls[c], fn, arg);
	for (unsigned int c = 0; c < n; c++)
		if (c != me) {
			smp_call_wait(&calls[c]);
			sent++;
		}
	return sent;
}

void smp_call_run_queued(void)
{
	unsigned long flags = mm_port_irq_save();
	struct smp_call *list = __atomic_exchange_n(&queue[this_cpu_id()], NULL,
						    __ATOMIC_ACQUIRE);
	struct smp_call *fifo = NULL;

	while (list) { /* pushed last-first: reverse, to run in order */
		struct smp_call *next = list->next;
		list->next = fifo;
		fifo = list;
		list = next;
	}
	while (fifo) {
		/* Read next first: once done is set the caller may reuse *c. */
		struct smp_call *c = fifo, *next = c->next;
		c->fn(c->arg);
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
		fifo = next;
	}
	mm_port_irq_restore(flags);
}
