/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU order-0 lists (mm/page/pcp.c): the layout and the inline fast paths
 * alloc_pages()/__free_pages() use when the list has frames or room.
 * Guarded by interrupts off on the owning CPU (mm_port_irq_save); see
 * mm/page/pcp.c for refill, drain and the rules.
 */
#ifndef MM_PCP_H
#define MM_PCP_H

#include <mm/gfp.h>
#include <mm/port.h>

#include "core.h"
#include "page/node.h"
#include "page/state.h"
#include "page/zone.h"

/*
 * A list is a ring of frame indices, so pushing and popping never touch a
 * struct page (no links to write, no neighbour to fix up):
 *
 *   slot[]: [ ... | tail (cold) | ... | head - 1 (hot) | head | ... ]
 *                 <------------ count frames ------------>
 *
 * The frames are at positions head - count .. head - 1 (mod PCP_SLOTS);
 * head - 1 is the hot end (last freed), head - count the cold end. A list
 * holds at most pcp_high + 1 frames (a free drains a batch once it is above
 * pcp_high) and a refill fills an empty list with at most a batch.
 */
#define PCP_SLOTS 256u
_Static_assert((PCP_SLOTS & (PCP_SLOTS - 1)) == 0, "PCP_SLOTS is a power of two");
_Static_assert(PCP_HIGH_MAX + 1 <= PCP_SLOTS && PCP_BATCH_MAX <= PCP_SLOTS,
	       "a per-CPU list fits its ring");

struct pcp_list {
	uint32_t head;  /* position after the hot end (wraps) */
	uint32_t count; /* frames on the list */
	uint32_t high;  /* its zone's pcp_high, copied here for the free path */
	uint32_t slot[PCP_SLOTS];
} __attribute__((aligned(2048)));

/* A CPU's lists, one per zone type, hold frames of one node only: the
 * CPU's pcp node (page/node.h). list[t] holds zone slot slot_base + t;
 * first_zone[c] is that node's first zone with RAM from type c down
 * (MM_NO_ZONE: none); own_node is whether it is the CPU's own node (a CPU
 * of a node without RAM has another's). Set by mm_init and mm_cpu_online
 * (relaxed atomics), read by the owner's fast paths beside its lists. */
struct pcp_cpu {
	/* Every stride a power of two (a list is 2 KiB, a CPU's lists and
	 * fields 8 KiB: 512 KiB for MM_MAX_CPUS): the fast paths index them
	 * by shifts, where 1 KiB + 12-byte lists cost an order-0 pair about
	 * 1.3 ns of multiplies (README, Benchmarks). */
	struct pcp_list list[MM_NR_ZONES];
	uint16_t slot_base;
	uint16_t first_zone[MM_NR_ZONES];
	uint8_t own_node;
} __attribute__((aligned(8192)));
_Static_assert(sizeof(struct pcp_list) == 2048 && sizeof(struct pcp_cpu) == 8192,
	       "per-CPU list strides are powers of two");

extern struct pcp_cpu mm_pcp[MM_MAX_CPUS];

/* false: order 0 goes to the buddy lists (tests and benchmarks) */
extern bool mm_pcp_enabled;

/* Order 0 from this CPU's list of zone z if the zone passes the watermark
 * check for (gfp, classzone); the list is refilled from the buddy lists
 * down to min + lowmem_reserve, and a request allowed below that takes its
 * one frame straight from the buddy lists. */
struct page *mm_pcp_alloc(struct zone *z, gfp_t gfp, enum zone_type classzone);
unsigned long mm_pcp_count_all(void);
void mm_pcp_reset(void);
/* Gives this CPU's lists back to the buddy lists (any context); returns
 * the frames moved. drain_all_pages() runs it on every CPU. */
unsigned long mm_pcp_drain_local(void);
/* CPU cpu's slot_base, first_zone and own_node from the nodes and zones
 * (mm_init after the watermarks; mm_cpu_online). */
void mm_pcp_set_node(unsigned int cpu, unsigned int pcp_node, bool own_node);
/* Every list of zone z gets its current pcp_high (mm_zone_set_pcp_limits). */
void mm_pcp_set_high(const struct zone *z);

/* Gives a dead CPU's lists back (mm_cpu_dead: it runs no mm code). */
unsigned long mm_pcp_drain_dead_cpu(unsigned int cpu);

/* The ring slot at position pos (any uint32_t: positions wrap). */
static inline uint32_t *pcp_slot(struct pcp_list *l, uint32_t pos)
{
	return &l->slot[pos & (PCP_SLOTS - 1)];
}

