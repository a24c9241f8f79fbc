/* SPDX-License-Identifier: MIT */
/*
 * Frame allocator internals shared inside mm/ (buddy <-> contig <-> slab)
 * and with the tests. Not part of the public API.
 *
 * Physical memory as the allocator sees it:
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
 * 32-bit indices into mm_pages.
 */
#ifndef MM_PAGE_ALLOC_INTERNAL_H
#define MM_PAGE_ALLOC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/gfp.h>
#include <mm/page_alloc.h>
#include <mm/port.h>

#include "core.h"
#include "freemap.h"
#include "zone_bounds.h"

/* ---- zones ---- */

enum zone_wmark { WMARK_MIN, WMARK_LOW, WMARK_HIGH, MM_NR_WMARK };

#define MM_NO_PAGE UINT32_MAX /* list end */

/* Per-CPU list sizes (mm/zone.c sets them per zone; mm/pcp.h sizes its
 * rings for them). */
#define PCP_BATCH_MAX 31u
#define PCP_HIGH_MAX (6u * PCP_BATCH_MAX)

struct free_area {
	uint32_t head;     /* first block's index, MM_NO_PAGE when empty */
	uint64_t nr_blocks;
};

struct zone {
	mm_spinlock_t lock;
	const char *name;
	uint64_t start_pfn, end_pfn; /* zone bounds [start, end) */
	uint64_t present;            /* usable frames in the zone */
	uint64_t reserved;           /* of those: never handed out */
	uint64_t managed;            /* present - reserved */
	uint64_t free;               /* frames in the buddy lists (lock) */
	uint64_t wmark[MM_NR_WMARK];
	/* Frames zone z keeps against an allocation that could have used the
	 * higher zone c (lowmem_reserve[c]); 0 for c <= z. */
	uint64_t lowmem_reserve[MM_NR_ZONES];
	/* min + lowmem_reserve[c]: the mark of a request without access to
	 * the reserve. While free is above it, every order-0 request whose
	 * first zone is c passes the watermark check (the fast path's test). */
	uint64_t min_mark[MM_NR_ZONES];
	uint32_t pcp_batch, pcp_high; /* <= PCP_BATCH_MAX, PCP_HIGH_MAX */
	struct free_area area[MM_MAX_ORDER + 1];
};

extern struct zone mm_zones[MM_NR_ZONES];
/* The first zone with RAM of the zonelist of each classzone (MM_NR_ZONES:
 * none); the order-0 fast path tries its per-CPU list. */
extern enum zone_type mm_first_zone[MM_NR_ZONES];


/* ---- regions and spans ---- */
struct mm_region {
	uint64_t base_pfn, nr_frames;
	struct page *pages;      /* pages[i] is frame base_pfn + i */
	uint8_t *state;          /* state[i] likewise */
	struct freemap freemap;  /* free frames in the buddy lists */
	uint64_t first_index;    /* global index of base_pfn */
};

