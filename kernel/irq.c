/* SPDX-License-Identifier: MIT */
#include "irq.h"

#include "lapic.h"
#include "panic.h"
#include "percpu.h"
#include "smp_call.h"
#include "timer.h"

static unsigned long spurious;

void irq_dispatch(struct exception_frame *f)
{
	struct percpu *me = this_cpu();

	me->irq_depth++; /* mm_port_in_interrupt() */
	switch (f->vector) {
	case IRQ_VEC_TIMER:
		timer_tick();
		lapic_eoi();
		break;
	case IRQ_VEC_CALL:
		/* EOI first: a call queued while these run sends another
		 * IPI, which must not be lost as already in service. */
		lapic_eoi();
		smp_call_run_queued();
		break;
	case IRQ_VEC_SPURIOUS:
		__atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
		break;
	default:
		panic("irq_dispatch: vector %lu has no handler",
		      (unsigned long)f->vector);
	}
	me->irq_depth--;
}

unsigned long irq_spurious_count(void)
{
	return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}
