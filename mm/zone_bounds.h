/* SPDX-License-Identifier: MIT */
/*
 * Where the zones lie in physical memory: DMA [0, 16 MiB), DMA32
 * [16 MiB, 4 GiB), NORMAL [4 GiB, ...). The zone structures themselves are
 * the page allocator's (page/zone.h); the freemap needs only the
 * edges, which are its lock domains.
 */
#ifndef MM_ZONE_BOUNDS_H
#define MM_ZONE_BOUNDS_H

#include <stdint.h>
#include <mm/memmap.h>     /* MM_PAGE_SHIFT */
#include <mm/page_alloc.h> /* MM_MAX_NUMNODES */

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, MM_NR_ZONES };
#define ZONE_DMA_END_PFN   (0x1000000ull >> MM_PAGE_SHIFT)   /* 16 MiB */
#define ZONE_DMA32_END_PFN (0x100000000ull >> MM_PAGE_SHIFT) /* 4 GiB */

static inline enum zone_type pfn_zone(uint64_t pfn)
{
	if (pfn < ZONE_DMA_END_PFN)
		return ZONE_DMA;
	if (pfn < ZONE_DMA32_END_PFN)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* Every node has the three types: node n's zone of type t is zone slot
 * mm_zone_slot(n, t) (page/zone.h: mm_zones). */
#define MM_NR_ZONE_SLOTS (MM_MAX_NUMNODES * MM_NR_ZONES)
#define MM_NO_ZONE MM_NR_ZONE_SLOTS

static inline unsigned int mm_zone_slot(unsigned int node, enum zone_type t)
{
	return node * MM_NR_ZONES + (unsigned int)t;
}

#endif
