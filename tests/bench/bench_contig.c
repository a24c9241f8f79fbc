/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc on a fragmented 8 GiB map: latency (median, p99) of
 * constrained requests against a linear scan of the frame map on the same
 * state, and the cost of keeping the freemap current.
 *
 * Fragmentation: every frame is allocated, then freed in a random pattern
 * of runs (used runs of 1..64 frames; free runs of 1..8 frames (80%),
 * 1..64 (19%), 1..1024 (1%)), so about a third of memory is free, as a
 * confetti of blocks of every order. Each request is timed alone (rdtsc
 * around contigmalloc) and then freed untimed, which puts the state back
 * exactly; the mm_freemap_sync of what that free left stale (which the next
 * contigmalloc would pay) is timed on its own, and so is the bare search on
 * synced summaries. The baseline, in a second pass over the first 200
 * requests, scans the frame bitmap frame by frame: from the first valid
 * start, test frames until a used one, jump to the next valid start after
 * it; O(frames in the window).
 */
#include <mm/contig.h>
#include <mm/mm.h>

#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "contig/freemap.h"
#include "host_port.h"
#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/pcp.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"

MALLOC_DEFINE(M_BENCH, "bench", "contigmalloc benchmark");

static const struct mm_range bc_map[] = {
	{ 0x0, 0x9f000, MM_RANGE_USABLE },
	{ 0x9f000, 0x61000, MM_RANGE_RESERVED },
	{ 0x100000, 0xbff00000, MM_RANGE_USABLE },     /* 1 MiB .. 3 GiB */
	{ 0xc0000000, 0x40000000, MM_RANGE_RESERVED }, /* PCI hole */
	{ 0x100000000, 0x140000000, MM_RANGE_USABLE }, /* 4 GiB .. 9 GiB */
};
static const struct mm_range bc_reserved[] = {
	{ 0x0, 0x100000, MM_RANGE_RESERVED },
	{ 0x100000, 0x200000, MM_RANGE_RESERVED },
};

static uint64_t bc_rng = 0x5eed5eedull;

static uint64_t bc_rand_below(uint64_t n)
{
	return bench_rand(&bc_rng) % n;
}

/* ---- fragmenting the map ---- */

static struct page **bc_pages;  /* order-0 frames from alloc_pages */
static size_t bc_npages;
static void **bc_rest;          /* the rest (watermark reserves), by contigmalloc */
static size_t bc_nrest;

/* Takes every free frame, then gives back a random pattern of runs. */
static void bc_fragment(void)
{
	size_t cap = 1u << 22;

	bc_pages = malloc(cap * sizeof(*bc_pages));
	bc_rest = malloc(cap * sizeof(*bc_rest));
	mm_pcp_enabled = false;
	bc_npages = bc_nrest = 0;
	for (struct page *p; bc_npages < cap &&
			     (p = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0));)
		bc_pages[bc_npages++] = p;
	for (void *p; bc_nrest < cap && (p = contigmalloc(4096, M_BENCH, M_NOWAIT,
							  0, ~0ull, 4096, 0));)
		bc_rest[bc_nrest++] = p;

	uint64_t max_pfn = 0;

	for (size_t i = 0; i < mm_region_count(); i++) {
		const struct mm_region *r = mm_region_get(i);

		max_pfn = r->base_pfn + r->nr_frames;
	}
	uint8_t *give = calloc(max_pfn, 1);

	for (uint64_t pfn = 0; pfn < max_pfn;) {
		uint64_t used = 1 + bc_rand_below(64);
		uint64_t r = bc_rand_below(100);
		uint64_t freed = r < 80 ? 1 + bc_rand_below(8)
			       : r < 99 ? 1 + bc_rand_below(64)
					: 1 + bc_rand_below(1024);

		pfn += used;
		for (uint64_t i = 0; i < freed && pfn < max_pfn; i++)
			give[pfn++] = 1;
	}
	size_t kept = 0;

	for (size_t i = 0; i < bc_npages; i++) {
		if (give[page_to_pfn(bc_pages[i])])
			__free_pages(bc_pages[i], 0);
		else
			bc_pages[kept++] = bc_pages[i];
	}
	bc_npages = kept;
	kept = 0;
	for (size_t i = 0; i < bc_nrest; i++) {
		if (give[vtophys(bc_rest[i]) >> 12])
			contigfree(bc_rest[i], 4096, M_BENCH);
		else
			bc_rest[kept++] = bc_rest[i];
	}
	bc_nrest = kept;
	free(give);
	mm_pcp_enabled = true;
	drain_all_pages();
}

