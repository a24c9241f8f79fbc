/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU order-0 lists (mm/pcp.c): the layout and the inline fast paths
 * alloc_pages()/__free_pages() use when the list has frames or room.
 * Guarded by interrupts off on the owning CPU (mm_port_irq_save); see
 * mm/pcp.c for refill, drain and the rules.
 */
#ifndef MM_PCP_H
#define MM_PCP_H

#include "page_alloc_internal.h"

struct pcp_list {
	uint32_t head, tail; /* frame indices, MM_NO_PAGE when empty */
	uint32_t count;
};

struct pcp_cpu {
	struct pcp_list list[MM_NR_ZONES];
} __attribute__((aligned(64)));

extern struct pcp_cpu mm_pcp[MM_MAX_CPUS];

static inline void pcp_push_head(struct pcp_list *l, uint32_t idx)
{
	struct page *p = &mm_pages[idx];

	p->lru.prev = MM_NO_PAGE;
	p->lru.next = l->head;
	if (l->head != MM_NO_PAGE)
		mm_pages[l->head].lru.prev = idx;
	else
		l->tail = idx;
	l->head = idx;
	l->count++;
}

static inline void pcp_push_tail(struct pcp_list *l, uint32_t idx)
{
	struct page *p = &mm_pages[idx];

	p->lru.next = MM_NO_PAGE;
	p->lru.prev = l->tail;
	if (l->tail != MM_NO_PAGE)
		mm_pages[l->tail].lru.next = idx;
	else
		l->head = idx;
	l->tail = idx;
	l->count++;
}

static inline uint32_t pcp_pop_head(struct pcp_list *l)
{
	uint32_t idx = l->head;

	l->head = mm_pages[idx].lru.next;
	if (l->head != MM_NO_PAGE)
		mm_pages[l->head].lru.prev = MM_NO_PAGE;
	else
		l->tail = MM_NO_PAGE;
	l->count--;
	return idx;
}

static inline uint32_t pcp_pop_tail(struct pcp_list *l)
{
	uint32_t idx = l->tail;

	l->tail = mm_pages[idx].lru.prev;
	if (l->tail != MM_NO_PAGE)
		mm_pages[l->tail].lru.next = MM_NO_PAGE;
	else
		l->head = MM_NO_PAGE;
	l->count--;
	return idx;
}

/* Drains a batch of the list (too long) to the buddy; takes the zone lock. */
void pcp_drain_batch(struct pcp_list *l, enum zone_type zone);

/* Fast path: a frame from this CPU's list of zone z, or NULL when empty. */
static inline struct page *pcp_take(enum zone_type z, gfp_t gfp)
{
	unsigned long irq = mm_port_irq_save();
	struct pcp_list *l = &mm_pcp[mm_port_cpu_id()].list[z];
	struct page *page = NULL;

	if (l->count) {
		uint32_t idx = (gfp & __GFP_COLD) ? pcp_pop_tail(l) : pcp_pop_head(l);

		mm_page_state[idx] = ps_make(mm_page_state[idx], PS_ALLOC, 0);
		page = &mm_pages[idx];
	}
	mm_port_irq_restore(irq);
	return page;
}

/* An order-0 frame (global index idx, zone z) onto this CPU's list, at the
 * hot end; a batch goes back to the buddy when the list is too long. */
static inline void pcp_free(enum zone_type z, uint64_t idx)
{
	unsigned long irq = mm_port_irq_save();
	struct pcp_list *l = &mm_pcp[mm_port_cpu_id()].list[z];

	mm_page_state[idx] = ps_make(mm_page_state[idx], PS_PCP, 0);
	pcp_push_head(l, (uint32_t)idx);
	if (l->count > mm_zones[z].pcp_high)
		pcp_drain_batch(l, z);
	mm_port_irq_restore(irq);
}

#endif
