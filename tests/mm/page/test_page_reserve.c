/* SPDX-License-Identifier: MIT */
/*
 * The watermark rule on every path, per-CPU lists included, and what direct
 * reclaim counts as progress.
 *
 * free(z) is what nr_free_pages() counts: the zone's buddy lists plus its
 * frames on per-CPU lists. An order-k request whose first zone is c may take
 * from zone z only while free(z) - 2^k >= mark + lowmem_reserve[c]
 * (mm/zone.c), wherever the frame comes from. Reclaim progress is what the
 * failing request can use: frames the shrinkers freed into its zones.
 * Frames drained from per-CPU lists were free already and are not progress.
 */
#include "page_test_util.h"
#include "page/pcp.h"
#include "stats.h"

static const gfp_t TAKE = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;

static unsigned long take_while(struct held *h, gfp_t gfp, unsigned long max)
{
	unsigned long n = 0;

	while (n < max && held_take(h, gfp | __GFP_NOWARN, 0))
		n++;
	return n;
}

/* Borrow up to k frames of the emergency reserve with `borrower` and give
 * them back (onto this CPU's lists); then `normal` must get none of them. */
static void reserve_round_trip(gfp_t borrower, gfp_t normal, const char *what)
{
	struct held hog = { 0 }, borrowed = { 0 }, got = { 0 };
	struct buddyinfo start;

	page_test_quiesce();
	page_test_begin(&start);
	held_take_all(&hog, TAKE);
	/* everything GFP_KERNEL, GFP_DMA or GFP_DMA32 may take is gone */
	held_take_all(&hog, TAKE | GFP_DMA32);
	held_take_all(&hog, TAKE | GFP_DMA);
	drain_all_pages();
	KT_EXPECT(alloc_pages(normal | __GFP_NOWARN, 0) == NULL);
	unsigned long before = nr_free_pages();

	unsigned long k = take_while(&borrowed, borrower, 32);
	KT_EXPECT(k > 0);
	held_free_all(&borrowed);
	KT_EXPECT_EQ(nr_free_pages(), before);
	unsigned long n = take_while(&got, normal, 64);
	ktest_printf("# %s: borrowed %lu reserve frames and gave them back; "
		     "then took %lu\n", what, k, n);
	KT_EXPECT_EQ(n, 0);
	held_free_all(&got);
	held_free_all(&hog);
	page_test_end(&start);
}

KTEST(page_reserve, atomic_reserve_given_back_is_not_for_nowait)
{
	reserve_round_trip(GFP_ATOMIC, GFP_NOWAIT, "GFP_ATOMIC -> GFP_NOWAIT");
}

KTEST(page_reserve, atomic_reserve_given_back_is_not_for_kernel_noretry)
{
	reserve_round_trip(GFP_ATOMIC, TAKE, "GFP_ATOMIC -> GFP_KERNEL|__GFP_NORETRY");
}

KTEST(page_reserve, high_reserve_given_back_is_not_for_nowait)
{
	reserve_round_trip(GFP_NOWAIT | __GFP_HIGH, GFP_NOWAIT,
			   "__GFP_HIGH -> GFP_NOWAIT");
}

KTEST(page_reserve, dma_reserve_given_back_is_not_for_nowait)
{
	const struct zone *dma = &mm_zones[ZONE_DMA];
	if (!dma->managed)
		KT_SKIP("no ZONE_DMA RAM");
	/* the reserve is min/2 + min/4 frames (mm/page/zone.c): none when
	 * ZONE_DMA's share of the machine's min is 1 frame (64 GiB and up) */
	uint64_t min = dma->wmark[WMARK_MIN];
	if (min / 2 + min / 4 == 0) {
		struct held got = { 0 };
		struct buddyinfo start;
		page_test_quiesce();
		page_test_begin(&start);
		held_take_all(&got, TAKE | GFP_DMA);
		unsigned long k = take_while(&got, GFP_ATOMIC | GFP_DMA, 32);
		held_free_all(&got);
		page_test_end(&start);
		KT_EXPECT_EQ(k, 0);
		if (k)
			return; /* failed: not a skip */
		KT_SKIP("ZONE_DMA's min is 1 frame: GFP_ATOMIC's reserve there "
			"(min/2 + min/4) is 0 frames, nothing to borrow (checked: "
			"GFP_ATOMIC|GFP_DMA gets nothing past GFP_KERNEL's mark)");
	}
	reserve_round_trip(GFP_ATOMIC | GFP_DMA, GFP_NOWAIT | GFP_DMA,
			   "ZONE_DMA: GFP_ATOMIC -> GFP_NOWAIT");
	reserve_round_trip(GFP_ATOMIC | GFP_DMA, TAKE | GFP_DMA,
			   "ZONE_DMA: GFP_ATOMIC -> GFP_KERNEL|__GFP_NORETRY");
}

