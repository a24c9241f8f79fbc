/* SPDX-License-Identifier: MIT */
/*
 * Each GFP flag's observable behaviour, on the live allocator. The pressure
 * tests first take every frame GFP_KERNEL may take (down to min +
 * lowmem_reserve in each zone), so the next request needs reclaim or the
 * reserve; test shrinkers count their calls and free frames they hold.
 */
#include "page_test_util.h"
#include "page/pcp.h"
#include "stats.h"

struct pressure {
	struct buddyinfo start;
	struct held hog;
};

static const gfp_t TAKE = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;

/* Memory is tight: GFP_KERNEL gets nothing without reclaim. Shrinkers
 * registered before this call have their frames already. */
static void pressure_begin(struct pressure *p)
{
	held_take_all(&p->hog, TAKE);
	drain_all_pages();
}

static void pressure_end(struct pressure *p)
{
	held_free_all(&p->hog);
}

KTEST(page_gfp, reclaim_runs_only_for_flags_that_may_sleep)
{
	struct pressure p = { .hog = { 0 } };
	struct test_shrinker ts;
	struct held got = { 0 }, reserve = { 0 };

	page_test_quiesce();
	page_test_begin(&p.start);
	test_shrinker_init(&ts, "test-any", 0);
	KT_ASSERT_EQ(test_shrinker_fill(&ts, 16), 16);
	pressure_begin(&p);

	KT_EXPECT(held_take(&got, GFP_NOWAIT | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(ts.calls, 0);
	KT_EXPECT(held_take(&got, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(ts.calls, 0);
	/* GFP_ATOMIC: no reclaim, but the reserve. Given back at once: a frame
	 * the shrinker frees later would otherwise only refill the reserve,
	 * which GFP_KERNEL may not take. */
	KT_EXPECT(held_take(&reserve, GFP_ATOMIC | __GFP_NOWARN, 0) != NULL);
	KT_EXPECT_EQ(ts.calls, 0);
	held_free_all(&reserve);
	/* May sleep: the shrinker gives a frame back and the retry gets it */
	/* (Not GFP_DMA32: the lowmem_reserve DMA32 keeps against GFP_KERNEL
	 * is still there for it.) */
	static const gfp_t sleepers[] = { GFP_KERNEL, GFP_USER, GFP_NOFS, GFP_NOIO,
					  GFP_HIGHUSER };
	for (unsigned i = 0; i < sizeof(sleepers) / sizeof(sleepers[0]); i++) {
		unsigned long calls = ts.calls, freed = ts.freed;
		KT_EXPECT(held_take(&got, sleepers[i] | __GFP_NOWARN, 0) != NULL);
		KT_EXPECT_EQ(ts.calls, calls + 1);
		KT_EXPECT_EQ(ts.freed, freed + 1);
		KT_EXPECT_EQ(ts.last_gfp, sleepers[i] | __GFP_NOWARN);
	}
	pressure_end(&p);
	held_free_all(&got);
	test_shrinker_done(&ts);
	page_test_end(&p.start);
}

KTEST(page_gfp, noio_and_nofs_shrinkers_decline)
{
	struct pressure p = { .hog = { 0 } };
	struct test_shrinker io, fs;
	struct held got = { 0 };

	page_test_quiesce();
	page_test_begin(&p.start);
	/* fs is registered last, so it is asked first */
	test_shrinker_init(&io, "test-io", __GFP_IO);
	test_shrinker_init(&fs, "test-fs", __GFP_IO | __GFP_FS);
	KT_ASSERT_EQ(test_shrinker_fill(&io, 8), 8);
	KT_ASSERT_EQ(test_shrinker_fill(&fs, 8), 8);
	pressure_begin(&p);

	/* GFP_NOIO: both asked, both decline, the allocation fails */
	KT_EXPECT(held_take(&got, GFP_NOIO | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(fs.calls, 1);
	KT_EXPECT_EQ(io.calls, 1);
	KT_EXPECT_EQ(fs.freed + io.freed, 0);
	/* GFP_NOFS: the fs shrinker declines, the I/O one frees */
	KT_EXPECT(held_take(&got, GFP_NOFS | __GFP_NOWARN, 0) != NULL);
	KT_EXPECT_EQ(fs.calls, 2);
	KT_EXPECT_EQ(fs.freed, 0);
	KT_EXPECT_EQ(io.calls, 2);
	KT_EXPECT_EQ(io.freed, 1);
	/* GFP_KERNEL: the fs shrinker frees, the I/O one is not needed */
	KT_EXPECT(held_take(&got, GFP_KERNEL | __GFP_NOWARN, 0) != NULL);
	KT_EXPECT_EQ(fs.calls, 3);
	KT_EXPECT_EQ(fs.freed, 1);
	KT_EXPECT_EQ(io.calls, 2);

	pressure_end(&p);
	held_free_all(&got);
	test_shrinker_done(&fs);
	test_shrinker_done(&io);
	page_test_end(&p.start);
}

KTEST(page_gfp, noretry_and_repeat_retry_counts)
{
	struct pressure p = { .hog = { 0 } };
	struct test_shrinker io;

	page_test_quiesce();
	page_test_begin(&p.start);
	test_shrinker_init(&io, "test-io", __GFP_IO);
	pressure_begin(&p); /* the shrinker holds nothing: reclaim is futile */

	unsigned long r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS), c = io.calls;
	KT_EXPECT(alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_RECLAIM_ROUNDS) - r, 0);
	KT_EXPECT_EQ(io.calls - c, 0);

	r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS), c = io.calls;
	KT_EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_RECLAIM_ROUNDS) - r, 1);
	KT_EXPECT_EQ(io.calls - c, 1);

	r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS), c = io.calls;
	KT_EXPECT(alloc_pages(GFP_KERNEL | __GFP_REPEAT | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_RECLAIM_ROUNDS) - r, 2);
	KT_EXPECT_EQ(io.calls - c, 2);

	pressure_end(&p);
	test_shrinker_done(&io);
	page_test_end(&p.start);
}