static void bc_unfragment(void)
{
	for (size_t i = 0; i < bc_npages; i++)
		__free_pages(bc_pages[i], 0);
	for (size_t i = 0; i < bc_nrest; i++)
		contigfree(bc_rest[i], 4096, M_BENCH);
	free(bc_pages);
	free(bc_rest);
	bc_pages = NULL;
	bc_rest = NULL;
	drain_all_pages();
}

/* The search contigmalloc runs under the zone locks: each region's freemap
 * in address order. */
static uint64_t bc_freemap_search(uint64_t lo, uint64_t hi, uint64_t n,
				  uint64_t align, uint64_t boundary)
{
	for (size_t i = 0; i < mm_region_count(); i++) {
		struct mm_region *r = mm_region_get(i);

		if (r->base_pfn >= hi)
			break;
		uint64_t p = mm_freemap_find(&r->freemap, lo, hi, n, align, boundary);

		if (p != FREEMAP_NONE)
			return p;
	}
	return UINT64_MAX;
}

/* ---- the baseline: a linear scan of the frame map ---- */

static uint64_t bc_next_start(uint64_t p, uint64_t n, uint64_t align,
			      uint64_t boundary)
{
	p = (p + align - 1) & ~(align - 1);
	if (boundary && (p ^ (p + n - 1)) & ~(boundary - 1))
		p = (p + boundary - 1) & ~(boundary - 1);
	return p;
}

/* Frame by frame through one region's bitmap (1 = on a buddy free list). */
static uint64_t bc_scan_region(const struct freemap *fm, uint64_t lo,
			       uint64_t hi, uint64_t n, uint64_t align,
			       uint64_t boundary)
{
	const uint64_t *bits = fm->bits;
	uint64_t base = fm->base_pfn, p;

	if (lo < base)
		lo = base;
	if (hi > base + fm->nr_frames)
		hi = base + fm->nr_frames;
	for (p = bc_next_start(lo, n, align, boundary); p < hi && hi - p >= n;) {
		uint64_t i = 0;

		while (i < n && ((bits[(p + i - base) >> 6] >>
				  ((p + i - base) & 63)) & 1))
			i++;
		if (i == n)
			return p;
		p = bc_next_start(p + i + 1, n, align, boundary);
	}
	return UINT64_MAX;
}

static uint64_t bc_linear_scan(uint64_t lo, uint64_t hi, uint64_t n,
			       uint64_t align, uint64_t boundary)
{
	if (boundary && n > boundary)
		return UINT64_MAX;
	for (size_t i = 0; i < mm_region_count(); i++) {
		uint64_t p = bc_scan_region(&mm_region_get(i)->freemap, lo, hi,
					    n, align, boundary);

		if (p != UINT64_MAX)
			return p;
	}
	return UINT64_MAX;
}

/* ---- requests ---- */

struct bc_req {
	unsigned long size, alignment, boundary;
	uint64_t low, high;
};

struct bc_scenario {
	const char *name;
	void (*gen)(struct bc_req *r);
};

static unsigned long bc_pow2(unsigned lo_shift, unsigned hi_shift)
{
	return 1ul << (lo_shift + bc_rand_below(hi_shift - lo_shift + 1));
}

