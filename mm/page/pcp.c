/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU lists of order-0 frames, one per CPU and zone (rings of frame
 * indices: mm/pcp.h). An order-0 free pushes the frame at the head (hot:
 * likely still in this CPU's cache); an allocation pops the head, or the
 * tail with __GFP_COLD (the frame freed longest ago). An empty list refills `batch` frames from the buddy lists
 * under one zone lock; a list above `high` drains `batch` frames from its
 * tail. Frames on these lists are "allocated" for the buddy and the freemap
 * but count in nr_free_pages(); reclaim and drain_all_pages() return them.
 *
 * Every take passes the zone's watermark check first (zone_watermark_ok:
 * buddy frames plus the zone's frames on per-CPU lists, against the
 * request's mark), so a reserve frame that GFP_ATOMIC borrowed and freed
 * onto a list is still reserve: GFP_NOWAIT cannot take it from there. The
 * inline fast path (pcp_take) skips the full check while the buddy lists
 * alone are above min + lowmem_reserve, which passes every request. A
 * refill never takes the buddy lists below that normal mark; a request
 * allowed into the emergency reserve (GFP_ATOMIC, __GFP_HIGH) gets its one
 * frame straight from the buddy lists.
 *
 * Locking: a CPU's lists are touched only by that CPU with interrupts off
 * (mm_port_irq_save), indexed by mm_port_cpu_id(); no lock and no atomic
 * instruction on the fast path. Other CPUs only read the counts (relaxed
 * loads: nr_free_pages, the watermark check near the mark), so the owner
 * stores them with relaxed atomic stores (plain movs). drain_all_pages()
 * asks each CPU to empty its own lists (mm_port_call_on_cpu: the drain runs
 * there, as an interrupt, between two of its list operations), and a caller
 * that may not wait (contigmalloc M_NOWAIT) empties only its own.
 */
#include "build.h"

#include "core.h"
#include "page/buddy.h"
#include "page/pcp.h"
#include "page/state.h"
#include "page/zone.h"

struct pcp_cpu mm_pcp[MM_MAX_CPUS];
bool mm_pcp_enabled = true;

void mm_pcp_reset(void)
{
	for (int c = 0; c < MM_MAX_CPUS; c++)
		for (int z = 0; z < MM_NR_ZONES; z++) {
			mm_pcp[c].list[z].head = 0;
			mm_pcp[c].list[z].count = 0;
		}
}

/* Gives up to n frames from the tail of l (a list of zone z) back to the
 * buddy; z's lock held. */
static unsigned long drain_locked(struct zone *z, struct pcp_list *l,
				  unsigned long n)
{
	unsigned long done = 0;

	MM_ASSERT_LOCKED(&z->lock, "drain_locked");

	for (; done < n && l->count; done++) {
		uint32_t idx = pcp_pop_tail(l);
		const struct mm_span *s = index_to_span(idx);

		mm_buddy_free_block_locked(s, span_pfn(s, idx), 0);
	}
	return done;
}

/*
 * Puts n frames of zone z on list l, taken as the largest aligned blocks
 * that fit (16 + 8 + 4 + 2 + 1 for a batch of 31: one split block). Each
 * CPU's frames then lie together, so two CPUs rarely write the same cache
 * line of state bytes or struct pages (order-0 churn on two CPUs), and a
 * refill is a handful of buddy operations instead of n.
 */
static void refill_locked(struct zone *z, struct pcp_list *l, uint32_t n)
{
	MM_ASSERT_LOCKED(&z->lock, "refill_locked");
	while (n) {
		unsigned int order = 31 - (unsigned int)__builtin_clz(n);
		struct page *p = NULL;

		if (order > MM_MAX_ORDER)
			order = MM_MAX_ORDER;
		while (!(p = mm_buddy_alloc_locked(z, order)) && order > 0)
			order--;
		if (!p)
			return;
		uint64_t idx = page_index(p);
		for (uint64_t i = idx; i < idx + (1ull << order); i++) {
			ps_store(i, ps_make(ps_load(i), PS_PCP, 0));
			pcp_push_tail(l, (uint32_t)i);
		}
		n -= 1u << order;
	}
}

struct page *mm_pcp_alloc(struct zone *z, gfp_t gfp, enum zone_type classzone)
{
	uint64_t mark = zone_alloc_mark(z, gfp, classzone);
	struct page *page = NULL;

	unsigned long irq = mm_port_irq_save();
	struct pcp_list *l = &mm_pcp[mm_this_cpu_slow()].list[z->type];

	MM_ASSERT(z->node == mm_pcp_node(mm_this_cpu_raw()), "mm_pcp_alloc: zone "
		  "of node %u on the lists of node %u", z->node,
		  mm_pcp_node(mm_this_cpu_raw()));

	if (!zone_watermark_ok(z, mark, 0)) {
		mm_port_irq_restore(irq);
		return NULL;
	}
	if (l->count == 0) {
		uint64_t normal = z->min_mark[classzone];
		unsigned long zirq = mm_port_lock_irqsave(&z->lock);

		if (z->free > normal) {
			uint64_t n = z->free - normal;

			uint32_t batch = __atomic_load_n(&z->pcp_batch, __ATOMIC_RELAXED);
			if (n > batch)
				n = batch;
			refill_locked(z, l, (uint32_t)n);
		} else if (z->free) {
			/* below the normal mark, allowed by the check above */
			page = mm_buddy_alloc_locked(z, 0);
		}
		mm_port_unlock_irqrestore(&z->lock, zirq);
	}
	if (!page && l->count) {
		uint32_t idx = pcp_pop(l, gfp);

		pcp_mark_alloc(idx);
		page = &mm_pages[idx];
	}
	mm_port_irq_restore(irq);
	return page;
}

void mm_pcp_set_node(unsigned int cpu, unsigned int pcp_node, bool own_node)
{
	struct pcp_cpu *pc = &mm_pcp[cpu];

	__atomic_store_n(&pc->slot_base, (uint16_t)mm_zone_slot(pcp_node, ZONE_DMA),
			 __ATOMIC_RELAXED);
	for (int c = 0; c < MM_NR_ZONES; c++)
		__atomic_store_n(&pc->first_zone[c], mm_first_zone[pcp_node][c],
				 __ATOMIC_RELAXED);
	__atomic_store_n(&pc->own_node, (uint8_t)own_node, __ATOMIC_RELAXED);
	for (int t = 0; t < MM_NR_ZONES; t++)
		__atomic_store_n(&pc->list[t].high,
				 __atomic_load_n(&mm_zones[mm_zone_slot(pcp_node,
						 (enum zone_type)t)].pcp_high, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

void mm_pcp_set_high(const struct zone *z)
{
	uint32_t high = __atomic_load_n(&z->pcp_high, __ATOMIC_RELAXED);

	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		if (mm_pcp_node(c) == z->node)
			__atomic_store_n(&mm_pcp[c].list[z->type].high, high,
					 __ATOMIC_RELAXED);
}

void mm_pcp_free_other_node(unsigned int zone, uint64_t idx, uint8_t st)
{
	struct zone *z = &mm_zones[zone];
	const struct mm_span *s = index_to_span(idx);

	(void)mm_this_cpu_slow(); /* a free's slow path: a dead CPU's id panics */
	ps_store(idx, st); /* allocated, with the poison bit the free set */
	unsigned long zirq = mm_port_lock_irqsave(&z->lock);

	mm_buddy_free_block_locked(s, span_pfn(s, idx), 0);
	mm_port_unlock_irqrestore(&z->lock, zirq);
}

void mm_pcp_drain_batch(struct pcp_list *l, unsigned int zone)
{
	struct zone *z = &mm_zones[zone];

	(void)mm_this_cpu_slow(); /* a free's slow path: a dead CPU's id panics */
	unsigned long zirq = mm_port_lock_irqsave(&z->lock);

	drain_locked(z, l, __atomic_load_n(&z->pcp_batch, __ATOMIC_RELAXED));
	mm_port_unlock_irqrestore(&z->lock, zirq);
}

/* Empties every list of CPU cpu into the buddy lists; the caller owns them
 * (interrupts off on their CPU, or a dead CPU's). */
static unsigned long drain_cpu_lists(unsigned int cpu)
{
	struct pcp_cpu *pcp = &mm_pcp[cpu];
	unsigned int node = mm_pcp_node(cpu);
	unsigned long moved = 0;

	for (int zi = 0; zi < MM_NR_ZONES; zi++) {
		struct pcp_list *l = &pcp->list[zi];
		struct zone *z = &mm_zones[mm_zone_slot(node, (enum zone_type)zi)];

		if (!l->count)
			continue;
		unsigned long zirq = mm_port_lock_irqsave(&z->lock);
		moved += drain_locked(z, l, l->count);
		mm_port_unlock_irqrestore(&z->lock, zirq);
	}
	return moved;
}

unsigned long mm_pcp_drain_local(void)
{
	unsigned long irq = mm_port_irq_save();
	unsigned long moved = drain_cpu_lists(mm_this_cpu_raw());

	mm_port_irq_restore(irq);
	return moved;
}

unsigned long mm_pcp_drain_dead_cpu(unsigned int cpu)
{
	return drain_cpu_lists(cpu);
}

/* Runs on the CPU whose lists it drains (mm_port_call_on_cpu). */
static void drain_call(void *moved)
{
	*(unsigned long *)moved = mm_pcp_drain_local();
}

static bool cpu_has_frames(unsigned int c)
{
	for (int zi = 0; zi < MM_NR_ZONES; zi++)
		if (__atomic_load_n(&mm_pcp[c].list[zi].count, __ATOMIC_RELAXED))
			return true;
	return false;
}

unsigned long drain_all_pages(void)
{
	unsigned long moved = 0;

	mm_check_task_context("drain_all_pages");
	for (unsigned int c = 0, cpus = mm_cpus_running(); c < cpus; c++) {
		unsigned long m = 0;

		if (!cpu_has_frames(c))
			continue; /* no call for an empty CPU */
		if (mm_call_on_online_cpu(c, drain_call, &m))
			moved += m;
	}
	return moved;
}

uint64_t mm_pcp_zone_count(const struct zone *z)
{
	uint64_t n = 0;

	for (unsigned int c = 0, cpus = mm_cpus_running(); c < cpus; c++)
		if (mm_pcp_node(c) == z->node)
			n += __atomic_load_n(&mm_pcp[c].list[z->type].count,
					     __ATOMIC_RELAXED);
	return n;
}

unsigned long mm_pcp_count_all(void)
{
	unsigned long n = 0;

	/* every list of every CPU once (a walk per zone slot would read each
	 * CPU's node MM_NR_ZONE_SLOTS times for the same sum) */
	for (unsigned int c = 0, cpus = mm_cpus_running(); c < cpus; c++)
		for (int t = 0; t < MM_NR_ZONES; t++)
			n += __atomic_load_n(&mm_pcp[c].list[t].count, __ATOMIC_RELAXED);
	return n;
}
