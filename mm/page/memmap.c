/* SPDX-License-Identifier: MIT */
/*
 * The frame map: regions (maximal runs of usable RAM), spans (regions cut at
 * zone edges) and the per-frame metadata, sparse by construction: only
 * frames of usable RAM get a struct page and a state byte, so a hole of any
 * size costs nothing. All struct pages form one array indexed by a global
 * frame index (so free-list links are 32-bit); pfn -> page, pa -> page
 * and page -> pfn are a binary search over the one span table (a handful
 * of spans on a PC), behind a hint that answers nearly every lookup.
 */
#include "build.h"

#include "page/memmap.h"
#include "page/region.h"

#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/node.h"
#include "page/state.h"
#include "page/zone.h"

static struct mm_region regions[MM_MAX_REGIONS];
static size_t nregions;
static struct mm_span spans[MM_MAX_SPANS];
static size_t nspans;
static uint64_t metadata_bytes;

struct page *mm_pages;
uint8_t *mm_page_state;
uint64_t mm_nr_frames;

size_t mm_region_count(void)
{
	return nregions;
}

struct mm_region *mm_region_get(size_t i)
{
	return i < nregions ? &regions[i] : NULL;
}

size_t mm_span_count(void)
{
	return nspans;
}

const struct mm_span *mm_span_get(size_t i)
{
	return i < nspans ? &spans[i] : NULL;
}

struct mm_pa_window mm_pa_main; /* bytes 0: matches nothing */

/* mm_pa_main becomes the largest region. */
static void set_pa_main(void)
{
	const struct mm_region *best = NULL;

	for (size_t i = 0; i < nregions; i++)
		if (!best || regions[i].nr_frames > best->nr_frames)
			best = &regions[i];
	if (!best)
		return;
	mm_pa_main = (struct mm_pa_window){
		.pa_lo = best->base_pfn << MM_PAGE_SHIFT,
		.bytes = best->nr_frames << MM_PAGE_SHIFT,
		.page_bias = (uintptr_t)best->pages -
			     (uintptr_t)best->base_pfn * sizeof(struct page),
	};
}

static const struct mm_span no_span; /* no frames: matches nothing */
struct mm_span_hint mm_span_hints[MM_MAX_CPUS] = {
	[0 ... MM_MAX_CPUS - 1] = { &no_span }
};
_Static_assert((MM_MAX_CPUS & (MM_MAX_CPUS - 1)) == 0,
	       "a CPU id is masked into the hints");

/* The span holding key, where key is a pfn (by_index false) or a global
 * frame index; both grow with the span number, so one binary search serves:
 * the last span starting at or below key, if key lies inside it. */
