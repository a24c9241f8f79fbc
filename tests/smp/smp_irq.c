/* SPDX-License-Identifier: MIT */
/*
 * The timer interrupt's work: what a driver's interrupt handler does with
 * memory. Each tick allocates into a slot of the CPU's interrupt-side
 * stash, or verifies and frees what is there: frames of order 0 and 1,
 * kmalloc, the shared cache, a contigmalloc M_NOWAIT, all GFP_ATOMIC (a
 * mask that may reclaim panics here in debug builds). Only this CPU's
 * interrupts touch its stash until the timer is stopped.
 */
#include "smp_stress.h"

static uint64_t irq_tag(struct worker *w)
{
	return (uint64_t)w->cpu << 56 | 1ull << 48 | (w->irq_serial++ & 0xffffffffffull);
}

void smp_irq_work(unsigned int cpu)
{
	struct worker *w = smp_worker_of(cpu);
	uint64_t r = smp_rand(&w->irq_rng);
	struct obj *o = &w->stash[r % STASH_SLOTS];
	gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN | ((r >> 8) & 1 ? __GFP_ZERO : 0);
	struct page *pg;
	void *p = NULL;

	if (w->irq_stopped)
		return;
	w->irq_ticks++;
	if (o->kind) {
		smp_free(w, o, "interrupt");
		return;
	}
	switch ((r >> 9) % 4) {
	case 0:
		if ((pg = alloc_pages(gfp, (unsigned int)(r >> 11) & 1))) {
			p = page_address(pg);
			*o = (struct obj){ p, PAGE_SIZE << ((r >> 11) & 1), 0, NULL,
					   OBJ_PAGES, (uint8_t)((r >> 11) & 1) };
		}
		break;
	case 1:
		if ((p = kmalloc(16 + (r >> 11) % 600, gfp)))
			*o = (struct obj){ p, 16 + (r >> 11) % 600, 0, NULL, OBJ_KMALLOC, 0 };
		break;
	case 2:
		if ((p = kmem_cache_alloc(smp_shared_cache, gfp)))
			*o = (struct obj){ p, SMP_SHARED_SIZE, 0, smp_shared_cache,
					   OBJ_CACHE, 0 };
		break;
	default:
		gfp = (r >> 8) & 1 ? M_ZERO : 0;
		if ((p = contigmalloc(PAGE_SIZE, M_SMP, M_NOWAIT | (int)gfp, 0, 4ull << 30,
				      PAGE_SIZE, 0)))
			*o = (struct obj){ p, PAGE_SIZE, 0, NULL, OBJ_CONTIG, 0 };
		break;
	}
	if (!p) {
		w->nulls++;
		return;
	}
	o->tag = irq_tag(w);
	if ((r >> 8) & 1)
		smp_check_zero(w, o, "interrupt __GFP_ZERO");
	smp_stamp(o);
}

void smp_irq_finish(struct worker *w)
{
	w->irq_stopped = true; /* a tick already on its way does nothing */
	for (unsigned int i = 0; i < STASH_SLOTS; i++)
		if (w->stash[i].kind)
			smp_free(w, &w->stash[i], "end of run (interrupt stash)");
}
