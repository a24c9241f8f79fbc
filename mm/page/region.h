/* SPDX-License-Identifier: MIT */
/*
 * A region: a maximal run of usable RAM (page/memmap.h), with the freemap
 * of its free frames that the buddy lists keep for contig.
 */
#ifndef MM_PAGE_REGION_H
#define MM_PAGE_REGION_H

#include <stdint.h>
#include <mm/page_alloc.h>

#include "contig/freemap.h"

struct mm_region {
	uint64_t base_pfn, nr_frames;
	struct page *pages;      /* pages[i] is frame base_pfn + i */
	uint8_t *state;          /* state[i] likewise */
	struct freemap freemap;  /* free frames in the buddy lists */
	uint64_t first_index;    /* global index of base_pfn */
	unsigned int node;       /* its map entries' node */
};

#endif