static void gen_small_wide(struct bc_req *r)
{
	r->size = bc_pow2(12, 16);
	r->alignment = r->size;
	r->boundary = 0;
	r->low = 0;
	r->high = ~0ull;
}

static void gen_align_sweep(struct bc_req *r)
{
	r->size = 4096ul << bc_rand_below(3);
	r->alignment = bc_pow2(12, 30);
	r->boundary = 0;
	r->low = 0;
	r->high = ~0ull;
}

static void gen_boundary_sweep(struct bc_req *r)
{
	r->size = 4096 * (1 + bc_rand_below(16));
	r->alignment = 4096;
	r->boundary = bc_pow2(16, 22);
	r->low = 0;
	r->high = ~0ull;
}

static void gen_narrow_window(struct bc_req *r)
{
	r->size = 4096 * (1 + bc_rand_below(32));
	r->alignment = bc_pow2(12, 15);
	r->boundary = bc_rand_below(2) ? 0 : 1ul << 20;
	r->low = bc_rand_below(9ull << 30) & ~0xfffull;
	r->high = r->low + (16ull << 20);
}

static void gen_dma32_large(struct bc_req *r)
{
	r->size = bc_pow2(16, 20) + 4096 * bc_rand_below(4);
	r->alignment = bc_pow2(12, 21);
	r->boundary = bc_rand_below(2) ? 0 : 4ul << 20;
	r->low = 16ull << 20;
	r->high = 4ull << 30;
}

static void gen_dma32_rare(struct bc_req *r)
{
	r->size = bc_pow2(18, 21);
	r->alignment = bc_pow2(16, 21);
	r->boundary = 0;
	r->low = 0;
	r->high = 4ull << 30;
}

static void gen_big_anywhere(struct bc_req *r)
{
	r->size = (1ul << 20) + 4096 * bc_rand_below(768);
	r->alignment = 4096;
	r->boundary = bc_rand_below(2) ? 0 : 4ul << 20;
	r->low = 0;
	r->high = ~0ull;
}

static void gen_impossible(struct bc_req *r)
{
	/* Larger than any free run: the whole window must be ruled out. */
	r->size = 64ul << 20;
	r->alignment = 4096;
	r->boundary = 0;
	r->low = 0;
	r->high = ~0ull;
}

static const struct bc_scenario bc_scenarios[] = {
	{ "4-64 KiB, align = size, all RAM", gen_small_wide },
	{ "4-16 KiB, alignment sweep 4K..1G", gen_align_sweep },
	{ "4-64 KiB, boundary sweep 64K..4M", gen_boundary_sweep },
	{ "4-128 KiB, 16 MiB window, 1M boundary", gen_narrow_window },
	{ "64K-1M+, 16M..4G, align to 2M", gen_dma32_large },
	{ "256K-2M below 4G, align 64K-2M (rare fits)", gen_dma32_rare },
	{ "1-4 MiB anywhere, half with a 4M boundary", gen_big_anywhere },
	{ "64 MiB: larger than any free run", gen_impossible },
};

#define BC_REQUESTS 4000
#define BC_BASELINE 200

static uint64_t bc_t_contig[BC_REQUESTS], bc_t_search[BC_REQUESTS];
static uint64_t bc_t_sync[BC_REQUESTS];
static uint64_t bc_t_scan[BC_BASELINE], bc_t_search_b[BC_BASELINE];
static uint64_t bc_answer[BC_BASELINE], bc_t_contig_b[BC_BASELINE];

