/* SPDX-License-Identifier: MIT */
/*
 * The state byte of a frame, the owner word mm/ keeps in its struct page,
 * and the bit tricks of the buddy system (each tested in
 * tests/mm/page/test_page_bits.c).
 *
 *   bits 0-2  kind: PS_TAIL  inside a block (not its first frame)
 *                   PS_FREE  first frame of a free buddy block
 *                   PS_ALLOC first frame of an allocated block
 *                   PS_PCP   on a per-CPU list (order 0)
 *                   PS_RESERVED never handed out
 *                   PS_CONTIG claimed by mm_buddy_claim_range_locked
 *   bits 3-6  order (PS_FREE, PS_ALLOC); on a PS_TAIL frame bit 3 is
 *             PS_PRIV_DIRTY: its struct page may hold a word that is not 0
 *   bit  7    poisoned (debug: the frame holds the free pattern)
 *
 * page_alloc.h promises page_private() is 0 on every frame of a fresh
 * block. Only the first frame of a block is written by the allocator (free
 * lists link through it), so that one is cleared on every allocation; a
 * frame inside a block is cleared only when PS_PRIV_DIRTY says it may hold
 * something: set at boot (struct pages start uninitialised), when a block's
 * first frame becomes a frame inside a merged block, when contig gives a run
 * back, and by set_page_private() with a value other than 0 on a frame
 * inside an allocated block. So a frame whose owner never set its word, or
 * set it back to 0, costs nothing when it is handed out again.
 */
#ifndef MM_PAGE_STATE_H
#define MM_PAGE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "page/memmap.h"

enum page_kind {
	PS_TAIL = 0,
	PS_FREE = 1,
	PS_ALLOC = 2,
	PS_PCP = 3,
	PS_RESERVED = 4,
	PS_CONTIG = 5,
};
#define PS_KIND_MASK 0x07u
#define PS_ORDER_SHIFT 3
#define PS_ORDER_MASK 0x78u
#define PS_POISON 0x80u
#define PS_PRIV_DIRTY 0x08u /* PS_TAIL frames only */
_Static_assert(PS_PRIV_DIRTY == 1u << PS_ORDER_SHIFT,
	       "PS_PRIV_DIRTY is the low order bit, unused on PS_TAIL frames");

/*
 * State bytes are read and written with relaxed atomic accesses (plain
 * byte movs): a lock holder reads bytes that other CPUs write without it
 * (the buddy checks a neighbour that its owner is freeing onto a per-CPU
 * list; contig reads frames that are allocated). Every such reader only
 * asks "is it free in the buddy lists?", which no lock-free writer changes:
 * only zone-lock holders make a frame PS_FREE or take it out of PS_FREE.
 */
static inline uint8_t ps_load_at(const uint8_t *state, uint64_t i)
{
	return __atomic_load_n(&state[i], __ATOMIC_RELAXED);
}
static inline void ps_store_at(uint8_t *state, uint64_t i, uint8_t v)
{
	__atomic_store_n(&state[i], v, __ATOMIC_RELAXED);
}
static inline uint8_t ps_load(uint64_t idx)
{
	return ps_load_at(mm_page_state, idx);
}
static inline void ps_store(uint64_t idx, uint8_t v)
{
	ps_store_at(mm_page_state, idx, v);
}

static inline unsigned int ps_kind(uint8_t s)
{
	return s & PS_KIND_MASK;
}
static inline unsigned int ps_order(uint8_t s)
{
	return (s & PS_ORDER_MASK) >> PS_ORDER_SHIFT;
}
/* A new state keeping the poison bit of the old one. */
static inline uint8_t ps_make(uint8_t old, unsigned int kind, unsigned int order)
{
	return (uint8_t)((old & PS_POISON) | kind | (order << PS_ORDER_SHIFT));
}

/* page_private()/set_page_private() for mm/ itself, inline (the kfree
 * fast path reads the owner word): see <mm/page_alloc.h> for the contract
 * and mm/owner.h for the tags. */
static inline unsigned long page_owner(const struct page *page)
{
	return page->private;
}

static inline void set_page_owner(struct page *page, unsigned long v)
{
	uint64_t idx = page_index(page);

	page->private = v;
	if (v && idx < mm_nr_frames && ps_load(idx) == PS_TAIL)
		ps_store(idx, PS_PRIV_DIRTY);
}

/* ---- bit tricks ---- */

/* The pfn of the buddy of the order-`order` block at pfn. */
static inline uint64_t buddy_pfn_of(uint64_t pfn, unsigned int order)
{
	return pfn ^ (1ull << order);
}

/* Whether pfn is the start of a naturally aligned block of that order. */
static inline bool pfn_aligned(uint64_t pfn, unsigned int order)
{
	return (pfn & ((1ull << order) - 1)) == 0;
}

/* The largest order <= max of a naturally aligned block at pfn that fits in
 * [pfn, end). end > pfn. */
static inline unsigned int max_block_order(uint64_t pfn, uint64_t end,
					   unsigned int max)
{
	unsigned int o = pfn ? (unsigned int)__builtin_ctzll(pfn) : 63;
	unsigned int fit = 63 - (unsigned int)__builtin_clzll(end - pfn);

	if (o > fit)
		o = fit;
	return o < max ? o : max;
}

#endif