/* __GFP_NOFAIL gets its frames through the shrinker while it has some to
 * give, and panics with an out-of-memory report once reclaim makes no
 * progress: never NULL, never an endless loop. */
KTEST(page_gfp, nofail_succeeds_through_a_shrinker_and_panics_when_impossible)
{
	struct pressure p = { .hog = { 0 } };
	struct test_shrinker ts;
	struct held got = { 0 };

	page_test_quiesce();
	page_test_begin(&p.start);
	test_shrinker_init(&ts, "test-nofail", 0);
	KT_ASSERT_EQ(test_shrinker_fill(&ts, 4), 4);
	pressure_begin(&p);

	for (int i = 0; i < 4; i++)
		KT_EXPECT(held_take(&got, GFP_KERNEL | __GFP_NOFAIL, 0) != NULL);
	KT_EXPECT_EQ(ts.freed, 4);
	KT_EXPECT(ts.pages.head == NULL);
	/* nothing left anywhere: an OOM panic, never NULL, never a hang */
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0),
			    "out of memory");
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_NOWAIT | __GFP_NOFAIL, 2),
			    "__GFP_NOFAIL allocation of order 2");

	pressure_end(&p);
	held_free_all(&got);
	test_shrinker_done(&ts);
	page_test_end(&p.start);
}

/* A shrinker that claims progress on every call and frees nothing: the
 * worst case for __GFP_NOFAIL, which must still end (in an out-of-memory
 * panic), not retry forever. */
static unsigned long liar_calls;

static unsigned long liar_scan(struct shrinker *s, gfp_t gfp, unsigned long nr)
{
	liar_calls++;
	return 1;
}

KTEST(page_gfp, nofail_never_loops_forever_on_false_progress)
{
	struct pressure p = { .hog = { 0 } };
	struct shrinker liar = { .scan = liar_scan, .name = "test-liar" };

	page_test_quiesce();
	page_test_begin(&p.start);
	pressure_begin(&p);
	register_shrinker(&liar);
	liar_calls = 0;
	unsigned long r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS);
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0),
			    "out of memory");
	/* it did retry while "progress" was reported, a bounded number of
	 * times */
	ktest_printf("# %lu reclaim rounds, %lu calls of the lying shrinker\n",
		     mm_stat_read(MM_STAT_RECLAIM_ROUNDS) - r, liar_calls);
	KT_EXPECT(mm_stat_read(MM_STAT_RECLAIM_ROUNDS) - r > 1);
	KT_EXPECT(liar_calls > 1);
	unregister_shrinker(&liar);
	pressure_end(&p);
	page_test_end(&p.start);
}

/* __GFP_HIGH alone (no __GFP_ATOMIC): no reclaim, half the min reserve;
 * GFP_ATOMIC still gets a quarter of min more after it. */