static void bc_run_scenario(const struct bc_scenario *s)
{
	static struct bc_req reqs[BC_REQUESTS];
	double cpn = bench_cycles_per_ns();
	int ok = 0, mismatch = 0;

	for (int i = 0; i < BC_REQUESTS; i++)
		s->gen(&reqs[i]);
	for (int i = 0; i < BC_REQUESTS; i++) {
		const struct bc_req *r = &reqs[i];
		uint64_t bytes = (r->size + 4095) & ~4095ull;
		uint64_t lo = (r->low + 4095) >> 12, hi = r->high >> 12;
		uint64_t n = bytes >> 12, a = r->alignment >> 12;
		uint64_t b = r->boundary >> 12;

		/* The call on synced summaries: checks, locks, search, claim
		 * (buddy block splits), tags, statistics. */
		uint64_t c0 = bench_cycles();
		void *p = contigmalloc(r->size, M_BENCH, M_NOWAIT, r->low,
				       r->high, r->alignment, r->boundary);
		uint64_t c1 = bench_cycles();

		bc_t_contig[i] = c1 - c0;
		if (p) {
			ok++;
			contigfree(p, r->size, M_BENCH);
		}
		/* Syncing what contigfree left stale (the next call pays it),
		 * then the search alone on synced summaries. */
		c0 = bench_cycles();
		for (size_t k = 0; k < mm_region_count(); k++)
			mm_freemap_sync(&mm_region_get(k)->freemap);
		bc_t_sync[i] = bench_cycles() - c0;
		c0 = bench_cycles();
		uint64_t found = bc_freemap_search(lo, hi, n, a, b);
		c1 = bench_cycles();
		bc_t_search[i] = c1 - c0;
		if (i < BC_BASELINE)
			bc_answer[i] = p ? vtophys(p) >> 12 : UINT64_MAX;
		if (i < BC_BASELINE && found != bc_answer[i])
			mismatch++;
	}
	/* The baseline in a second pass, so its cache footprint does not
	 * disturb the timings above; the state is the same. */
	for (int i = 0; i < BC_BASELINE; i++) {
		const struct bc_req *r = &reqs[i];
		uint64_t bytes = (r->size + 4095) & ~4095ull;
		uint64_t lo = (r->low + 4095) >> 12, hi = r->high >> 12;
		uint64_t c0 = bench_cycles();
		uint64_t pfn = bc_linear_scan(lo, hi, bytes >> 12,
					      r->alignment >> 12,
					      r->boundary >> 12);
		uint64_t c1 = bench_cycles();

		bc_t_scan[i] = c1 - c0;
		bc_t_search_b[i] = bc_t_search[i];
		bc_t_contig_b[i] = bc_t_contig[i];
		if (pfn != bc_answer[i])
			mismatch++;
	}
	double med = (double)bench_percentile(bc_t_contig, BC_REQUESTS, 50);
	double p99 = (double)bench_percentile(bc_t_contig, BC_REQUESTS, 99);
	double fmed = (double)bench_percentile(bc_t_search, BC_REQUESTS, 50);
	double fp99 = (double)bench_percentile(bc_t_search, BC_REQUESTS, 99);
	double bmed = (double)bench_percentile(bc_t_search_b, BC_BASELINE, 50);
	double cmed = (double)bench_percentile(bc_t_contig_b, BC_BASELINE, 50);
	double smed = (double)bench_percentile(bc_t_scan, BC_BASELINE, 50);
	double sp99 = (double)bench_percentile(bc_t_scan, BC_BASELINE, 99);
	char note[160];

	bench_printf("| **%s** | | | %d/%d satisfied%s |\n", s->name, ok,
		     BC_REQUESTS, mismatch ? ", ANSWERS DIFFER FROM THE SCAN" :
					     ", same answers as the scan");
	bench_row("  contigmalloc median", med / cpn, med, "");
	bench_row("  contigmalloc p99", p99 / cpn, p99, "");
	double ymed = (double)bench_percentile(bc_t_sync, BC_REQUESTS, 50);
	double yp99 = (double)bench_percentile(bc_t_sync, BC_REQUESTS, 99);

	bench_row("  sync after contigfree, median", ymed / cpn, ymed,
		  "paid by the next call: add to the above");
	bench_row("  sync after contigfree, p99", yp99 / cpn, yp99, "");
	bench_row("  freemap search only, median", fmed / cpn, fmed, "");
	bench_row("  freemap search only, p99", fp99 / cpn, fp99, "");
	snprintf(note, sizeof(note), "first %d requests: %.1fx the freemap "
		 "search, %.1fx contigmalloc", BC_BASELINE, smed / bmed,
		 smed / cmed);
	bench_row("  linear scan median", smed / cpn, smed, note);
	snprintf(note, sizeof(note), "%.1fx the contigmalloc p99 (all %d)",
		 sp99 / p99, BC_REQUESTS);
	bench_row("  linear scan p99", sp99 / cpn, sp99, note);
}

