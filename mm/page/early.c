/* SPDX-License-Identifier: MIT */
/*
 * The early boot allocator: hands out the frame allocator's own metadata
 * (struct page arrays, state bytes, freemaps) before the buddy lists exist,
 * then retires. It is a list of free frame ranges: usable RAM minus the
 * reserved ranges. Allocation is top-down (like Linux's memblock), preferring
 * memory above 16 MiB so ZONE_DMA stays for the devices that need it.
 * Whatever it handed out is never given to the buddy: mm_init accounts it as
 * reserved.
 */
#include "build.h"

#include "core.h"
#include "page/early.h"
#include "zone_bounds.h"

#define EARLY_MAX_RANGES 512

struct early_range {
	uint64_t start, end; /* pfns, [start, end) */
};

static struct early_range ranges[EARLY_MAX_RANGES];
static size_t nranges;
static uint64_t allocated_bytes;
static bool retired;

void mm_early_reset(void)
{
	nranges = 0;
	allocated_bytes = 0;
	retired = false;
}

/* Ranges are added in increasing order (regions); two that touch (regions
 * of two nodes) become one. */
void mm_early_add(uint64_t start_pfn, uint64_t end_pfn)
{
	MM_ASSERT(!nranges || ranges[nranges - 1].end <= start_pfn,
		  "mm_early_add: ranges out of order (pfn 0x%llx)",
		  (unsigned long long)start_pfn);
	if (nranges && ranges[nranges - 1].end == start_pfn) {
		ranges[nranges - 1].end = end_pfn;
		return;
	}
	if (nranges == EARLY_MAX_RANGES)
		mm_panic("mm_early_add: too many ranges (max %d)", EARLY_MAX_RANGES);
	ranges[nranges].start = start_pfn;
	ranges[nranges].end = end_pfn;
	nranges++;
}

static void remove_at(size_t i)
{
	for (; i + 1 < nranges; i++)
		ranges[i] = ranges[i + 1];
	nranges--;
}

/* Removes [start, end) from the free ranges (any overlap, any number). */
void mm_early_reserve(uint64_t start_pfn, uint64_t end_pfn)
{
	for (size_t i = 0; i < nranges && start_pfn < end_pfn; i++) {
		struct early_range *r = &ranges[i];

		if (r->end <= start_pfn || r->start >= end_pfn)
			continue;
		if (start_pfn <= r->start && end_pfn >= r->end) {
			remove_at(i);
			i--;
		} else if (start_pfn <= r->start) {
			r->start = end_pfn;
		} else if (end_pfn >= r->end) {
			r->end = start_pfn;
		} else { /* a hole in the middle: split */
			if (nranges == EARLY_MAX_RANGES)
				mm_panic("mm_early_reserve: too many ranges (max %d)",
					 EARLY_MAX_RANGES);
			for (size_t j = nranges; j > i + 1; j--)
				ranges[j] = ranges[j - 1];
			nranges++;
			ranges[i + 1].start = end_pfn;
			ranges[i + 1].end = r->end;
			r->end = start_pfn;
		}
	}
}

/* The highest place for nr frames aligned to align_frames in [lo, ...),
 * top-down over the ranges; returns the range index or -1. */
static long find_top(uint64_t nr, uint64_t align_frames, uint64_t lo,
		     uint64_t *pfn_out)
{
	for (size_t k = nranges; k-- > 0;) {
		struct early_range *r = &ranges[k];
		uint64_t start = r->start > lo ? r->start : lo;

		if (r->end < start + nr || r->end < nr)
			continue;
		uint64_t pfn = (r->end - nr) & ~(align_frames - 1);
		if (pfn >= start) {
			*pfn_out = pfn;
			return (long)k;
		}
	}
	return -1;
}

void *mm_early_alloc(uint64_t size, uint64_t align)
{
	uint64_t nr = (size + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
	uint64_t align_frames = align > MM_PAGE_SIZE ? align >> MM_PAGE_SHIFT : 1;
	uint64_t pfn;

	if (retired)
		mm_panic("mm_early_alloc: called after the early allocator retired "
			 "(size %llu)", (unsigned long long)size);
	if (nr == 0)
		nr = 1;
	if (find_top(nr, align_frames, ZONE_DMA_END_PFN, &pfn) < 0 &&
	    find_top(nr, align_frames, 0, &pfn) < 0)
		mm_panic("mm_early_alloc: no room for the allocator's metadata "
			 "(%llu bytes)", (unsigned long long)size);
	mm_early_reserve(pfn, pfn + nr);
	allocated_bytes += nr << MM_PAGE_SHIFT;
	return mm_port_phys_to_virt(pfn << MM_PAGE_SHIFT);
}

uint64_t mm_early_allocated_bytes(void)
{
	return allocated_bytes;
}

size_t mm_early_free_count(void)
{
	return nranges;
}

void mm_early_free_get(size_t i, uint64_t *start_pfn, uint64_t *end_pfn)
{
	*start_pfn = ranges[i].start;
	*end_pfn = ranges[i].end;
}

void mm_early_retire(void)
{
	retired = true;
}
