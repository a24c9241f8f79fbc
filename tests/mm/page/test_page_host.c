/* SPDX-License-Identifier: MIT */
/*
 * Host-only frame allocator tests: the real allocator on maps of our choice
 * (host_mm_init): a 64-frame arena where out-of-memory is deterministic,
 * holes that cost nothing, 64 GiB, reserved ranges, holes and zone edges
 * that blocks never cross, several CPUs' lists. Each test ends with
 * host_mm_default() so the next one finds the default state.
 */
#include "page_test_util.h"
#include "host_port.h"
#include "stats.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* 64 frames of RAM at 1 MiB: ZONE_DMA only. */
static void tiny_arena(void)
{
	static const struct mm_range map[] = {
		{ 1 * MiB, 64 * MM_PAGE_SIZE, MM_RANGE_USABLE },
	};
	host_mm_init(map, 1, NULL, 0);
}

KTEST(page_host, tiny_arena_oom_is_deterministic)
{
	tiny_arena();
	struct zone *z = &mm_zones[ZONE_DMA];
	/* metadata: struct pages (1 frame), states (1), freemap (1) */
	KT_EXPECT_EQ(z->present, 64);
	KT_EXPECT_EQ(z->reserved, 3);
	KT_EXPECT_EQ(z->managed, 61);
	KT_EXPECT_EQ(z->free, 61);
	uint64_t min = z->wmark[WMARK_MIN];
	KT_EXPECT(min >= 1 && min < 61);

	struct held h = { 0 };
	unsigned long n = 0;
	while (held_take(&h, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0))
		n++;
	KT_EXPECT_EQ(n, 61 - min);
	unsigned long a = 0;
	while (held_take(&h, GFP_ATOMIC | __GFP_NOWARN, 0))
		a++;
	KT_EXPECT_EQ(a, min / 2 + min / 4); /* GFP_ATOMIC: down to min/4 */
	/* a report is printed (counted) without __GFP_NOWARN */
	unsigned long r = mm_stat_read(MM_STAT_FAIL_REPORTS);
	KT_EXPECT(alloc_pages(GFP_NOWAIT, 0) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_FAIL_REPORTS), r + 1);
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0),
			    "out of memory");
	held_free_all(&h);
	drain_all_pages();
	KT_EXPECT_EQ(z->free, 61);
	mm_check_invariants();
	host_mm_default();
}

/* Struct pages start uninitialised (a real machine's RAM holds anything):
 * junk in every one before mm_init, then every frame handed out, tagged,
 * given back and merged; the block that comes back must be all zeros. In
 * the 64-frame arena (61 free frames) the one order-5 block holds half of
 * them, so it is made of tagged frames. */
KTEST(page_host, owner_words_are_zero_after_junk_and_merges)
{
	static const struct mm_range map[] = {
		{ 1 * MiB, 64 * MM_PAGE_SIZE, MM_RANGE_USABLE },
	};
	struct page *f[64];
	int n = 0;

	tiny_arena();
	__builtin_memset(mm_pages, 0xa5, mm_nr_frames * sizeof(struct page));
	mm_init(map, 1, NULL, 0); /* same arena, same layout, junk kept */
	mm_pcp_enabled = false;   /* order 0 straight from the buddy lists */
	while (n < 64 && (f[n] = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0))) {
		KT_EXPECT_EQ(page_private(f[n]), 0);
		set_page_private(f[n], 0x5a5a0000ul + (unsigned long)n);
		n++;
	}
	KT_EXPECT(n >= 32);
	for (int i = 0; i < n; i++)
		__free_pages(f[i], 0);
	KT_EXPECT_EQ(mm_zones[ZONE_DMA].area[5].nr_blocks, 1);
	struct page *b = alloc_pages(GFP_KERNEL, 5);
	KT_ASSERT(b != NULL);
	unsigned long nonzero = 0;
	for (int i = 0; i < 32; i++) {
		nonzero += page_private(&b[i]) != 0;
		set_page_private(&b[i], 0x77000000ul + (unsigned long)i);
	}
	KT_EXPECT_EQ(nonzero, 0);
	__free_pages(b, 5);
	/* the tagged order-5 block split into order-0 frames: all clean */
	n = 0;
	while (n < 64 && (f[n] = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0))) {
		KT_EXPECT_EQ(page_private(f[n]), 0);
		n++;
	}
	for (int i = 0; i < n; i++)
		__free_pages(f[i], 0);
	mm_pcp_enabled = true;
	mm_check_invariants();
	host_mm_default();
}

