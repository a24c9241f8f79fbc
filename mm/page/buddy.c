/* SPDX-License-Identifier: MIT */
/*
 * The buddy free lists.
 *
 * Free frames are kept in naturally aligned blocks of 2^order frames, one
 * doubly linked list per zone and order. The "buddy" of the block at pfn of
 * order k is the block at pfn ^ 2^k: the two halves of the aligned block of
 * order k + 1. Freeing a block looks at its buddy: if the buddy is a free
 * block of the same order (its first frame's state byte says PS_FREE, order
 * k) and lies in the same span (same region, same zone), the two merge and
 * the test repeats one order up. Allocation takes the smallest order with a
 * free block and splits it, putting the unused upper halves back on their
 * lists. A block never crosses a zone edge or a hole, because every block
 * is carved inside one span and buddies merge only inside one.
 *
 * Only a block's first frame carries PS_FREE/PS_ALLOC and the order; the
 * frames inside a block are PS_TAIL. That is what lets __free_pages tell a
 * double free (PS_FREE, PS_PCP) from a frame never handed out (PS_TAIL).
 *
 * Locking: every function here is called with the zone lock of the zone it
 * works on (mm_buddy_claim_range_locked: all zone locks).
 */
#include "build.h"

#include "core.h"
#include "page/buddy.h"
#include "page/region.h"
#include "page/poison.h"
#include "page/state.h"
#include "page/zone.h"

static void area_push(struct free_area *a, uint64_t idx)
{
	struct page *p = &mm_pages[idx];

	p->lru.next = a->head;
	p->lru.prev = MM_NO_PAGE;
	if (a->head != MM_NO_PAGE)
		mm_pages[a->head].lru.prev = (uint32_t)idx;
	a->head = (uint32_t)idx;
	a->nr_blocks++;
}

static void area_del(struct free_area *a, uint64_t idx)
{
	struct page *p = &mm_pages[idx];

	if (p->lru.prev != MM_NO_PAGE)
		mm_pages[p->lru.prev].lru.next = p->lru.next;
	else
		a->head = p->lru.next;
	if (p->lru.next != MM_NO_PAGE)
		mm_pages[p->lru.next].lru.prev = p->lru.prev;
	a->nr_blocks--;
}

/* Puts the block [pfn, pfn + 2^order) of span s on its free list, no merge.
 * Accounting (zone free, freemap) is the caller's. */
static void block_insert(const struct mm_span *s, uint64_t pfn,
			 unsigned int order)
{
	uint64_t idx = span_index(s, pfn);

	ps_store(idx, ps_make(ps_load(idx), PS_FREE, order));
	area_push(&mm_zones[s->zone].area[order], idx);
}

/* z->free changes under the zone lock and is read without it (the
 * watermark checks): a relaxed atomic store, a plain mov. */
static void zone_add_free_locked(struct zone *z, int64_t delta)
{
	MM_ASSERT_LOCKED(&z->lock, "zone_add_free_locked");
	__atomic_store_n(&z->free, z->free + (uint64_t)delta, __ATOMIC_RELAXED);
}

static void account_free(const struct mm_span *s, uint64_t pfn, uint64_t nr)
{
	zone_add_free_locked(&mm_zones[s->zone], (int64_t)nr);
	mm_freemap_set_free(&s->region->freemap, pfn, nr);
}

static void account_used(const struct mm_span *s, uint64_t pfn, uint64_t nr)
{
	zone_add_free_locked(&mm_zones[s->zone], -(int64_t)nr);
	mm_freemap_set_used(&s->region->freemap, pfn, nr);
}

void mm_buddy_free_block_locked(const struct mm_span *s, uint64_t pfn,
			     unsigned int order)
{
	struct zone *z = &mm_zones[s->zone];
	uint64_t span_end = s->base_pfn + s->nr_frames;

	MM_ASSERT_LOCKED(&z->lock, "mm_buddy_free_block_locked");

	MM_ASSERT(pfn_aligned(pfn, order) && pfn >= s->base_pfn &&
			  pfn + (1ull << order) <= span_end,
		  "mm_buddy_free_block_locked: bad block (pfn 0x%llx, order %u)",
		  (unsigned long long)pfn, order);
	account_free(s, pfn, 1ull << order);
	while (order < MM_MAX_ORDER) {
		uint64_t bpfn = buddy_pfn_of(pfn, order);

		if (bpfn < s->base_pfn || bpfn + (1ull << order) > span_end)
			break;
		uint64_t bidx = span_index(s, bpfn);
		uint8_t st = ps_load(bidx);
		if (ps_kind(st) != PS_FREE || ps_order(st) != order)
			break;
		area_del(&z->area[order], bidx);
		/* a first frame that goes inside the merged block keeps its
		 * links (or its owner's word): PS_PRIV_DIRTY */
		ps_store(bidx, ps_make(st, PS_TAIL, 0) | PS_PRIV_DIRTY);
		if (bpfn < pfn) { /* the lower half heads the merged block */
			uint64_t idx = span_index(s, pfn);
			ps_store(idx, ps_make(ps_load(idx), PS_TAIL, 0) |
					      PS_PRIV_DIRTY);
			pfn = bpfn;
		}
		order++;
	}
	block_insert(s, pfn, order);
}

struct page *mm_buddy_alloc_locked(struct zone *z, unsigned int order)
{
	unsigned int o = order;

	MM_ASSERT_LOCKED(&z->lock, "mm_buddy_alloc_locked");