static const struct mm_span *span_search(uint64_t key, bool by_index)
{
	size_t lo = 0, hi = nspans;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t start = by_index ? spans[mid].first_index : spans[mid].base_pfn;
		if (start <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct mm_span *s = &spans[lo - 1];
	uint64_t start = by_index ? s->first_index : s->base_pfn;
	if (key - start >= s->nr_frames)
		return NULL;
	this_span_hint()->span = s;
	return s;
}

const struct mm_span *mm_pfn_to_span_search(uint64_t pfn)
{
	return span_search(pfn, false);
}

const struct mm_span *mm_index_to_span_search(uint64_t idx)
{
	return span_search(idx, true);
}

const struct mm_span *mm_pa_to_span_search(uint64_t pa)
{
	return span_search(pa >> MM_PAGE_SHIFT, false);
}

struct mm_region *mm_pfn_to_region(uint64_t pfn)
{
	const struct mm_span *s = pfn_to_span(pfn);

	return s ? s->region : NULL;
}

uint64_t mm_memmap_metadata_bytes(void)
{
	return metadata_bytes;
}

/* Usable ranges, whole frames only, sorted and merged into regions. */
static void find_regions(const struct mm_range *map, size_t n)
{
	nregions = 0;
	for (size_t i = 0; i < n; i++) {
		if (map[i].type != MM_RANGE_USABLE)
			continue;
		uint64_t start = (map[i].start + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
		uint64_t end = map[i].start + map[i].length;

		if (end < map[i].start)
			mm_panic("mm_init: map entry %zu wraps around "
				 "(start 0x%llx, length 0x%llx)", i,
				 (unsigned long long)map[i].start,
				 (unsigned long long)map[i].length);
		end >>= MM_PAGE_SHIFT;
		if (end <= start)
			continue;
		/* insertion sort by start; merge overlapping or touching */
		size_t k = nregions;
		while (k > 0 && regions[k - 1].base_pfn > start)
			k--;
		if (nregions == MM_MAX_REGIONS)
			mm_panic("mm_init: too many usable ranges (max %d)",
				 MM_MAX_REGIONS);
		for (size_t j = nregions; j > k; j--)
			regions[j] = regions[j - 1];
		regions[k] = (struct mm_region){ .base_pfn = start,
						 .nr_frames = end - start };
		nregions++;
	}
	size_t out = 0;
	for (size_t i = 0; i < nregions; i++) {
		struct mm_region *r = &regions[i];
		if (out > 0) {
			struct mm_region *p = &regions[out - 1];
			uint64_t pend = p->base_pfn + p->nr_frames;
			if (r->base_pfn <= pend) {
				uint64_t rend = r->base_pfn + r->nr_frames;
				if (rend > pend)
					p->nr_frames = rend - p->base_pfn;
				continue;
			}
		}
		regions[out++] = *r;
	}
	nregions = out;
	if (nregions == 0)
		mm_panic("mm_init: no usable RAM in the map (%zu entries)", n);
}

/* The node entries as whole frames (a partial frame goes to the entry that
 * holds its start), checked: an id past MM_MAX_NUMNODES, a wrap, two nodes
 * claiming one frame each panic, naming the entry. */
static void check_node_ranges(const struct mm_node_range *nodes, size_t nn)
{
	for (size_t i = 0; i < nn; i++) {
		uint64_t end = nodes[i].start + nodes[i].length;

		mm_nodes_note(nodes[i].node, i);
		if (end < nodes[i].start)
			mm_panic("mm_init_numa: node entry %zu wraps around "
				 "(start 0x%llx, length 0x%llx)", i,
				 (unsigned long long)nodes[i].start,
				 (unsigned long long)nodes[i].length);
		for (size_t j = 0; j < i; j++) {
			uint64_t jend = nodes[j].start + nodes[j].length;

			if (nodes[j].node != nodes[i].node && nodes[i].length &&
			    nodes[j].length && nodes[i].start < jend &&
			    nodes[j].start < end)
				mm_panic("mm_init_numa: node entries %zu (node %u) "
					 "and %zu (node %u) overlap at 0x%llx", j,
					 nodes[j].node, i, nodes[i].node,
					 (unsigned long long)(nodes[i].start > nodes[j].start
						? nodes[i].start : nodes[j].start));
		}
	}
}

/* The node of frame pfn and the first frame after it where that may
 * change (the end of its entry, or the next entry's start). */
static unsigned int node_of_pfn(const struct mm_node_range *nodes, size_t nn,
				uint64_t pfn, uint64_t *until)
{
	uint64_t pa = pfn << MM_PAGE_SHIFT, next = UINT64_MAX;

	for (size_t i = 0; i < nn; i++) {
		uint64_t start = nodes[i].start, end = start + nodes[i].length;

		if (pa >= start && pa < end) {
			*until = (end + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
			return nodes[i].node;
		}
		if (start > pa && start < next)
			next = start;
	}
	*until = next == UINT64_MAX ? UINT64_MAX : next >> MM_PAGE_SHIFT;
	if (*until <= pfn)
		*until = pfn + 1;
	return 0; /* RAM no entry covers: node 0 (documented) */
}

/* Cuts the regions where the node changes; each piece is one node's. */
static void split_regions_by_node(const struct mm_node_range *nodes, size_t nn)
{
	static struct mm_region out[MM_MAX_REGIONS];
	size_t n = 0;

	if (nn == 0)
		return; /* every region on node 0 */
	for (size_t i = 0; i < nregions; i++) {
		uint64_t pfn = regions[i].base_pfn;
		uint64_t end = pfn + regions[i].nr_frames;

		while (pfn < end) {
			uint64_t until;
			unsigned int node = node_of_pfn(nodes, nn, pfn, &until);
			uint64_t stop = until < end ? until : end;

			if (n > 0 && out[n - 1].node == node &&
			    out[n - 1].base_pfn + out[n - 1].nr_frames == pfn) {
				out[n - 1].nr_frames += stop - pfn;
			} else {
				if (n == MM_MAX_REGIONS)
					mm_panic("mm_init_numa: more than %d usable "
						 "regions once cut at node edges",
						 MM_MAX_REGIONS);
				out[n++] = (struct mm_region){ .base_pfn = pfn,
							       .nr_frames = stop - pfn,
							       .node = node };
			}
			pfn = stop;
		}
	}
	__builtin_memcpy(regions, out, n * sizeof(out[0]));
	nregions = n;
}

static void reserve_bytes(uint64_t start, uint64_t length)
{
	uint64_t end = start + length;

	if (end < start)
		end = UINT64_MAX;
	/* reserved ranges round outward to whole frames */
	mm_early_reserve(start >> MM_PAGE_SHIFT,
		      (end >> MM_PAGE_SHIFT) + ((end & (MM_PAGE_SIZE - 1)) != 0));
}

unsigned int mm_zone_runs;
uint64_t mm_zone_run_start[MM_MAX_SPANS + 1];
uint16_t mm_zone_run_slot[MM_MAX_SPANS];

/* index_zone's runs: consecutive spans of one slot merged. */
static void build_zone_runs(void)
{
	mm_zone_runs = 0;
	for (size_t i = 0; i < nspans; i++) {
		if (mm_zone_runs && mm_zone_run_slot[mm_zone_runs - 1] == spans[i].zone)
			continue;
		mm_zone_run_start[mm_zone_runs] = spans[i].first_index;
		mm_zone_run_slot[mm_zone_runs++] = (uint16_t)spans[i].zone;
	}
	for (unsigned int k = mm_zone_runs; k <= MM_MAX_SPANS; k++)
		mm_zone_run_start[k] = UINT64_MAX;
	if (mm_zone_runs)
		mm_zone_run_start[0] = 0;
}

static void build_spans(void)
{
	static const uint64_t edges[] = { ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN,
					  UINT64_MAX };
	nspans = 0;
	for (size_t i = 0; i < nregions; i++) {
		struct mm_region *r = &regions[i];
		uint64_t pfn = r->base_pfn, end = r->base_pfn + r->nr_frames;

		while (pfn < end) {
			enum zone_type z = pfn_zone(pfn);
			uint64_t stop = edges[z] < end ? edges[z] : end;

			spans[nspans++] = (struct mm_span){
				.base_pfn = pfn,
				.nr_frames = stop - pfn,
				.first_index = r->first_index + (pfn - r->base_pfn),
				.pa_lo = pfn << MM_PAGE_SHIFT,
				.bytes = (stop - pfn) << MM_PAGE_SHIFT,
				.page_bias = (uintptr_t)(r->pages + (pfn - r->base_pfn)) -
					     (uintptr_t)pfn * sizeof(struct page),
				.zone = mm_zone_slot(r->node, z),
				.region = r,
			};
			pfn = stop;
		}
	}
}

void mm_memmap_setup(const struct mm_range *map, size_t n,
		     const struct mm_range *reserved, size_t nres,
		     const struct mm_node_range *nodes, size_t nn)
{
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		mm_span_hints[c].span = &no_span;
	mm_pa_main = (struct mm_pa_window){ 0 };
	find_regions(map, n);
	check_node_ranges(nodes, nn);
	split_regions_by_node(nodes, nn);

	mm_early_reset();
	for (size_t i = 0; i < nregions; i++)
		mm_early_add(regions[i].base_pfn,
			  regions[i].base_pfn + regions[i].nr_frames);
	for (size_t i = 0; i < n; i++) /* a sloppy map may overlap itself */
		if (map[i].type != MM_RANGE_USABLE)
			reserve_bytes(map[i].start, map[i].length);
	for (size_t i = 0; i < nres; i++)
		reserve_bytes(reserved[i].start, reserved[i].length);

	mm_nr_frames = 0;
	for (size_t i = 0; i < nregions; i++) {
		regions[i].first_index = mm_nr_frames;
		mm_nr_frames += regions[i].nr_frames;
	}
	if (mm_nr_frames >= MM_NO_PAGE)
		mm_panic("mm_init: too much RAM (%llu frames, max %u)",
			 (unsigned long long)mm_nr_frames, MM_NO_PAGE - 1);

	uint64_t before = mm_early_allocated_bytes();
	mm_pages = mm_early_alloc(mm_nr_frames * sizeof(struct page), 64);
	mm_page_state = mm_early_alloc(mm_nr_frames, 64);
	for (size_t i = 0; i < nregions; i++) {
		struct mm_region *r = &regions[i];

		r->pages = mm_pages + r->first_index;
		r->state = mm_page_state + r->first_index;
		mm_freemap_init(&r->freemap, r->base_pfn, r->nr_frames,
			     mm_early_alloc(mm_freemap_storage_bytes(r->nr_frames), 64));
	}
	metadata_bytes = mm_early_allocated_bytes() - before;
	/* Every frame starts "inside a block", unpoisoned. The struct pages
	 * need no initialisation: links are written when a frame is freed,
	 * and PS_PRIV_DIRTY has the owner word cleared at its first use. */
	__builtin_memset(mm_page_state, PS_TAIL | PS_PRIV_DIRTY, mm_nr_frames);
	build_spans();
	build_zone_runs();
	set_pa_main();
}

/* Frames the early allocator did not keep free are reserved (firmware,
 * kernel, the metadata above); the rest enters the buddy lists. */
void mm_memmap_release_early(void)
{
	size_t k = 0, nfree = mm_early_free_count();

	mm_early_retire();
	for (size_t i = 0; i < nspans; i++) {
		const struct mm_span *s = &spans[i];
		struct zone *z = &mm_zones[s->zone];
		uint64_t pfn = s->base_pfn, end = s->base_pfn + s->nr_frames;

		while (pfn < end) {
			uint64_t fs = UINT64_MAX, fe = UINT64_MAX;

			while (k < nfree) {
				mm_early_free_get(k, &fs, &fe);
				if (fe > pfn)
					break;
				k++;
			}
			if (k == nfree)
				fs = fe = UINT64_MAX;
			uint64_t rstop = fs < end ? fs : end;
			if (rstop < pfn)
				rstop = pfn;
			for (; pfn < rstop; pfn++) { /* reserved */
				mm_page_state[span_index(s, pfn)] = PS_RESERVED;
				z->reserved++;
			}
			if (pfn >= end)
				break;
			uint64_t fstop = fe < end ? fe : end;
			unsigned long irq = mm_port_lock_irqsave(&z->lock);
			mm_buddy_add_range_locked(s, pfn, fstop);
			mm_port_unlock_irqrestore(&z->lock, irq);
			pfn = fstop;
		}
	}
	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++)
		mm_zones[i].managed = mm_zones[i].present - mm_zones[i].reserved;
}