/* The other direction: frames freed onto a per-CPU list above min are free,
 * so GFP_NOWAIT gets exactly those (the rule counts them, it does not
 * ignore them). */
KTEST(page_reserve, frames_on_cpu_lists_count_towards_the_mark)
{
	struct held hog = { 0 }, mine = { 0 }, got = { 0 };
	struct buddyinfo start;

	page_test_quiesce();
	page_test_begin(&start);
	unsigned long m = take_while(&mine, TAKE, 8);
	KT_ASSERT_EQ(m, 8);
	held_take_all(&hog, TAKE);
	drain_all_pages();
	KT_EXPECT(alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0) == NULL);
	held_free_all(&mine); /* onto this CPU's list: 8 frames above min */
	unsigned long n = take_while(&got, GFP_NOWAIT, 64);
	KT_EXPECT_EQ(n, m);
	held_free_all(&got);
	held_free_all(&hog);
	page_test_end(&start);
}

/* A shrinker that holds one block of ZONE_DMA and frees it when asked. */
struct dma_shrinker {
	struct shrinker s;
	struct page *block;
	unsigned int order;
	unsigned long calls;
};

static unsigned long dma_scan(struct shrinker *s, gfp_t gfp, unsigned long nr)
{
	struct dma_shrinker *d = (struct dma_shrinker *)s;

	d->calls++;
	if (!d->block)
		return 0;
	__free_pages(d->block, d->order);
	d->block = NULL;
	return 1ul << d->order;
}

/*
 * Ordinary frames sit on ZONE_NORMAL's (or DMA32's) per-CPU list; ZONE_DMA is
 * at its mark and a shrinker holds a ZONE_DMA block. A GFP_KERNEL|GFP_DMA
 * request must reach that shrinker: draining the other zone's list gives it
 * nothing it can use.
 */
static void reclaim_reaches_the_dma_shrinker(unsigned int order)
{
	struct held hog = { 0 }, mine = { 0 };
	struct dma_shrinker d = { .s = { .scan = dma_scan, .name = "test-dma" } };
	struct buddyinfo start;

	page_test_quiesce();
	page_test_begin(&start);
	d.order = order;
	d.block = alloc_pages(GFP_KERNEL | GFP_DMA | __GFP_NOWARN, order);
	KT_ASSERT(d.block != NULL);
	register_shrinker(&d.s);
	unsigned long m = take_while(&mine, TAKE, 8);
	KT_ASSERT_EQ(m, 8);
	KT_ASSERT(pfn_zone(virt_to_phys(mine.head) >> MM_PAGE_SHIFT) != ZONE_DMA);
	held_take_all(&hog, TAKE | GFP_DMA);
	held_take_all(&hog, TAKE);
	drain_all_pages();
	held_free_all(&mine); /* 8 frames of another zone on this CPU's list */
	KT_EXPECT(mm_pcp_count_all() >= (1ul << order));

	struct page *p = alloc_pages(GFP_KERNEL | GFP_DMA | __GFP_NOWARN, order);
	ktest_printf("# order %u: GFP_KERNEL|GFP_DMA %s, DMA shrinker called %lu "
		     "times\n", order, p ? "succeeded" : "failed", d.calls);
	KT_EXPECT(p != NULL);
	KT_EXPECT_EQ(d.calls, 1);
	if (p) {
		KT_EXPECT_EQ(pfn_zone(page_to_pfn(p)), ZONE_DMA);
		__free_pages(p, order);
	}
	unregister_shrinker(&d.s);
	if (d.block)
		__free_pages(d.block, order);
	held_free_all(&hog);
	page_test_end(&start);
}

KTEST(page_reserve, drained_frames_are_not_reclaim_progress)
{
	if (!mm_zones[ZONE_DMA].managed)
		KT_SKIP("no ZONE_DMA RAM");
	reclaim_reaches_the_dma_shrinker(0);
}

