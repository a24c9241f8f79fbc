/* SPDX-License-Identifier: MIT */
/*
 * The buddy lists of each zone (mm/page/buddy.c), and the contract they
 * offer contig: claiming a run of free frames and giving it back.
 */
#ifndef MM_PAGE_BUDDY_H
#define MM_PAGE_BUDDY_H

#include <stdbool.h>
#include <stdint.h>

#include "page/memmap.h"
#include "page/zone.h"

/* Caller holds the zone lock of the span's (or z's) zone. */
void mm_buddy_free_block_locked(const struct mm_span *s, uint64_t pfn,
			     unsigned int order);
struct page *mm_buddy_alloc_locked(struct zone *z, unsigned int order);
/* Adds [pfn, end) (inside span s) as maximal aligned free blocks. */
void mm_buddy_add_range_locked(const struct mm_span *s, uint64_t pfn,
			    uint64_t end);

/*
 * mm_buddy_claim_range_locked - take [pfn, pfn + nr) out of the buddy lists.
 * Caller holds all zone locks (mm_lock_all_zones). Every frame must be free
 * in the buddy lists (not on a per-CPU list), else returns false and
 * changes nothing. Splits the blocks at the edges; the frames become
 * allocated (PS_CONTIG), accounted like alloc_pages. Poison is cleared,
 * not checked.
 */
bool mm_buddy_claim_range_locked(uint64_t pfn, uint64_t nr);

/*
 * mm_buddy_release_range - give back a claimed run as maximal aligned blocks
 * with full coalescing. Takes the locks itself. Panics naming the pfn on a
 * frame that is not claimed (checked before any lock is taken).
 */
void mm_buddy_release_range(uint64_t pfn, uint64_t nr);

#endif