KTEST(page_host, holes_cost_nothing)
{
	/* RAM at 0-1 GiB and 64-65 GiB: the same frame metadata as 2 GiB */
	static const struct mm_range sparse[] = {
		{ 0, 1 * GiB, MM_RANGE_USABLE },
		{ 64 * GiB, 1 * GiB, MM_RANGE_USABLE },
	};
	static const struct mm_range dense[] = {
		{ 0, 2 * GiB, MM_RANGE_USABLE },
	};
	host_mm_init(sparse, 2, NULL, 0);
	uint64_t frames_sparse = mm_nr_frames, meta_sparse = mm_memmap_metadata_bytes();
	KT_EXPECT(pfn_to_page((2 * GiB) >> MM_PAGE_SHIFT) == NULL);
	KT_EXPECT(pfn_to_page((64 * GiB) >> MM_PAGE_SHIFT) != NULL);
	host_mm_init(dense, 1, NULL, 0);
	uint64_t frames_dense = mm_nr_frames, meta_dense = mm_memmap_metadata_bytes();
	ktest_printf("# metadata: 0-1G + 64-65G: %llu bytes; 0-2G: %llu bytes\n",
		     (unsigned long long)meta_sparse, (unsigned long long)meta_dense);
	KT_EXPECT_EQ(frames_sparse, frames_dense);
	/* struct page + state are exactly equal; the per-region freemaps may
	 * round differently by a frame */
	KT_EXPECT(meta_sparse <= meta_dense + 2 * MM_PAGE_SIZE);
	KT_EXPECT(meta_sparse + 2 * MM_PAGE_SIZE >= meta_dense);
	KT_EXPECT(meta_dense <= 16 * frames_dense);
	host_mm_default();
}

KTEST(page_host, init_of_64_gib)
{
	static const struct mm_range map[] = {
		{ 0, 0x9f000, MM_RANGE_USABLE },
		{ 1 * MiB, 3 * GiB - 1 * MiB, MM_RANGE_USABLE },
		{ 3 * GiB, 1 * GiB, MM_RANGE_RESERVED },
		{ 4 * GiB, 61 * GiB, MM_RANGE_USABLE },
	};
	host_mm_init(map, 4, NULL, 0);
	ktest_printf("# 64 GiB: init %llu us, %llu frames, metadata %llu KiB\n",
		     (unsigned long long)(mm_init_ns / 1000),
		     (unsigned long long)mm_nr_frames,
		     (unsigned long long)(mm_memmap_metadata_bytes() >> 10));
	KT_EXPECT_EQ(mm_nr_frames, (0x9full) + ((3 * GiB - 1 * MiB) >> 12) +
					   ((61 * GiB) >> 12));
	KT_EXPECT(mm_zones[ZONE_NORMAL].managed > (60 * GiB) >> 12);
	struct page *p = alloc_pages(GFP_HIGHUSER, MM_MAX_ORDER);
	KT_ASSERT(p != NULL);
	KT_EXPECT(page_to_phys(p) >= 4 * GiB);
	__free_pages(p, MM_MAX_ORDER);
	mm_check_invariants();
	host_mm_default();
}

struct overlap {
	uint64_t lo, hi; /* a reserved range, in pfns */
	unsigned long hits;
};

static void check_overlap(uint64_t pfn, unsigned int order, void *arg)
{
	struct overlap *o = arg;

	if (pfn < o->hi && pfn + (1ull << order) > o->lo)
		o->hits++;
}

