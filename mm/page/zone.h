/* SPDX-License-Identifier: MIT */
/*
 * Zones (mm/page/zone.c): their free lists, watermarks and lowmem_reserve,
 * and the watermark rule every allocation path applies.
 */
#ifndef MM_PAGE_ZONE_H
#define MM_PAGE_ZONE_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/gfp.h>
#include <mm/page_alloc.h>
#include <mm/port.h>

#include "core.h"
#include "zone_bounds.h"

enum zone_wmark { WMARK_MIN, WMARK_LOW, WMARK_HIGH, MM_NR_WMARK };

#define MM_NO_PAGE UINT32_MAX /* free-list end */

/* Per-CPU list sizes (zone.c sets them per zone; page/pcp.h sizes its
 * rings for them). The largest batch is one aligned block of 64 frames:
 * one cache line of state bytes, so two CPUs' frames rarely share a line
 * (their churn would otherwise move it between them on every operation).
 * A list holds up to 6 batches, at most PCP_HIGH_MAX frames. */
#define PCP_BATCH_MAX 64u
#define PCP_HIGH_RATIO 6u
#define PCP_HIGH_MAX 192u

struct free_area {
	uint32_t head;     /* first block's index, MM_NO_PAGE when empty */
	uint64_t nr_blocks;
};

/*
 * Two parts, each on its own cache lines: what every allocation reads and
 * nothing writes after init (marks, limits), and what every buddy
 * operation writes under the lock (the lock, free, the lists), so CPUs
 * reading the first do not lose it each time another CPU takes the lock.
 */
struct zone {
	/* ---- read-mostly ---- */
	const char *name;
	uint8_t node;                /* NUMA node (mm/page/node.h) */
	uint8_t type;                /* enum zone_type */
	uint64_t start_pfn, end_pfn; /* zone bounds [start, end) */
	uint64_t present;            /* usable frames in the zone */
	uint64_t reserved;           /* of those: never handed out */
	uint64_t managed;            /* present - reserved */
	uint64_t wmark[MM_NR_WMARK];
	/* Frames zone z keeps against an allocation that could have used the
	 * higher zone c (lowmem_reserve[c]); 0 for c <= z. */
	uint64_t lowmem_reserve[MM_NR_ZONES];
	/* min + lowmem_reserve[c]: the mark of a request without access to
	 * the reserve. While free is above it, every order-0 request whose
	 * first zone is c passes the watermark check (the fast path's test). */
	uint64_t min_mark[MM_NR_ZONES];
	uint32_t pcp_batch, pcp_high; /* <= PCP_BATCH_MAX, PCP_HIGH_MAX */

	/* ---- hot: written under the lock ---- */
	mm_spinlock_t lock __attribute__((aligned(MM_CACHE_LINE)));
	uint64_t free;               /* frames in the buddy lists (lock) */
	struct free_area area[MM_MAX_ORDER + 1];
} __attribute__((aligned(MM_CACHE_LINE)));

/*
 * Every node has the three zone types; node n's zone of type t is
 * mm_zones[mm_zone_slot(n, t)], so node 0's are mm_zones[ZONE_DMA] ..
 * mm_zones[ZONE_NORMAL]. A slot whose node has no RAM of that type has
 * managed == 0 and is skipped by every walk.
 */
extern struct zone mm_zones[MM_NR_ZONE_SLOTS];

/* The first zone with RAM among node n's own zones of types c .. DMA
 * (MM_NO_ZONE: none); the order-0 fast path tries its per-CPU list. */
extern uint16_t mm_first_zone[MM_MAX_NUMNODES][MM_NR_ZONES];

void mm_zones_reset(void);
void mm_zones_init(void); /* bounds and present frames from the spans */
void mm_zone_setup_watermarks(void);
/* Per-CPU list sizes for this many CPUs (mm_init; a CPU coming online). */
void mm_zone_set_pcp_limits(unsigned int cpus);

/* Takes every zone lock in slot order; returns the interrupt state. */
unsigned long mm_lock_all_zones(void);
void mm_unlock_all_zones(unsigned long irq);

/* Frames of zone z on every CPU's list (racy snapshot: relaxed loads;
 * page/pcp.c). */
uint64_t mm_pcp_zone_count(const struct zone *z);

/* The highest zone gfp allows (the first of its zonelist). */
static inline enum zone_type gfp_classzone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

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
	return __atomic_load_n(&z->free, __ATOMIC_RELAXED) + mm_pcp_zone_count(z);
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

	return free >= need || free + mm_pcp_zone_count(z) >= need;
}

#endif
