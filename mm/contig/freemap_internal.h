/* SPDX-License-Identifier: MIT */
/*
 * What the three parts of the freemap share: the tree's geometry and the
 * lock domains (zones) of its frames. freemap.c: the index and its
 * summaries; freemap_update.c: set_free/set_used; freemap_search.c:
 * mm_freemap_find. Private to mm/contig/.
 */
#ifndef MM_FREEMAP_INTERNAL_H
#define MM_FREEMAP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "contig/freemap.h"
#include "zone_bounds.h" /* the zone edges: the lock domains */

#define FM_WORD_BITS 64u

#define FM_FANOUT (1u << FREEMAP_FANOUT_SHIFT)

_Static_assert(FREEMAP_DOMAINS == MM_NR_ZONES, "one lock domain per zone");
/* Where lock domain d ends (d < FREEMAP_DOMAINS - 1). */
static const uint64_t fm_domain_end[FREEMAP_DOMAINS - 1] = {
	ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN
};
_Static_assert(ZONE_DMA_END_PFN % 64 == 0 && ZONE_DMA32_END_PFN % 64 == 0,
	       "zone edges at whole words when the base is");

/* The lock domain (zone) of frame pfn. */
static inline unsigned pfn_domain(uint64_t pfn)
{
	return (unsigned)pfn_zone(pfn);
}

/* Frames a node of this level covers (its nominal length). */
static inline uint64_t node_len(unsigned level)
{
	return (uint64_t)FM_WORD_BITS << (FREEMAP_FANOUT_SHIFT * level);
}

/* Whether map-relative word w may hold frames of two zones. */
static inline bool word_shared(const struct freemap *fm, uint64_t w)
{
	return w == fm->shared_word[0] || w == fm->shared_word[1];
}
_Static_assert(FREEMAP_DOMAINS - 1 == 2, "word_shared tests two edges");

#endif