struct mm_span {
	uint64_t base_pfn, nr_frames;
	uint64_t first_index;
	enum zone_type zone;
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
struct mm_region *pfn_to_region(uint64_t pfn);
/* The span holding pfn / global index; NULL outside managed RAM. */
const struct mm_span *pfn_to_span_search(uint64_t pfn);
const struct mm_span *index_to_span_search(uint64_t idx);
/* The span of the last lookup: most lookups hit it (spans never change
 * after mm_init, so a stale hint is still a valid span). */
extern const struct mm_span *mm_span_hint;

static inline const struct mm_span *pfn_to_span(uint64_t pfn)
{
	const struct mm_span *s = __atomic_load_n(&mm_span_hint, __ATOMIC_RELAXED);

	if (s && pfn - s->base_pfn < s->nr_frames)
		return s;
	return pfn_to_span_search(pfn);
}

static inline const struct mm_span *index_to_span(uint64_t idx)
{
	const struct mm_span *s = __atomic_load_n(&mm_span_hint, __ATOMIC_RELAXED);

	if (s && idx - s->first_index < s->nr_frames)
		return s;
	return index_to_span_search(idx);
}
size_t mm_span_count(void);
const struct mm_span *mm_span_get(size_t i);

/* Global indices grow with the pfn, so each zone's frames are one run of
 * indices: mm_zone_start_index[z] is the first index of a frame in zone z
 * or above (mm_nr_frames when there is none). */
extern uint64_t mm_zone_start_index[MM_NR_ZONES];

/* The zone of the frame at global index idx (< mm_nr_frames). */
static inline enum zone_type index_zone(uint64_t idx)
{
	return (enum zone_type)((idx >= mm_zone_start_index[ZONE_DMA32]) +
				(idx >= mm_zone_start_index[ZONE_NORMAL]));
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

/* ---- the state byte of a frame ----
 *   bits 0-2  kind: PS_TAIL  inside a block (not its first frame)
 *                   PS_FREE  first frame of a free buddy block
 *                   PS_ALLOC first frame of an allocated block
 *                   PS_PCP   on a per-CPU list (order 0)
 *                   PS_RESERVED never handed out
 *                   PS_CONTIG claimed by buddy_claim_range_locked
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
 * fast path reads the owner word): see <mm/page_alloc.h> for the contract. */
static inline unsigned long page_owner(const struct page *page)
{
	return page->private;
}

static inline void set_page_owner(struct page *page, unsigned long v)
{
	uint64_t idx = (uint64_t)(page - mm_pages);

	page->private = v;
	if (v && idx < mm_nr_frames && mm_page_state[idx] == PS_TAIL)
		mm_page_state[idx] = PS_PRIV_DIRTY;
}

/* ---- bit tricks (each tested in tests/mm/test_page_bits.c) ---- */

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

/* ---- the shared contract (brief: buddy <-> contig <-> slab) ---- */

/* Takes every zone lock in zone order; returns the interrupt state. */
unsigned long mm_lock_all_zones(void);
void mm_unlock_all_zones(unsigned long irq);

/*
 * buddy_claim_range_locked - take [pfn, pfn + nr) out of the buddy lists.
 * Caller holds all zone locks. Every frame must be free in the buddy lists
 * (not on a per-CPU list), else returns false and changes nothing. Splits
 * the blocks at the edges; the frames become allocated (PS_CONTIG),
 * accounted like alloc_pages. Poison is cleared, not checked.
 */
bool buddy_claim_range_locked(uint64_t pfn, uint64_t nr);

/*
 * buddy_release_range - give back a claimed run as maximal aligned blocks
 * with full coalescing. Takes the locks itself. Panics naming the pfn on a
 * frame that is not claimed (checked before any lock is taken).
 */
void buddy_release_range(uint64_t pfn, uint64_t nr);

/* What the shrinkers did: frames they freed into the zones of the
 * request's zonelist (measured on the zones' free counts around each call:
 * the progress the request can use), and what their scan() said. */
struct shrink_result {
	unsigned long usable, reported;
};
/*
 * mm_shrink_for_alloc - call the shrinkers (each sees gfp) until an
 * order-`order` request with gfp passes the watermark check in one zone of
 * its zonelist, or every shrinker has been asked (again while it reports
 * frees that did not help, a bounded number of times). Never called with a
 * zone lock held.
 */
struct shrink_result mm_shrink_for_alloc(gfp_t gfp, unsigned int order);
/*
 * mm_direct_reclaim - drain the per-CPU lists, then call the shrinkers
 * until they have freed nr_frames into gfp's zones. Returns those frames:
 * drained frames were counted as free already, so they are not progress.
 */
unsigned long mm_direct_reclaim(gfp_t gfp, unsigned long nr_frames);

/* ---- internal pieces (one file each) ---- */

/* buddy.c: caller holds the zone lock of the span's zone. */
void buddy_free_block_locked(const struct mm_span *s, uint64_t pfn,
			     unsigned int order);
struct page *buddy_alloc_locked(struct zone *z, unsigned int order);
/* Adds [pfn, end) (inside span s) as maximal aligned free blocks. */
void buddy_add_range_locked(const struct mm_span *s, uint64_t pfn,
			    uint64_t end);

/* pcp.c */
/* Order 0 from this CPU's list of zone z if the zone passes the watermark
 * check for (gfp, classzone); the list is refilled from the buddy lists
 * down to min + lowmem_reserve, and a request allowed below that takes its
 * one frame straight from the buddy lists. */
struct page *pcp_alloc(struct zone *z, gfp_t gfp, enum zone_type classzone);
unsigned long pcp_count_all(void);
/* Frames of zone z on every CPU's list (racy snapshot: relaxed loads). */
uint64_t pcp_zone_count(const struct zone *z);
void pcp_reset(void);

/* zone.c */
void zone_setup_watermarks(void);
/* The lowest free count zone z must keep for this request (watermark share
 * by gfp plus lowmem_reserve against classzone). */
static inline uint64_t zone_alloc_mark(const struct zone *z, gfp_t gfp,
				       enum zone_type classzone)
{
	uint64_t min = z->wmark[WMARK_MIN], mark = min;

	if (gfp & __GFP_HIGH)
		mark -= min / 2;
	if (gfp & __GFP_ATOMIC)
		mark -= min / 4;
	return mark + z->lowmem_reserve[classzone];
}
/* free(z) of the watermark rule: buddy frames plus the zone's frames on
 * every CPU's list (racy snapshot). */
static inline uint64_t zone_free_frames(const struct zone *z)
{
	return __atomic_load_n(&z->free, __ATOMIC_RELAXED) + pcp_zone_count(z);
}
/*
 * zone_watermark_ok - may a request with this mark take 2^order frames of
 * zone z? The rule counts what nr_free_pages() counts, the buddy lists and
 * the zone's frames on per-CPU lists, wherever the frames then come from:
 *     free(z) - 2^order >= mark
 * The per-CPU counts are summed only when the buddy lists alone fall short
 * (the zone is near its mark).
 */
static inline bool zone_watermark_ok(const struct zone *z, uint64_t mark,
				     unsigned int order)
{
	uint64_t need = mark + (1ull << order);
	uint64_t free = __atomic_load_n(&z->free, __ATOMIC_RELAXED);

	return free >= need || free + pcp_zone_count(z) >= need;
}
/* The highest zone gfp allows (the first of its zonelist). */
static inline enum zone_type gfp_classzone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* page_report.c: the human-readable state. */
void zone_print_buddyinfo(void);  /* free blocks per zone and order */
void zone_print_zones(void);      /* managed/free/reserved, watermarks */
void page_print_map(void);        /* ASCII map of physical memory */
void page_report(void);           /* all of the above, with metadata */

/* reclaim.c */
void shrinkers_reset(void);

/* gfp_names.c: "GFP_KERNEL|__GFP_ZERO" into buf; returns buf. */
const char *gfp_format(gfp_t gfp, char *buf, size_t size);
/* Panics on contradictory or unknown bits, naming them. */
void gfp_check_slow(const char *fn, gfp_t gfp);
static inline void gfp_check(const char *fn, gfp_t gfp)
{
	/* every bad mask has one of these bits */
	if (gfp & (~___GFP_BITS_MASK | __GFP_DMA | __GFP_DMA32 | __GFP_NOFAIL))
		gfp_check_slow(fn, gfp);
}

/* poison.c (MM_DEBUG): fill/check a freed frame (all of it, or sampled lines
 * with MM_POISON_SAMPLED). */
#ifdef MM_POISON_SAMPLED
#define MM_POISON_SAMPLED_BUILD MM_POISON_SAMPLED
#else
#define MM_POISON_SAMPLED_BUILD 0
#endif
void poison_frame(uint64_t pfn);
/* Returns the offset of the first corrupted byte or -1. */
long poison_check_frame(uint64_t pfn, uint64_t *found);

/* early.c: the boot allocator over usable RAM minus reserved ranges. */
void early_reset(void);
void early_add(uint64_t start_pfn, uint64_t end_pfn);     /* increasing */
void early_reserve(uint64_t start_pfn, uint64_t end_pfn); /* any overlap */
void *early_alloc(uint64_t size, uint64_t align);  /* panics when out */
uint64_t early_allocated_bytes(void);
size_t early_free_count(void);
void early_free_get(size_t i, uint64_t *start_pfn, uint64_t *end_pfn);
void early_retire(void); /* early_alloc panics afterwards */

/* memmap.c: regions, spans, metadata arrays; then frees RAM to the buddy. */
void memmap_setup(const struct mm_range *map, size_t n,
		  const struct mm_range *reserved, size_t nres);
void memmap_release_early(void); /* marks reserved frames, fills the buddy */
uint64_t memmap_metadata_bytes(void);

/* zone.c */
void zones_reset(void);
void zones_init(void); /* bounds and present frames from the spans */

/* ---- statistics and switches for tests and benchmarks ---- */
struct mm_stats {
	unsigned long reclaim_rounds;  /* reclaim-and-retry rounds run */
	unsigned long fail_reports;    /* "page allocation failure" printed */
	unsigned long alloc_failures;  /* alloc_pages returned NULL */
	unsigned long shrinker_calls;  /* scan() calls */
	unsigned long poison_checked;  /* frames checked at allocation */
};
extern struct mm_stats mm_stats;
extern bool mm_pcp_enabled;        /* false: order 0 goes to the buddy lists */
/* MM_DEBUG: poison frames when they are freed (default). Tests that take
 * and give back all of RAM as scaffolding switch it off for that, so the
 * emulated 8 GiB runs stay fast; frames poisoned earlier are still checked. */
extern bool mm_poison_enabled;
extern uint64_t mm_init_ns;        /* duration of the last mm_init() */

/* Free blocks per zone and order (buddy lists only), for before/after
 * comparisons in tests. */
struct buddyinfo {
	uint64_t nr[MM_NR_ZONES][MM_MAX_ORDER + 1];
};
void buddyinfo_snapshot(struct buddyinfo *bi);
bool buddyinfo_equal(const struct buddyinfo *a, const struct buddyinfo *b);

/* Walks every block; panics on a broken invariant (debug and tests). */
void mm_check_invariants(void);

#endif