/* The count is read by other CPUs (mm_pcp_zone_count): stored with a relaxed
 * atomic store, a plain mov, which also keeps the compiler from merging it
 * with the head into one wider store that the next operation's load of the
 * count would stall on. */
static inline void pcp_set_count(struct pcp_list *l, uint32_t n)
{
	__atomic_store_n(&l->count, n, __ATOMIC_RELAXED);
}

static inline void pcp_push_tail(struct pcp_list *l, uint32_t idx)
{
	uint32_t n = l->count + 1;

	pcp_set_count(l, n);
	*pcp_slot(l, l->head - n) = idx;
}

/* The cold end (the frame freed longest ago). Callers check l->count. */
static inline uint32_t pcp_pop_tail(struct pcp_list *l)
{
	uint32_t idx = *pcp_slot(l, l->head - l->count);

	pcp_set_count(l, l->count - 1);
	return idx;
}

/* What an allocation takes: the hot end (last freed), or the cold end with
 * __GFP_COLD. Callers check l->count. */
static inline uint32_t pcp_pop(struct pcp_list *l, gfp_t gfp)
{
	uint32_t head = l->head, n = l->count;
	uint32_t pos = head - n; /* cold end */

	if (!(gfp & __GFP_COLD)) {
		pos = head - 1; /* hot end */
		l->head = pos;
	}
	pcp_set_count(l, n - 1);
	return *pcp_slot(l, pos);
}

/* Drains a batch of the list (too long) to the buddy; takes the zone lock. */
void mm_pcp_drain_batch(struct pcp_list *l, unsigned int zone);
/* An order-0 frame of another node than this CPU's lists hold: straight
 * back to its zone's buddy lists (state st: allocated, maybe poisoned). */
void mm_pcp_free_other_node(unsigned int zone, uint64_t idx, uint8_t st);

/* The state byte of a frame leaving a per-CPU list as allocated: only
 * debug builds poison, so only they keep the poison bit for the check. */
static inline void pcp_mark_alloc(uint64_t idx)
{
	if (MM_DEBUG)
		ps_store(idx, ps_make(ps_load(idx), PS_ALLOC, 0));
	else
		ps_store(idx, ps_make(0, PS_ALLOC, 0));
}

/* Fast path: a frame from CPU cpu's (this CPU's) list of zone z, a zone of
 * its pcp node, for a request whose first zone is classzone, or NULL when
 * the list is empty or the zone's buddy lists are not above min +
 * lowmem_reserve (then mm_pcp_alloc decides, with the request's own mark). */
static inline struct page *pcp_take(unsigned int cpu, unsigned int z, gfp_t gfp,
				    enum zone_type classzone)
{
	const struct zone *zone = &mm_zones[z];
	struct pcp_cpu *pc = &mm_pcp[cpu];
	unsigned long irq = mm_port_irq_save();
	struct pcp_list *l =
		&pc->list[z - __atomic_load_n(&pc->slot_base, __ATOMIC_RELAXED)];
	struct page *page = NULL;

	if (l->count && __atomic_load_n(&zone->free, __ATOMIC_RELAXED) >
		 zone->min_mark[classzone]) {
		uint32_t idx = pcp_pop(l, gfp);
		pcp_mark_alloc(idx);
		page = &mm_pages[idx];
	}
	mm_port_irq_restore(irq);
	return page;
}

/* An order-0 frame (global index idx, zone slot z, state byte st:
 * allocated, maybe poisoned) onto this CPU's list, at the hot end; a batch
 * goes back to the buddy when the list is too long. A frame of another
 * node than the lists hold goes to its buddy lists instead. */
static inline void pcp_free(unsigned int z, uint64_t idx, uint8_t st)
{
	unsigned int cpu = mm_this_cpu();
	struct pcp_cpu *pc = &mm_pcp[cpu];
	/* wraps for a lower node's slot */
	unsigned int t = z - __atomic_load_n(&pc->slot_base, __ATOMIC_RELAXED);

	if (__builtin_expect(t >= MM_NR_ZONES, 0)) {
		mm_pcp_free_other_node(z, idx, st);
		return;
	}
	unsigned long irq = mm_port_irq_save();
	struct pcp_list *l = &pc->list[t];
	uint32_t head = l->head, n = l->count + 1;

	ps_store(idx, ps_make(st, PS_PCP, 0));
	*pcp_slot(l, head) = (uint32_t)idx;
	l->head = head + 1;
	pcp_set_count(l, n);
	if (n > __atomic_load_n(&l->high, __ATOMIC_RELAXED))
		mm_pcp_drain_batch(l, z);
	mm_port_irq_restore(irq);
}

#endif