KTEST(page_host, reserved_ranges_are_never_handed_out)
{
	static const struct mm_range map[] = {
		{ 0, 64 * MiB, MM_RANGE_USABLE },
	};
	/* odd, overlapping, unaligned reservations */
	static const struct mm_range res[] = {
		{ 0x123456, 0x5000, MM_RANGE_RESERVED },
		{ 0x124000, 0x100, MM_RANGE_RESERVED },
		{ 20 * MiB + 17, 3 * MiB, MM_RANGE_RESERVED },
	};
	host_mm_init(map, 1, res, 3);
	struct held h = { 0 };
	held_take_all(&h, GFP_ATOMIC | __GFP_NOWARN);
	struct overlap a = { 0x123, 0x129, 0 }, b = { (20 * MiB) >> 12,
						      ((23 * MiB) >> 12) + 1, 0 };
	held_for_each(&h, check_overlap, &a);
	held_for_each(&h, check_overlap, &b);
	KT_EXPECT_EQ(a.hits, 0);
	KT_EXPECT_EQ(b.hits, 0);
	KT_EXPECT_EQ(ps_kind(mm_page_state[0x128]), PS_RESERVED);
	KT_EXPECT(ps_kind(mm_page_state[0x129]) != PS_RESERVED);
	KT_EXPECT_EQ(ps_kind(mm_page_state[(23 * MiB) >> 12]), PS_RESERVED);
	held_free_all(&h);
	mm_check_invariants();
	host_mm_default();
}

KTEST(page_host, blocks_never_merge_across_a_hole_or_zone_edge)
{
	static const struct mm_range map[] = {
		/* frames 0x100-0x102 and 0x104-0x107: a one-frame hole */
		{ 0x100000, 0x3000, MM_RANGE_USABLE },
		{ 0x104000, 0x4000, MM_RANGE_USABLE },
		/* across the 16 MiB edge: 4 frames each side */
		{ 16 * MiB - 0x4000, 0x8000, MM_RANGE_USABLE },
		/* room for the metadata */
		{ 32 * MiB, 8 * MiB, MM_RANGE_USABLE },
	};
	host_mm_init(map, 4, NULL, 0);
	struct zone *dma = &mm_zones[ZONE_DMA], *dma32 = &mm_zones[ZONE_DMA32];
	/* DMA: [0x100,0x102) order 1, 0x102 order 0, [0x104,0x108) order 2,
	 * [0xffc,0x1000) order 2 */
	KT_EXPECT_EQ(dma->area[0].nr_blocks, 1);
	KT_EXPECT_EQ(dma->area[1].nr_blocks, 1);
	KT_EXPECT_EQ(dma->area[2].nr_blocks, 2);
	KT_EXPECT_EQ(dma->area[3].nr_blocks, 0);
	KT_EXPECT_EQ(dma->free, 3 + 4 + 4);
	/* freeing everything again keeps them apart */
	struct held h = { 0 };
	held_take_all(&h, GFP_ATOMIC | GFP_DMA | __GFP_NOWARN);
	held_free_all(&h);
	drain_all_pages();
	KT_EXPECT_EQ(dma->area[2].nr_blocks, 2);
	KT_EXPECT_EQ(dma->area[3].nr_blocks, 0);
	/* the 16 MiB edge: DMA32 starts with its own order-2 block */
	KT_EXPECT(pfn_to_span(0x1000) != pfn_to_span(0xfff));
	KT_EXPECT_EQ(mm_pfn_to_region(0x1000), mm_pfn_to_region(0xfff));
	KT_EXPECT_EQ(ps_kind(mm_page_state[page_index(pfn_to_page(0x1000))]),
		     PS_FREE);
	KT_EXPECT(dma32->area[2].nr_blocks >= 1);
	mm_check_invariants();
	host_mm_default();
}

KTEST(page_host, per_cpu_lists_are_per_cpu_and_drain)
{
	struct buddyinfo start;

	page_test_begin(&start);
	host_set_cpu(1);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(p != NULL);
	__free_pages(p, 0);
	host_set_cpu(0);
	/* CPU 0 does not see CPU 1's hot frame */
	struct page *q = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(q != NULL);
	KT_EXPECT(q != p);
	__free_pages(q, 0);
	unsigned long on_lists = mm_pcp_count_all();
	KT_EXPECT(on_lists >= 2);
	KT_EXPECT_EQ(drain_all_pages(), on_lists);
	KT_EXPECT_EQ(mm_pcp_count_all(), 0);
	page_test_end(&start);
}

