/* SPDX-License-Identifier: MIT */
#include "percpu.h"

#include <mm/port.h>

#include <stdbool.h>

#include "cpu.h"
#include "kstring.h"
#include "panic.h"

_Static_assert(SMP_MAX_CPUS <= MM_MAX_CPUS, "mm/ must index every CPU");

static struct percpu cpus[SMP_MAX_CPUS];
/* Written by the BSP only; read by every CPU (acquire: a counted CPU's
 * struct is complete). */
static unsigned int cpu_count = 1;
/* GS.base is set on every CPU that runs code (the BSP, then each AP
 * first thing): this_cpu_id() works once this is true. */
static bool ready;

void percpu_load(struct percpu *pc)
{
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)pc);
}

void percpu_init_bsp(void)
{
	cpus[0].self = &cpus[0];
	cpus[0].cpu_id = 0;
	percpu_load(&cpus[0]);
	__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
}

struct percpu *percpu_prepare_next(uint32_t apic_id)
{
	unsigned int n = percpu_cpu_count();

	if (n == SMP_MAX_CPUS)
		return NULL;
	memset(&cpus[n], 0, sizeof(cpus[n]));
	cpus[n].self = &cpus[n];
	cpus[n].cpu_id = n;
	cpus[n].apic_id = apic_id;
	return &cpus[n];
}

void percpu_count_next(void)
{
	__atomic_store_n(&cpu_count, cpu_count + 1, __ATOMIC_RELEASE);
}

unsigned int percpu_cpu_count(void)
{
	return __atomic_load_n(&cpu_count, __ATOMIC_ACQUIRE);
}

struct percpu *percpu_of(unsigned int cpu)
{
	if (cpu >= percpu_cpu_count())
		panic("percpu_of: cpu %u is not running (%u CPUs)", cpu,
		      percpu_cpu_count());
	return &cpus[cpu];
}

bool percpu_ready(void)
{
	return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

unsigned int this_cpu_id_early(void)
{
	return percpu_ready() ? this_cpu_id() : 0;
}
