/* SPDX-License-Identifier: MIT */
/*
 * The frame map: where every frame's struct page and state byte live, and
 * the one span table that turns a pfn, a global index or a physical address
 * into them (mm/page/memmap.c). Read by the page allocator, contig and slab.
 *
 *   pfn 0                 4096 (16 MiB)            1M (4 GiB)
 *   |---- ZONE_DMA --------|---- ZONE_DMA32 ---------|---- ZONE_NORMAL ---...
 *   [region 0 ]  [ region 1 ...........]   hole     [ region 2 ........]
 *   [span 0   ]  [span 1  ][ span 2    ]            [ span 3           ]
 *
 * A region is a maximal run of usable RAM (two regions never touch). A span
 * is a region cut at the zone edges: the unit inside which buddies merge.
 * All struct pages live in one array (mm_pages) and all state bytes in
 * another (mm_page_state), indexed by a global frame index: span s covers
 * indices [s.first_index, s.first_index + s.nr_frames). Free-list links are
 * 32-bit indices into mm_pages. Spans never change after mm_init().
 */
#ifndef MM_PAGE_MEMMAP_H
#define MM_PAGE_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>
#include <mm/page_alloc.h>
#include <mm/port.h>

#include "core.h"
#include "zone_bounds.h"

struct mm_region; /* page/region.h */

struct mm_span {
	uint64_t base_pfn, nr_frames;
	uint64_t first_index;
	/* The same span by physical address, for pa lookups (slab, kfree):
	 * [pa_lo, pa_lo + bytes), and the struct page of pa is
	 * page_bias + (pa >> MM_PAGE_SHIFT) * sizeof(struct page). */
	uint64_t pa_lo, bytes;
	uintptr_t page_bias;
	unsigned int zone;       /* slot: mm_zones[zone] (its node and type) */
	struct mm_region *region;
};

#define MM_MAX_REGIONS 128
#define MM_MAX_SPANS (MM_MAX_REGIONS + 2)

/* Every struct page and every state byte, by global index, and the number
 * of global indices in use. */
extern struct page *mm_pages;
extern uint8_t *mm_page_state;
extern uint64_t mm_nr_frames;

size_t mm_region_count(void);
struct mm_region *mm_region_get(size_t i);
/* The region holding pfn, NULL outside managed RAM. */
struct mm_region *mm_pfn_to_region(uint64_t pfn);

size_t mm_span_count(void);
const struct mm_span *mm_span_get(size_t i);
/* The span holding pfn / global index / physical address (the hint becomes
 * it); NULL outside managed RAM. */
const struct mm_span *mm_pfn_to_span_search(uint64_t pfn);
const struct mm_span *mm_index_to_span_search(uint64_t idx);
const struct mm_span *mm_pa_to_span_search(uint64_t pa);
/* The largest region by physical address, for the lookups by address
 * (kfree, kmem_cache_free): most slab frames lie in it, and a region's
 * struct pages are one run of mm_pages (all its spans share one
 * page_bias), so the free fast paths test it first, with loads from a
 * fixed address that depend neither on the CPU id nor on the address.
 * Written only by mm_init(); before it, it matches nothing. */
struct mm_pa_window {
	uint64_t pa_lo, bytes;
	uintptr_t page_bias;
} __attribute__((aligned(MM_CACHE_LINE)));
extern struct mm_pa_window mm_pa_main;

static inline bool pa_in_main(uint64_t pa)
{
	return pa - mm_pa_main.pa_lo < mm_pa_main.bytes;
}

/* The struct page of pa, which lies in mm_pa_main. */
static inline struct page *pa_main_page(uint64_t pa)
{
	return (struct page *)(mm_pa_main.page_bias +
			       (uintptr_t)(pa >> MM_PAGE_SHIFT) * sizeof(struct page));
}

