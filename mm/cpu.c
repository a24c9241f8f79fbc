/* SPDX-License-Identifier: MIT */
/*
 * The CPUs mm/ serves: how many the port runs, which of them are online,
 * the check on an id (core.h), and CPUs coming and going (mm/init.h).
 */
#include "build.h"

#include <mm/init.h>
#include <mm/page_alloc.h>

#include "core.h"
#include "page/node.h"
#include "page/pcp.h"
#include "page/zone.h"
#include "slab/slab.h"

uint64_t mm_cpus_dead;

/* Cross-CPU calls on their way to each CPU (mm_call_on_online_cpu). */
static struct {
	uint32_t n;
} __attribute__((aligned(MM_CACHE_LINE))) calls_in_flight[MM_MAX_CPUS];

static uint64_t cpu_bit(unsigned int cpu)
{
	return 1ull << cpu;
}

unsigned int mm_cpus_running(void)
{
	unsigned int n = mm_port_cpu_count();

	if (n == 0 || n > MM_MAX_CPUS)
		mm_panic("mm_port_cpu_count: %u CPUs (the port must say 1..%d)", n,
			 MM_MAX_CPUS);
	return n;
}

void mm_bad_cpu_id(unsigned int cpu)
{
	if (cpu >= MM_MAX_CPUS)
		mm_panic("mm_port_cpu_id: CPU id %u (ids are below MM_MAX_CPUS, %d)",
			 cpu, MM_MAX_CPUS);
	mm_panic("mm_port_cpu_id: CPU %u is not online (mm_cpu_dead gave its "
		 "lists back)", cpu);
}

bool mm_call_on_online_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	/* Dekker with mm_cpu_dead: count ourselves in, then look at the bit;
	 * it sets the bit, then looks at the count (both sequentially
	 * consistent), so one of us sees the other. */
	__atomic_fetch_add(&calls_in_flight[cpu].n, 1, __ATOMIC_SEQ_CST);
	bool online = !((__atomic_load_n(&mm_cpus_dead, __ATOMIC_SEQ_CST) >> cpu) & 1);
	if (online)
		mm_port_call_on_cpu(cpu, fn, arg);
	__atomic_fetch_sub(&calls_in_flight[cpu].n, 1, __ATOMIC_RELEASE);
	return online;
}

void mm_cpus_reset(void)
{
	__atomic_store_n(&mm_cpus_dead, 0, __ATOMIC_RELAXED);
	/* a host test that panicked inside a call left its count behind */
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		__atomic_store_n(&calls_in_flight[c].n, 0, __ATOMIC_RELAXED);
}

void mm_check_task_context(const char *fn)
{
	if (mm_port_in_interrupt())
		mm_panic("%s: called in an interrupt handler (task context only: "
			 "it waits for other CPUs or for their calls)", fn);
}

static void check_hotplug_id(const char *fn, unsigned int cpu)
{
	unsigned int n = mm_cpus_running();

	if (cpu >= n)
		mm_panic("%s: CPU %u, but the port runs %u CPUs", fn, cpu, n);
	mm_check_task_context(fn);
}

void mm_cpu_online(unsigned int cpu)
{
	check_hotplug_id("mm_cpu_online", cpu);
	mm_node_cpu_online(cpu);
	__atomic_fetch_and(&mm_cpus_dead, ~cpu_bit(cpu), __ATOMIC_RELEASE);
	mm_zone_set_pcp_limits(mm_cpus_running());
}

void mm_cpu_dead(unsigned int cpu)
{
	check_hotplug_id("mm_cpu_dead", cpu);
	if (cpu == mm_port_cpu_id())
		mm_panic("mm_cpu_dead: CPU %u is the calling CPU", cpu);
	uint64_t was = __atomic_fetch_or(&mm_cpus_dead, cpu_bit(cpu), __ATOMIC_SEQ_CST);
	if (was & cpu_bit(cpu))
		mm_panic("mm_cpu_dead: CPU %u is not online", cpu);
	/* No new call reaches cpu now; those already on their way finish
	 * (the port answers them: cpu still takes its calls until we return). */
	while (__atomic_load_n(&calls_in_flight[cpu].n, __ATOMIC_ACQUIRE))
		;
	/* cpu runs no mm code any more, so its lists and arrays are ours. */
	mm_pcp_drain_dead_cpu(cpu);
	mm_slab_release_dead_cpu(cpu);
}
