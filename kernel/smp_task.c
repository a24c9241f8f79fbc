/* SPDX-License-Identifier: MIT */
/* Tasks for the APs' idle loops (kernel/smp_task.h). */
#include "smp_task.h"

#include "cpu.h"
#include "panic.h"
#include "percpu.h"
#include "smp_call.h"

/* The wake-up call: the IPI itself is the point, it ends the AP's hlt. */
static void wake(void *arg)
{
	(void)arg;
}

void smp_task_start(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct percpu *pc = percpu_of(cpu);

	if (cpu == this_cpu_id())
		panic("smp_task_start: CPU %u is this CPU", cpu);
	if (__atomic_load_n(&pc->task_fn, __ATOMIC_ACQUIRE))
		panic("smp_task_start: CPU %u already has a task", cpu);
	pc->task_arg = arg;
	__atomic_store_n(&pc->task_fn, fn, __ATOMIC_RELEASE);
	smp_call_async(cpu, &pc->task_wake, wake, NULL);
}

void smp_task_wait(unsigned int cpu)
{
	struct percpu *pc = percpu_of(cpu);

	smp_call_wait(&pc->task_wake);
	while (__atomic_load_n(&pc->task_fn, __ATOMIC_ACQUIRE)) {
		smp_call_run_queued();
		cpu_relax();
	}
}

void smp_task_run_posted(void)
{
	struct percpu *pc = this_cpu();
	void (*fn)(void *) = __atomic_load_n(&pc->task_fn, __ATOMIC_ACQUIRE);

	if (!fn)
		return;
	sti();
	fn(pc->task_arg);
	cli();
	__atomic_store_n(&pc->task_fn, NULL, __ATOMIC_RELEASE);
}
