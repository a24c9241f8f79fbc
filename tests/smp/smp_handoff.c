/* SPDX-License-Identifier: MIT */
/*
 * The handoff rings: one small locked ring per CPU (in its worker), into
 * which the CPU before it passes objects it allocated; the owner verifies
 * and frees them (a cross-CPU free: the slab's per-CPU arrays and the
 * per-CPU frame lists of the freeing CPU get another CPU's memory). The
 * lock is the port's spinlock, so the same code runs on the host and in
 * the kernel.
 */
#include "smp_stress.h"

bool smp_handoff_put(unsigned int from, const struct obj *o)
{
	struct handoff_ring *r = &smp_worker_of((from + 1) % mm_port_cpu_count())->handoff;
	unsigned long flags = mm_port_lock_irqsave(&r->lock);
	bool ok = r->count < HANDOFF_SLOTS;

	if (ok)
		r->slots[(r->head + r->count++) % HANDOFF_SLOTS] = *o;
	mm_port_unlock_irqrestore(&r->lock, flags);
	return ok;
}

bool smp_handoff_take(unsigned int cpu, struct obj *o)
{
	struct handoff_ring *r = &smp_worker_of(cpu)->handoff;
	unsigned long flags = mm_port_lock_irqsave(&r->lock);
	bool ok = r->count != 0;

	if (ok) {
		*o = r->slots[r->head];
		r->head = (r->head + 1) % HANDOFF_SLOTS;
		r->count--;
	}
	mm_port_unlock_irqrestore(&r->lock, flags);
	return ok;
}