/* The span of this CPU's last lookup: most lookups hit it. One per CPU,
 * each on its own line, so CPUs working in different spans do not take
 * the line from each other on every miss. Never NULL: before the first hit
 * it is a span of no frames, which matches nothing; a stale hint is still
 * a valid span. Indexed by the unchecked id masked into range (a lookup is
 * no place to panic; the allocator's own paths check the id). */
struct mm_span_hint {
	const struct mm_span *span;
} __attribute__((aligned(MM_CACHE_LINE)));
extern struct mm_span_hint mm_span_hints[MM_MAX_CPUS];

static inline struct mm_span_hint *this_span_hint(void)
{
	return &mm_span_hints[mm_port_cpu_id() & (MM_MAX_CPUS - 1)];
}

/* Plain loads and stores: only its own CPU touches a hint (mm_init resets
 * them before any other CPU runs mm code). */
static inline const struct mm_span *span_hint(void)
{
	return this_span_hint()->span;
}

static inline const struct mm_span *pfn_to_span(uint64_t pfn)
{
	const struct mm_span *s = span_hint();

	return pfn - s->base_pfn < s->nr_frames ? s : mm_pfn_to_span_search(pfn);
}

static inline const struct mm_span *index_to_span(uint64_t idx)
{
	const struct mm_span *s = span_hint();

	return idx - s->first_index < s->nr_frames ? s : mm_index_to_span_search(idx);
}

/* The struct page of physical address pa in span s (pa inside s). */
static inline struct page *span_pa_to_page(const struct mm_span *s, uint64_t pa)
{
	return (struct page *)(s->page_bias +
			       (uintptr_t)(pa >> MM_PAGE_SHIFT) * sizeof(struct page));
}

/* The struct page of pa, NULL outside managed RAM. */
static inline struct page *pa_to_page(uint64_t pa)
{
	if (__builtin_expect(pa_in_main(pa), 1))
		return pa_main_page(pa);
	const struct mm_span *s = span_hint();

	if (__builtin_expect(pa - s->pa_lo >= s->bytes, 0) &&
	    !(s = mm_pa_to_span_search(pa)))
		return NULL;
	return span_pa_to_page(s, pa);
}

/* Global indices grow with the pfn, so the frames of a zone slot are a few
 * runs of indices (one per zone on one node): run k starts at index
 * mm_zone_run_start[k] and is slot mm_zone_run_slot[k]; the starts after
 * the last run are UINT64_MAX. */
extern unsigned int mm_zone_runs;
extern uint64_t mm_zone_run_start[MM_MAX_SPANS + 1];
extern uint16_t mm_zone_run_slot[MM_MAX_SPANS];

/* The zone slot of the frame at global index idx (< mm_nr_frames): on one
 * node two compares, as the free fast path wants. */
static inline unsigned int index_zone(uint64_t idx)
{
	unsigned int k = (idx >= mm_zone_run_start[1]) + (idx >= mm_zone_run_start[2]);

	if (__builtin_expect(k == 2, 0))
		while (idx >= mm_zone_run_start[k + 1])
			k++;
	return mm_zone_run_slot[k];
}

static inline uint64_t page_index(const struct page *page)
{
	return (uint64_t)(page - mm_pages);
}

static inline uint64_t span_pfn(const struct mm_span *s, uint64_t idx)
{
	return s->base_pfn + (idx - s->first_index);
}

static inline uint64_t span_index(const struct mm_span *s, uint64_t pfn)
{
	return s->first_index + (pfn - s->base_pfn);
}

/* Regions, spans, metadata arrays (mm_init); mm_memmap_release_early marks
 * the reserved frames and fills the buddy lists with the rest. */
void mm_memmap_setup(const struct mm_range *map, size_t n,
		     const struct mm_range *reserved, size_t nres,
		     const struct mm_node_range *nodes, size_t nn);
void mm_memmap_release_early(void);
uint64_t mm_memmap_metadata_bytes(void);

#endif
