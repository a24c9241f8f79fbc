/* SPDX-License-Identifier: MIT */
#include "timer.h"

#include "irq.h"
#include "lapic.h"
#include "percpu.h"

static void (*hook)(void);

void (*timer_set_hook(void (*fn)(void)))(void)
{
	return __atomic_exchange_n(&hook, fn, __ATOMIC_ACQ_REL);
}

void timer_start_this_cpu(void)
{
	lapic_timer_start(TIMER_HZ, IRQ_VEC_TIMER);
}

uint64_t timer_ticks(unsigned int cpu)
{
	return __atomic_load_n(&percpu_of(cpu)->timer_ticks, __ATOMIC_RELAXED);
}

void timer_tick(void)
{
	struct percpu *me = this_cpu();
	void (*fn)(void) = __atomic_load_n(&hook, __ATOMIC_ACQUIRE);

	/* Only this CPU writes its count; others read it. */
	__atomic_store_n(&me->timer_ticks, me->timer_ticks + 1,
			 __ATOMIC_RELAXED);
	if (fn)
		fn();
}
