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
#include <mm/memmap.h> /* MM_PAGE_SHIFT */

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

#endif