KTEST(page_gfp, high_uses_its_share_of_the_reserve_under_pressure)
{
	struct pressure p = { .hog = { 0 } };
	struct test_shrinker ts;
	struct held high = { 0 }, atomic = { 0 };

	page_test_quiesce();
	page_test_begin(&p.start);
	test_shrinker_init(&ts, "test-high", 0);
	KT_ASSERT_EQ(test_shrinker_fill(&ts, 4), 4);
	pressure_begin(&p);

	KT_EXPECT(alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0) == NULL);
	unsigned long budget = page_budget(GFP_NOWAIT | __GFP_HIGH);
	unsigned long got = 0;
	while (held_take(&high, GFP_NOWAIT | __GFP_HIGH | __GFP_NOWARN, 0))
		got++;
	ktest_printf("# __GFP_HIGH took %lu frames below min (budget %lu)\n",
		     got, budget);
	KT_EXPECT_EQ(got, budget);
	KT_EXPECT(got > 0);
	KT_EXPECT_EQ(ts.calls, 0); /* __GFP_HIGH alone never reclaims */
	/* GFP_ATOMIC goes deeper than __GFP_HIGH */
	drain_all_pages();
	unsigned long abudget = page_budget(GFP_ATOMIC);
	unsigned long agot = 0;
	while (held_take(&atomic, GFP_ATOMIC | __GFP_NOWARN, 0))
		agot++;
	KT_EXPECT_EQ(agot, abudget);
	KT_EXPECT(agot > 0);
	KT_EXPECT_EQ(ts.calls, 0);

	held_free_all(&atomic);
	held_free_all(&high);
	pressure_end(&p);
	test_shrinker_done(&ts);
	page_test_end(&p.start);
}

KTEST(page_gfp, nowarn_silences_the_failure_report)
{
	struct buddyinfo start;

	page_test_begin(&start);
	unsigned long reports = mm_stat_read(MM_STAT_FAIL_REPORTS);
	/* an order above MAX_ORDER always fails, cheaply */
	KT_EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MM_MAX_ORDER + 1) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_FAIL_REPORTS), reports);
	KT_EXPECT(alloc_pages(GFP_NOWAIT, MM_MAX_ORDER + 1) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_FAIL_REPORTS), reports + 1);
	/* GFP_THISNODE includes __GFP_NOWARN */
	KT_EXPECT(alloc_pages(GFP_KERNEL | GFP_THISNODE, MM_MAX_ORDER + 1) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_FAIL_REPORTS), reports + 1);
	page_test_end(&start);
}

KTEST(page_gfp, hot_and_cold_order_of_the_per_cpu_list)
{
	struct buddyinfo start;
	struct page *a[PCP_BATCH_MAX];

	page_test_begin(&start);
	/* after a drain the first order-0 allocation refills `batch` frames;
	 * take exactly those, free them in order: the list is a[n-1] .. a[0] */
	a[0] = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(a[0] != NULL);
	struct zone *z = &mm_zones[pfn_zone(page_to_pfn(a[0]))];
	unsigned int n = z->pcp_batch;
	/* two frames tell the hot end from the cold one (pc-32M's DMA32 zone
	 * has a batch of 3, 2 once the test kernel grows by 70 frames) */
	KT_ASSERT(n >= 2 && n <= PCP_BATCH_MAX);
	for (unsigned int i = 1; i < n; i++) {
		a[i] = alloc_pages(GFP_KERNEL, 0);
		KT_ASSERT(a[i] != NULL);
	}
	for (unsigned int i = 0; i < n; i++)
		__free_pages(a[i], 0);
	/* hot: the frame freed last; cold: the frame freed first */
	struct page *hot = alloc_pages(GFP_KERNEL, 0);
	struct page *cold = alloc_pages(GFP_KERNEL | __GFP_COLD, 0);
	KT_EXPECT_EQ(hot, a[n - 1]);
	KT_EXPECT_EQ(cold, a[0]);
	__free_pages(hot, 0);
	__free_pages(cold, 0);
	page_test_end(&start);
}

KTEST(page_gfp, zero_fills_every_frame)
{
	struct buddyinfo start;

	page_test_begin(&start);
	for (unsigned int o = 0; o <= 3; o++) {
		struct page *p = alloc_pages(GFP_KERNEL, o);
		KT_ASSERT(p != NULL);
		__builtin_memset(page_address(p), 0xa5, MM_PAGE_SIZE << o);
		__free_pages(p, o);
		/* hot reuse likely hands back the dirty frames */
		p = alloc_pages(GFP_KERNEL | __GFP_ZERO, o);
		KT_ASSERT(p != NULL);
		const uint64_t *w = page_address(p);
		uint64_t acc = 0;
		for (uint64_t i = 0; i < (MM_PAGE_SIZE << o) / 8; i++)
			acc |= w[i];
		KT_EXPECT_EQ(acc, 0);
		__free_pages(p, o);
	}
	unsigned long va = get_zeroed_page(GFP_KERNEL);
	KT_ASSERT(va != 0);
	KT_EXPECT_EQ(((uint64_t *)va)[0] | ((uint64_t *)va)[511], 0);
	free_page(va);
	page_test_end(&start);
}

/* On every node id: GFP_THISNODE gives a frame of that node when it has
 * RAM, else NULL at once (no reclaim); without the flag every node id gets
 * a frame (its own node's when it has RAM). */