KTEST(page_host, pcp_off_uses_the_buddy_lists)
{
	struct buddyinfo start;

	page_test_begin(&start);
	mm_pcp_enabled = false;
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(mm_pcp_count_all(), 0);
	__free_pages(p, 0);
	KT_EXPECT_EQ(mm_pcp_count_all(), 0);
	mm_pcp_enabled = true;
	page_test_end(&start);
}

KTEST(page_host, bad_maps_panic_with_a_reason)
{
	static const struct mm_range none[] = {
		{ 0, 1 * MiB, MM_RANGE_RESERVED },
	};
	static const struct mm_range wraps[] = {
		{ 1 * MiB, ~0ull, MM_RANGE_USABLE },
	};
	KT_EXPECT_PANIC_MSG(mm_init(none, 1, NULL, 0), "no usable RAM");
	KT_EXPECT_PANIC_MSG(mm_init(wraps, 1, NULL, 0), "wraps around");
	host_mm_default();
	KT_EXPECT(nr_free_pages() > 0);
}

/* The port's CPU count bounds every walk over the per-CPU lists; a count
 * outside 1..MM_MAX_CPUS is the port's bug and is named, not followed. */
KTEST(page_host, cpu_count_outside_the_contract_panics)
{
	unsigned int cpus = mm_port_cpu_count();

	host_set_cpu_count(0);
	KT_EXPECT_PANIC_MSG(nr_free_pages(), "mm_port_cpu_count: 0 CPUs");
	host_set_cpu_count(MM_MAX_CPUS + 1);
	KT_EXPECT_PANIC_MSG(drain_all_pages(), "mm_port_cpu_count: 65 CPUs");
	host_set_cpu_count(cpus);
	KT_EXPECT(nr_free_pages() > 0);
}

/* A request whose zonelist has no RAM (GFP_DMA on a machine whose RAM
 * starts at 16 MiB) cannot be helped by reclaim: no shrinker is asked, and
 * __GFP_NOFAIL ends in the out-of-memory panic at once. */
KTEST(page_host, no_ram_in_the_zonelist_asks_no_shrinker)
{
	static const struct mm_range map[] = {
		{ 16 * MiB, 16 * MiB, MM_RANGE_USABLE },
	};
	struct test_shrinker ts;

	host_mm_init(map, 1, NULL, 0);
	KT_ASSERT_EQ(mm_zones[ZONE_DMA].managed, 0);
	test_shrinker_init(&ts, "test-no-dma", 0);
	KT_ASSERT_EQ(test_shrinker_fill(&ts, 8), 8);
	KT_EXPECT(alloc_pages(GFP_KERNEL | GFP_DMA | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(ts.calls, 0);
	unsigned long r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS);
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | GFP_DMA | __GFP_NOFAIL, 0),
			    "out of memory");
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_RECLAIM_ROUNDS), r);
	KT_EXPECT_EQ(ts.calls, 0);
	test_shrinker_done(&ts);
	host_mm_default();
}

/* Every CPU's list of a zone together holds at most 1/8 of the zone, so
 * 64 CPUs on a 128 MiB machine cannot park a third of its memory on lists
 * (before, each list could hold 6 batches whatever the CPU count). */
KTEST(page_host, per_cpu_limits_scale_with_the_cpu_count)
{
	static const struct mm_range map[] = {
		{ 0, 0x9f000, MM_RANGE_USABLE },
		{ 1 * MiB, 127 * MiB, MM_RANGE_USABLE },
	};
	unsigned int cpus = mm_port_cpu_count();

	host_set_cpu_count(MM_MAX_CPUS);
	host_mm_init(map, 2, NULL, 0);
	for (int z = 0; z < MM_NR_ZONES; z++) {
		const struct zone *zone = &mm_zones[z];

		if (!zone->managed)
			continue;
		uint64_t most = (uint64_t)MM_MAX_CPUS * (zone->pcp_high + 1);
		ktest_printf("# %s: %llu frames, %u CPUs x (high %u + 1) = %llu\n",
			     zone->name, (unsigned long long)zone->managed,
			     MM_MAX_CPUS, zone->pcp_high, (unsigned long long)most);
		KT_EXPECT(zone->pcp_batch >= 1 && zone->pcp_batch <= zone->pcp_high);
		KT_EXPECT(most <= zone->managed / 8 + MM_MAX_CPUS);
	}
	host_set_cpu_count(cpus);
	host_mm_default();
}