KTEST(page_reserve, drained_frames_are_not_reclaim_progress_order_1)
{
	if (!mm_zones[ZONE_DMA].managed)
		KT_SKIP("no ZONE_DMA RAM");
	reclaim_reaches_the_dma_shrinker(1);
}

/* A shrinker holding one block of each of two zones; each call frees the
 * first one it still has (the "wrong" zone first), as the slab shrinker
 * frees empty slabs in cache order whatever the caller's zone. */
struct two_zone_shrinker {
	struct shrinker s;
	struct page *block[2];
	unsigned long calls;
};

static unsigned long two_zone_scan(struct shrinker *s, gfp_t gfp, unsigned long nr)
{
	struct two_zone_shrinker *t = (struct two_zone_shrinker *)s;

	t->calls++;
	for (int i = 0; i < 2; i++)
		if (t->block[i]) {
			__free_pages(t->block[i], 0);
			t->block[i] = NULL;
			return 1;
		}
	return 0;
}

/* A shrinker whose first frees land outside the request's zones is asked
 * again: GFP_KERNEL|GFP_DMA gets the ZONE_DMA frame it holds, with and
 * without __GFP_NOFAIL, in one reclaim round. */
KTEST(page_reserve, a_shrinker_that_frees_elsewhere_first_is_asked_again)
{
	static const gfp_t masks[] = { GFP_KERNEL | GFP_DMA | __GFP_NOWARN,
				       GFP_KERNEL | GFP_DMA | __GFP_NOFAIL };
	if (!mm_zones[ZONE_DMA].managed)
		KT_SKIP("no ZONE_DMA RAM");
	for (unsigned int m = 0; m < 2; m++) {
		struct held hog = { 0 };
		struct two_zone_shrinker t = {
			.s = { .scan = two_zone_scan, .name = "test-two-zones" } };
		struct buddyinfo start;

		page_test_quiesce();
		page_test_begin(&start);
		t.block[0] = alloc_pages(TAKE, 0);
		t.block[1] = alloc_pages(TAKE | GFP_DMA, 0);
		KT_ASSERT(t.block[0] && t.block[1]);
		KT_ASSERT(pfn_zone(page_to_pfn(t.block[0])) != ZONE_DMA);
		register_shrinker(&t.s);
		held_take_all(&hog, TAKE | GFP_DMA);
		drain_all_pages();
		unsigned long r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS);
		struct page *p = alloc_pages(masks[m], 0);
		KT_EXPECT(p != NULL);
		KT_EXPECT_EQ(t.calls, 2);
		KT_EXPECT_EQ(mm_stat_read(MM_STAT_RECLAIM_ROUNDS) - r, 1);
		if (p) {
			KT_EXPECT_EQ(pfn_zone(page_to_pfn(p)), ZONE_DMA);
			__free_pages(p, 0);
		}
		unregister_shrinker(&t.s);
		for (int i = 0; i < 2; i++)
			if (t.block[i])
				__free_pages(t.block[i], 0);
		held_free_all(&hog);
		page_test_end(&start);
	}
}

/* GFP_ATOMIC holds reserve frames: what a shrinker frees first refills the
 * reserve. GFP_KERNEL asks for what it lacks (mark + 1 - free), not for
 * one frame, and succeeds while the shrinker still has frames. */
KTEST(page_reserve, reclaim_asks_for_the_shortfall_below_the_mark)
{
	struct held hog = { 0 }, reserve = { 0 }, got = { 0 };
	struct test_shrinker ts;
	struct buddyinfo start;

	page_test_quiesce();
	page_test_begin(&start);
	test_shrinker_init(&ts, "test-shortfall", 0);
	KT_ASSERT_EQ(test_shrinker_fill(&ts, 16), 16);
	held_take_all(&hog, TAKE);
	drain_all_pages();
	unsigned long k = take_while(&reserve, GFP_ATOMIC, 4);
	KT_ASSERT(k > 0);
	struct page *p = held_take(&got, GFP_KERNEL | __GFP_NOWARN, 0);
	ktest_printf("# GFP_ATOMIC holds %lu reserve frames; GFP_KERNEL %s after "
		     "%lu shrinker calls freeing %lu frames\n", k,
		     p ? "succeeded" : "failed", ts.calls, ts.freed);
	KT_EXPECT(p != NULL);
	KT_EXPECT_EQ(ts.freed, k + 1);
	held_free_all(&got);
	held_free_all(&reserve);
	test_shrinker_done(&ts);
	held_free_all(&hog);
	page_test_end(&start);
}