KTEST(page_gfp, thisnode_never_returns_another_node)
{
	struct buddyinfo start;
	struct page *p;

	page_test_begin(&start);
	for (int nid = 0; nid < MM_MAX_NUMNODES; nid++) {
		bool has_ram = false;
		for (int t = 0; t < MM_NR_ZONES; t++)
			has_ram |= mm_zones[mm_zone_slot((unsigned int)nid,
							 (enum zone_type)t)].managed > 0;
		unsigned long r = mm_stat_read(MM_STAT_RECLAIM_ROUNDS);
		p = alloc_pages_node(nid, GFP_KERNEL | GFP_THISNODE, 0);
		KT_EXPECT_EQ(p != NULL, has_ram);
		if (p) {
			KT_EXPECT_EQ(page_to_nid(p), nid);
			__free_pages(p, 0);
		}
		p = alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 3);
		KT_EXPECT_EQ(p != NULL, has_ram);
		if (p) {
			KT_EXPECT_EQ(page_to_nid(p), nid);
			__free_pages(p, 3);
		}
		KT_EXPECT_EQ(mm_stat_read(MM_STAT_RECLAIM_ROUNDS), r);
		p = alloc_pages_node(nid, GFP_KERNEL, 0);
		KT_ASSERT(p != NULL);
		if (has_ram)
			KT_EXPECT_EQ(page_to_nid(p), nid);
		__free_pages(p, 0);
	}
	p = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL | GFP_THISNODE, 1);
	KT_EXPECT(p != NULL); /* the boot CPU's node has RAM */
	if (p) {
		KT_EXPECT_EQ(page_to_nid(p), numa_node_id());
		__free_pages(p, 1);
	}
	page_test_end(&start);
}

KTEST(page_gfp, high_priority_reserve_shares)
{
	/* __GFP_HIGH may use half the min reserve, GFP_ATOMIC three quarters,
	 * GFP_NOWAIT and GFP_KERNEL none (mm/zone.c). */
	for (int zi = 0; zi < MM_NR_ZONES; zi++) {
		struct zone *z = &mm_zones[zi];
		uint64_t min = z->wmark[WMARK_MIN];
		if (!z->managed)
			continue;
		KT_EXPECT_EQ(zone_alloc_mark(z, GFP_KERNEL, zi), min);
		KT_EXPECT_EQ(zone_alloc_mark(z, GFP_NOWAIT, zi), min);
		KT_EXPECT_EQ(zone_alloc_mark(z, GFP_KERNEL | __GFP_HIGH, zi),
			     min - min / 2);
		KT_EXPECT_EQ(zone_alloc_mark(z, GFP_ATOMIC, zi),
			     min - min / 2 - min / 4);
	}
}

/* GFP_KERNEL falling back to ZONE_DMA must leave min + lowmem_reserve[Normal]
 * free there. Frames a GFP_DMA user just freed sit on this CPU's DMA list,
 * and mm_pcp_alloc() hands them to any request without a mark check. */
KTEST(page_gfp, fallback_keeps_lowmem_reserve_with_frames_on_cpu_lists)
{
	const gfp_t TAKE = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct buddyinfo start;
	struct held hog = { 0 }, dma = { 0 }, got = { 0 };
	struct zone *z = &mm_zones[ZONE_DMA];

	page_test_quiesce();
	page_test_begin(&start);
	held_take_all(&hog, TAKE);
	drain_all_pages();
	for (int i = 0; i < 8; i++) /* GFP_DMA may go down to min */
		KT_ASSERT(held_take(&dma, GFP_KERNEL | GFP_DMA | __GFP_NOWARN, 0));
	held_free_all(&dma); /* onto this CPU's DMA list */
	uint64_t on_list = mm_pcp[mm_port_cpu_id()].list[ZONE_DMA].count;
	uint64_t avail = z->free + on_list;
	uint64_t mark = zone_alloc_mark(z, TAKE, ZONE_NORMAL);
	unsigned long n = 0;
	struct page *p;
	while ((p = held_take(&got, TAKE, 0)))
		n += pfn_zone(page_to_pfn(p)) == ZONE_DMA;
	ktest_printf("# ZONE_DMA: %llu free + %llu on the CPU list, GFP_KERNEL "
		     "mark %llu (min %llu + lowmem_reserve %llu); GFP_KERNEL "
		     "then took %lu DMA frames\n",
		     (unsigned long long)z->free, (unsigned long long)on_list,
		     (unsigned long long)mark, (unsigned long long)z->wmark[WMARK_MIN],
		     (unsigned long long)z->lowmem_reserve[ZONE_NORMAL], n);
	KT_EXPECT(n <= (avail > mark ? avail - mark : 0));
	held_free_all(&got);
	held_free_all(&hog);
	page_test_end(&start);
}