BENCH(contig, fragmented_8g)
{
	host_mm_init(bc_map, sizeof(bc_map) / sizeof(bc_map[0]), bc_reserved,
		     sizeof(bc_reserved) / sizeof(bc_reserved[0]));
	uint64_t t0 = bench_now_ns();

	bc_fragment();
	uint64_t free_frames = 0, runs = 0, longest = 0;

	for (size_t i = 0; i < mm_region_count(); i++) {
		const struct mm_region *r = mm_region_get(i);
		uint64_t run = 0;

		free_frames += freemap_nr_free(&r->freemap);
		for (uint64_t f = 0; f <= r->nr_frames; f++) {
			if (f < r->nr_frames &&
			    mm_freemap_is_free(&r->freemap, r->base_pfn + f)) {
				run++;
				continue;
			}
			runs += run > 0;
			longest = run > longest ? run : longest;
			run = 0;
		}
	}
	bench_printf("# fragmented in %.1f s: %llu free frames (%.1f GiB) in "
		     "%llu runs, longest %llu frames\n",
		     (double)(bench_now_ns() - t0) / 1e9,
		     (unsigned long long)free_frames,
		     (double)free_frames / 262144.0, (unsigned long long)runs,
		     (unsigned long long)longest);
	for (size_t i = 0; i < sizeof(bc_scenarios) / sizeof(bc_scenarios[0]); i++)
		bc_run_scenario(&bc_scenarios[i]);
	bc_unfragment();
}

/* ---- keeping the index current ---- */

static struct freemap bc_fm;

static void bc_order0_pair(void *arg, uint64_t iters)
{
	uint64_t base = bc_fm.base_pfn, nr = bc_fm.nr_frames, x = 12345;

	for (uint64_t i = 0; i < iters; i++) {
		uint64_t pfn = base + (x = x * 6364136223846793005ull + 1) % nr;

		mm_freemap_set_used(&bc_fm, pfn, 1);
		mm_freemap_set_free(&bc_fm, pfn, 1);
	}
}

static void bc_block_pair(void *arg, uint64_t iters)
{
	uint64_t base = bc_fm.base_pfn, nr = bc_fm.nr_frames, x = 999;

	for (uint64_t i = 0; i < iters; i++) {
		uint64_t pfn = base + ((x = x * 6364136223846793005ull + 1) %
				       (nr - 1024) & ~1023ull);

		mm_freemap_set_used(&bc_fm, pfn, 1024);
		mm_freemap_set_free(&bc_fm, pfn, 1024);
	}
}

BENCH(contig, freemap_updates)
{
	uint64_t nr = (8ull << 30) >> 12;
	void *storage = aligned_alloc(64, (mm_freemap_storage_bytes(nr) + 63) & ~63ul);

	mm_freemap_init(&bc_fm, 0x100000, nr, storage);
	mm_freemap_set_free(&bc_fm, 0x100000, nr);
	bench_printf("# freemap of 8 GiB: %zu bytes (%.2f bytes per frame)\n",
		     mm_freemap_storage_bytes(nr),
		     (double)mm_freemap_storage_bytes(nr) / (double)nr);
	bench_measure("freemap order-0 used+free pair, random pfn",
		      bc_order0_pair, NULL, 1 << 20, 7);
	bench_measure("freemap 1024-frame block used+free pair",
		      bc_block_pair, NULL, 1 << 18, 7);
	free(storage);
}