	while (o <= MM_MAX_ORDER && z->area[o].head == MM_NO_PAGE)
		o++;
	if (o > MM_MAX_ORDER)
		return NULL;
	uint64_t idx = z->area[o].head;
	const struct mm_span *s = index_to_span(idx);
	uint64_t pfn = span_pfn(s, idx);

	area_del(&z->area[o], idx);
	while (o > order) { /* split: keep the lower half, free the upper */
		o--;
		block_insert(s, pfn + (1ull << o), o);
	}
	ps_store(idx, ps_make(ps_load(idx), PS_ALLOC, order));
	account_used(s, pfn, 1ull << order);
	return &mm_pages[idx];
}

void mm_buddy_add_range_locked(const struct mm_span *s, uint64_t pfn,
			    uint64_t end)
{
	MM_ASSERT_LOCKED(&mm_zones[s->zone].lock, "mm_buddy_add_range_locked");
	while (pfn < end) {
		unsigned int o = max_block_order(pfn, end, MM_MAX_ORDER);

		account_free(s, pfn, 1ull << o);
		block_insert(s, pfn, o);
		pfn += 1ull << o;
	}
}

/* ---- runs for contigmalloc ---- */

/* The free buddy block holding pfn (inside span s): its first pfn and order,
 * or false when pfn is not in a free buddy block. */
static bool free_block_of(const struct mm_span *s, uint64_t pfn,
			  uint64_t *head, unsigned int *order)
{
	for (unsigned int o = 0; o <= MM_MAX_ORDER; o++) {
		uint64_t h = pfn & ~((1ull << o) - 1);

		if (h < s->base_pfn)
			break;
		uint8_t st = ps_load(span_index(s, h));
		if (ps_kind(st) == PS_FREE) {
			if (ps_order(st) < o || h + (1ull << ps_order(st)) <= pfn)
				return false;
			*head = h;
			*order = ps_order(st);
			return true;
		}
		if (ps_kind(st) != PS_TAIL)
			return false; /* allocated, pcp, reserved head */
	}
	return false;
}

bool mm_buddy_claim_range_locked(uint64_t pfn, uint64_t nr)
{
	uint64_t end = pfn + nr;
	struct mm_region *r = mm_pfn_to_region(pfn);

	for (int z = 0; z < MM_NR_ZONE_SLOTS; z++)
		MM_ASSERT_LOCKED(&mm_zones[z].lock, "mm_buddy_claim_range_locked");

	if (!r || nr == 0 || end < pfn || end > r->base_pfn + r->nr_frames)
		return false;
	/* First pass: every frame must be in a free buddy block. */
	for (uint64_t p = pfn; p < end;) {
		const struct mm_span *s = pfn_to_span(p);
		uint64_t head;
		unsigned int o;

		if (!free_block_of(s, p, &head, &o))
			return false;
		p = head + (1ull << o);
	}
	/* Second pass: take the blocks, give back what lies outside. */
	for (uint64_t p = pfn; p < end;) {
		const struct mm_span *s = pfn_to_span(p);
		struct zone *z = &mm_zones[s->zone];
		uint64_t head = p, bend;
		unsigned int o = 0; /* both set below: the first pass found it */
		bool still_free = free_block_of(s, p, &head, &o);

		MM_ASSERT(still_free, "mm_buddy_claim_range_locked: pfn %llu "
			  "stopped being free between the passes",
			  (unsigned long long)p);
		(void)still_free;
		bend = head + (1ull << o);
		uint64_t hidx = span_index(s, head);

		area_del(&z->area[o], hidx);
		ps_store(hidx, ps_make(ps_load(hidx), PS_TAIL, 0));
		account_used(s, head, 1ull << o);
		if (head < pfn)
			mm_buddy_add_range_locked(s, head, pfn);
		if (bend > end)
			mm_buddy_add_range_locked(s, end, bend);
		uint64_t from = head > pfn ? head : pfn;
		uint64_t to = bend < end ? bend : end;
		for (uint64_t q = from; q < to; q++)
			ps_store(span_index(s, q), PS_CONTIG);
		p = bend;
	}
	return true;
}

void mm_buddy_release_range(uint64_t pfn, uint64_t nr)
{
	uint64_t end = pfn + nr;
	struct mm_region *r = mm_pfn_to_region(pfn);

	if (!r || nr == 0 || end < pfn || end > r->base_pfn + r->nr_frames)
		mm_panic("mm_buddy_release_range: range outside managed memory "
			 "(pfn 0x%llx, %llu frames)", (unsigned long long)pfn,
			 (unsigned long long)nr);
	for (uint64_t p = pfn; p < end; p++) {
		uint8_t st = ps_load_at(r->state, p - r->base_pfn);

		if (ps_kind(st) != PS_CONTIG)
			mm_panic("mm_buddy_release_range: frame not claimed "
				 "(pfn 0x%llx, state %u)", (unsigned long long)p,
				 ps_kind(st));
	}
	for (uint64_t p = pfn; p < end; p++) {
		uint8_t st = PS_TAIL | PS_PRIV_DIRTY; /* contig's tags are in the words */

		if (MM_DEBUG && mm_poison_enabled) {
			mm_poison_frame(p);
			st |= PS_POISON;
		}
		ps_store_at(r->state, p - r->base_pfn, st);
	}
	unsigned long irq = mm_lock_all_zones();
	for (uint64_t p = pfn; p < end;) {
		const struct mm_span *s = pfn_to_span(p);
		uint64_t send = s->base_pfn + s->nr_frames;
		unsigned int o = max_block_order(p, end < send ? end : send,
						 MM_MAX_ORDER);

		mm_buddy_free_block_locked(s, p, o);
		p += 1ull << o;
	}
	mm_unlock_all_zones(irq);
}
