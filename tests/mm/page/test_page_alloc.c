/* SPDX-License-Identifier: MIT */
/*
 * The frame allocator against the live memory map (the test kernel's QEMU
 * map, or the host's default map): every block valid and disjoint,
 * exhaustion to the documented count, churn with full coalescing, zone
 * placement, the 8 GiB configuration. Each test ends with the free blocks
 * per zone and order it started with.
 */
#include "page_test_util.h"

/* ---- a shadow bitmap of live frames, by global frame index ---- */

struct shadow {
	uint64_t *bits;
	unsigned int order; /* of the block holding the bitmap */
	unsigned long bad;
};

MALLOC_DEFINE(M_SHADOW, "shadow", "page_alloc tests' shadow bitmaps");

/* Past 128 GiB of RAM the bitmap (a bit per frame) is bigger than an
 * MM_MAX_ORDER block: then it is a contigmalloc run above 4 GiB (ZONE_NORMAL,
 * which such a machine has), so the lower zones stay as the tests expect. */
static void shadow_init(struct shadow *sh)
{
	uint64_t bytes = (mm_nr_frames + 63) / 64 * 8;
	unsigned int o = 0;

	while ((MM_PAGE_SIZE << o) < bytes)
		o++;
	sh->order = o;
	if (o <= MM_MAX_ORDER)
		sh->bits = (uint64_t *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, o);
	else
		sh->bits = contigmalloc(MM_PAGE_SIZE << o, M_SHADOW, M_ZERO,
					4ull << 30, ~(vm_paddr_t)0, MM_PAGE_SIZE, 0);
	sh->bad = 0;
	KT_ASSERT(sh->bits != NULL);
	/* the bitmap's own frames are live too */
	uint64_t idx = page_index(virt_to_page(sh->bits));
	for (uint64_t i = 0; i < (1ull << o); i++)
		sh->bits[(idx + i) / 64] |= 1ull << ((idx + i) % 64);
}

static void shadow_done(struct shadow *sh)
{
	if (sh->order <= MM_MAX_ORDER)
		free_pages((unsigned long)sh->bits, sh->order);
	else
		contigfree(sh->bits, MM_PAGE_SIZE << sh->order, M_SHADOW);
}

/* Checks a fresh block: aligned, in one span of an allowed zone, not
 * reserved, not overlapping any live block; then marks it live. */
static bool shadow_add(struct shadow *sh, struct page *p, unsigned int order,
		       gfp_t gfp)
{
	uint64_t pfn = page_to_pfn(p), idx = page_index(p);
	const struct mm_span *s = pfn_to_span(pfn);
	bool ok = s && pfn_aligned(pfn, order) &&
		  pfn + (1ull << order) <= s->base_pfn + s->nr_frames &&
		  mm_zones[s->zone].type <= gfp_classzone(gfp) &&
		  ps_kind(mm_page_state[idx]) == PS_ALLOC &&
		  ps_order(mm_page_state[idx]) == order;

	for (uint64_t i = 0; ok && i < (1ull << order); i++) {
		uint64_t k = idx + i;
		if (sh->bits[k / 64] & (1ull << (k % 64)))
			ok = false; /* overlaps a live block */
		if (i && ps_kind(mm_page_state[k]) != PS_TAIL)
			ok = false; /* reserved or another block's head inside */
		sh->bits[k / 64] |= 1ull << (k % 64);
	}
	if (!ok) {
		sh->bad++;
		ktest_printf("#   bad block: pfn 0x%llx order %u\n",
			     (unsigned long long)pfn, order);
	}
	return ok;
}

static void shadow_del(struct shadow *sh, struct page *p, unsigned int order)
{
	uint64_t idx = page_index(p);

	for (uint64_t i = 0; i < (1ull << order); i++)
		sh->bits[(idx + i) / 64] &= ~(1ull << ((idx + i) % 64));
}

/* ---- random churn over a table of live blocks ---- */

#define CHURN_SLOTS 512

struct slot {
	struct page *p;
	unsigned int order;
};

static const gfp_t churn_gfps[] = {
	GFP_KERNEL, GFP_KERNEL | GFP_DMA32, GFP_KERNEL | GFP_DMA, GFP_HIGHUSER,
	GFP_ATOMIC, GFP_NOWAIT, GFP_KERNEL | __GFP_COLD,
};

static void churn(struct shadow *sh, struct slot *slots, unsigned long ops,
		  unsigned int max_order)
{
	for (unsigned long i = 0; i < ops; i++) {
		struct slot *s = &slots[ktest_rand_below(CHURN_SLOTS)];

		if (s->p) {
			shadow_del(sh, s->p, s->order);
			__free_pages(s->p, s->order);
			s->p = NULL;
			continue;
		}
		/* mostly small orders, like real use */
		unsigned int o = (unsigned int)ktest_rand_below(max_order + 1);
		if (ktest_rand_below(2))
			o = (unsigned int)ktest_rand_below(o + 1);
		gfp_t gfp = churn_gfps[ktest_rand_below(sizeof(churn_gfps) /
							sizeof(churn_gfps[0]))];
		/* ZONE_DMA is small; keep DMA requests small */
		if ((gfp & GFP_DMA) && o > 2)
			o = 2;
		s->p = alloc_pages(gfp | __GFP_NOWARN | __GFP_NORETRY, o);
		s->order = o;
		if (s->p)
			shadow_add(sh, s->p, o, gfp);
	}
}

static void churn_free_all(struct shadow *sh, struct slot *slots)
{
	for (int i = 0; i < CHURN_SLOTS; i++)
		if (slots[i].p) {
			shadow_del(sh, slots[i].p, slots[i].order);
			__free_pages(slots[i].p, slots[i].order);
			slots[i].p = NULL;
		}
}

KTEST(page_alloc, blocks_valid_and_disjoint)
{
	static struct slot slots[CHURN_SLOTS];
	struct buddyinfo start;
	struct shadow sh;

	page_test_begin(&start);
	shadow_init(&sh);
	churn(&sh, slots, 2500, MM_MAX_ORDER);
	mm_check_invariants();
	churn_free_all(&sh, slots);
	KT_EXPECT_EQ(sh.bad, 0);
	shadow_done(&sh);
	page_test_end(&start);
}

KTEST(page_alloc, random_churn_coalesces_fully)
{
	static struct slot slots[CHURN_SLOTS];
	struct buddyinfo start;
	struct shadow sh;

	page_test_begin(&start);
	shadow_init(&sh);
	for (int round = 0; round < 4; round++) {
		churn(&sh, slots, 1500, round & 1 ? 3 : MM_MAX_ORDER);
		/* fragment on purpose: free every other live block */
		for (int i = 0; i < CHURN_SLOTS; i += 2)
			if (slots[i].p) {
				shadow_del(&sh, slots[i].p, slots[i].order);
				__free_pages(slots[i].p, slots[i].order);
				slots[i].p = NULL;
			}
	}
	churn_free_all(&sh, slots);
	KT_EXPECT_EQ(sh.bad, 0);
	shadow_done(&sh);
	page_test_end(&start);
}

KTEST(page_alloc, exhaustion_matches_free_minus_reserve)
{
	const gfp_t kernel = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct buddyinfo start;
	struct held h = { 0 }, atomic = { 0 };

	page_test_quiesce();
	page_test_begin(&start);
	unsigned long budget = page_budget(kernel);
	unsigned long got = held_take_all(&h, kernel);
	ktest_printf("# took %lu frames (%lu blocks), documented budget %lu\n",
		     got, h.blocks, budget);
	KT_EXPECT_EQ(got, budget);
	/* order 0 is what failed last: nothing more at this mark */
	KT_EXPECT(alloc_pages(kernel, 0) == NULL);
	KT_EXPECT_EQ(page_budget(kernel), 0);

	/* GFP_ATOMIC still gets frames, down to its share of the reserve */
	drain_all_pages();
	unsigned long abudget = page_budget(GFP_ATOMIC);
	unsigned long agot = 0;
	while (held_take(&atomic, GFP_ATOMIC | __GFP_NOWARN, 0))
		agot++;
	ktest_printf("# GFP_ATOMIC then took %lu frames (budget %lu)\n", agot,
		     abudget);
	KT_EXPECT(agot > 0);
	KT_EXPECT_EQ(agot, abudget);

	/* hand one back to the zone's free lists (not a per-CPU list): still
	 * below min, so GFP_NOWAIT gets nothing */
	held_free_all(&atomic);
	drain_all_pages();
	KT_EXPECT(alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0) == NULL);
	KT_EXPECT(alloc_pages(kernel, 0) == NULL);

	held_free_all(&h);
	page_test_end(&start);
}

KTEST(page_alloc, zone_placement)
{
	struct buddyinfo start;
	struct page *p;

	page_test_begin(&start);
	p = alloc_pages(GFP_KERNEL | GFP_DMA, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT(page_to_phys(p) < 0x1000000ull);
	__free_pages(p, 0);

	p = alloc_pages(GFP_KERNEL | GFP_DMA32, 3);
	KT_ASSERT(p != NULL);
	KT_EXPECT(page_to_phys(p) + (8 << MM_PAGE_SHIFT) <= 0x100000000ull);
	__free_pages(p, 3);

	/* the default takes the highest zone that has room */
	int top = ZONE_NORMAL;
	while (top > 0 && mm_zones[top].free <= zone_alloc_mark(&mm_zones[top],
			GFP_KERNEL, ZONE_NORMAL) + 64)
		top--;
	p = alloc_pages(GFP_KERNEL, 2);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(pfn_zone(page_to_pfn(p)), top);
	__free_pages(p, 2);
	page_test_end(&start);
}

/* Takes everything gfp may take, big blocks first; checks that within each
 * order the zones are used in zonelist order (this CPU's node's, highest
 * first, then the other nodes' nearest first: mm_zonelist) and never
 * outside it; counts frames per zone slot. */
static void take_in_zonelist_order(struct held *h, gfp_t gfp,
				   unsigned long per_zone[MM_NR_ZONE_SLOTS])
{
	uint16_t zl[MM_NR_ZONE_SLOTS];
	unsigned int nz = mm_zonelist((unsigned int)numa_node_id(), gfp, zl);
	unsigned int pos[MM_NR_ZONE_SLOTS];

	for (unsigned int z = 0; z < MM_NR_ZONE_SLOTS; z++)
		pos[z] = MM_NR_ZONE_SLOTS; /* not in the zonelist */
	for (unsigned int i = 0; i < nz; i++)
		pos[zl[i]] = i;
	h->bulk = true; /* all of RAM: freed without poisoning */
	for (int o = MM_MAX_ORDER; o >= 0; o--) {
		unsigned int last = 0;
		struct page *p;

		while ((p = held_take(h, gfp, (unsigned int)o))) {
			unsigned int z = index_zone(page_index(p));
			KT_EXPECT(pos[z] < nz);
			KT_EXPECT(pos[z] >= last);
			last = pos[z];
			per_zone[z] += 1ul << o;
		}
	}
}

KTEST(page_alloc, zonelist_fallback_order)
{
	const gfp_t quiet = __GFP_NORETRY | __GFP_NOWARN;
	struct buddyinfo start;
	struct held h = { 0 };

	page_test_begin(&start);
	static const gfp_t masks[] = { GFP_KERNEL, GFP_KERNEL | GFP_DMA32,
				       GFP_KERNEL | GFP_DMA };
	for (unsigned i = 0; i < 3; i++) {
		unsigned long per_zone[MM_NR_ZONE_SLOTS] = { 0 };
		unsigned long budget[MM_NR_ZONE_SLOTS] = { 0 };
		enum zone_type c = gfp_classzone(masks[i]);
		uint16_t zl[MM_NR_ZONE_SLOTS];

		drain_all_pages();
		unsigned int nz = mm_zonelist((unsigned int)numa_node_id(),
					      masks[i], zl);
		for (unsigned int k = 0; k < nz; k++) {
			const struct zone *z = &mm_zones[zl[k]];
			uint64_t mark = zone_alloc_mark(z, masks[i], c);
			budget[zl[k]] = z->free > mark ? z->free - mark : 0;
		}
		take_in_zonelist_order(&h, masks[i] | quiet, per_zone);
		/* every zone of the zonelist gave exactly its budget: the
		 * fallback reached the last zone (the farthest node's lowest),
		 * and no further */
		for (int z = 0; z < MM_NR_ZONE_SLOTS; z++)
			KT_EXPECT_EQ(per_zone[z], budget[z]);
		held_free_all(&h);
	}
	page_test_end(&start);
}

KTEST(page_alloc, dma_zone_keeps_lowmem_reserve)
{
	/* A GFP_KERNEL request falling back to ZONE_DMA must leave
	 * min + lowmem_reserve there; GFP_DMA may go down to min. */
	struct zone *dma = &mm_zones[ZONE_DMA];

	if (!dma->managed)
		KT_SKIP("no ZONE_DMA RAM in this memory map");
	KT_EXPECT(zone_alloc_mark(dma, GFP_KERNEL, ZONE_NORMAL) >=
		  zone_alloc_mark(dma, GFP_KERNEL, ZONE_DMA));
	if (mm_zones[ZONE_DMA32].managed >= 256)
		KT_EXPECT(dma->lowmem_reserve[ZONE_DMA32] > 0);
	KT_EXPECT_EQ(dma->lowmem_reserve[ZONE_DMA], 0);
	/* watermarks ordered and scaled with the zone */
	for (int z = 0; z < MM_NR_ZONES; z++) {
		struct zone *zn = &mm_zones[z];
		if (!zn->managed)
			continue;
		KT_EXPECT(zn->wmark[WMARK_MIN] >= 1);
		KT_EXPECT(zn->wmark[WMARK_MIN] <= zn->wmark[WMARK_LOW]);
		KT_EXPECT(zn->wmark[WMARK_LOW] <= zn->wmark[WMARK_HIGH]);
		KT_EXPECT(zn->wmark[WMARK_HIGH] < zn->managed);
	}
}

struct hole_check {
	uint64_t below_4g, above_4g, outside;
};

static void note_block(uint64_t pfn, unsigned int order, void *arg)
{
	struct hole_check *c = arg;

	for (uint64_t p = pfn; p < pfn + (1ull << order); p += 1ull << order) {
		if (!pfn_to_span(p) || !pfn_to_span(p + (1ull << order) - 1))
			c->outside++;
		if (p < ZONE_DMA32_END_PFN)
			c->below_4g++;
		else
			c->above_4g++;
	}
}

KTEST(page_alloc, big_config_uses_ram_on_both_sides_of_the_pci_hole)
{
	const gfp_t kernel = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct buddyinfo start;
	struct held h = { 0 };
	struct hole_check c = { 0, 0, 0 };

	int normal = -1; /* a node with RAM above 4 GiB */
	for (int n = (int)num_online_nodes() - 1; n >= 0; n--)
		if (mm_zones[mm_zone_slot((unsigned int)n, ZONE_NORMAL)].managed)
			normal = n;
	if (normal < 0) {
		/* more than 4 GiB of RAM cannot all lie below 4 GiB, so then
		 * ZONE_NORMAL must exist */
		KT_EXPECT(mm_nr_frames <= ZONE_DMA32_END_PFN);
		KT_SKIP("no RAM above 4 GiB (no ZONE_NORMAL)");
	}
	page_test_begin(&start);
	struct page *p = alloc_pages_node(normal, GFP_HIGHUSER, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT(page_to_phys(p) >= 0x100000000ull);
	__free_pages(p, 0);

	held_take_all(&h, kernel);
	held_for_each(&h, note_block, &c);
	if (c.below_4g == 0) {
		/* GFP_KERNEL falls back into DMA32 only above its lowmem
		 * reserve for NORMAL (NORMAL's frames / 256): from about 512
		 * GiB of RAM on, that is all of DMA32, and GFP_DMA32 is the
		 * way below 4 GiB */
		for (unsigned int n = 0; n < num_online_nodes(); n++) {
			const struct zone *d = &mm_zones[mm_zone_slot(n, ZONE_DMA32)];
			if (!d->managed)
				continue;
			ktest_printf("# node %u DMA32: %llu free, lowmem_reserve for "
				     "NORMAL %llu: GFP_KERNEL got none of it; "
				     "taking GFP_DMA32 too\n", n,
				     (unsigned long long)d->free,
				     (unsigned long long)d->lowmem_reserve[ZONE_NORMAL]);
			KT_EXPECT(d->free < 1 + d->min_mark[ZONE_NORMAL]);
		}
		held_take_all(&h, kernel | GFP_DMA32);
		c = (struct hole_check){ 0, 0, 0 };
		held_for_each(&h, note_block, &c);
	}
	ktest_printf("# blocks below 4 GiB %llu, above %llu\n",
		     (unsigned long long)c.below_4g, (unsigned long long)c.above_4g);
	KT_EXPECT(c.below_4g > 0);
	KT_EXPECT(c.above_4g > 0);
	KT_EXPECT_EQ(c.outside, 0);
	/* the hole: between the end of RAM below 4 GiB and 4 GiB nothing is
	 * managed */
	const struct mm_span *last_low = NULL;
	for (size_t i = 0; i < mm_span_count(); i++)
		if (mm_span_get(i)->base_pfn < ZONE_DMA32_END_PFN)
			last_low = mm_span_get(i);
	KT_ASSERT(last_low != NULL);
	uint64_t hole = last_low->base_pfn + last_low->nr_frames;
	if (hole < ZONE_DMA32_END_PFN) {
		KT_EXPECT(pfn_to_page(hole) == NULL);
		KT_EXPECT(pfn_to_page(ZONE_DMA32_END_PFN - 1) == NULL);
	}
	held_free_all(&h);
	page_test_end(&start);
}

KTEST(page_alloc, report_prints)
{
	/* The boot report's allocator part: zones, buddyinfo, the map. */
	unsigned long before = nr_free_pages();
	mm_report();
	KT_EXPECT_EQ(nr_free_pages(), before);
	KT_EXPECT(mm_memmap_metadata_bytes() <= 16 * mm_nr_frames);
}

/* The address lookups (pa_to_page, the slab's hinted lookup) answer from
 * mm_pa_main first: it must be the largest region exactly, and every
 * lookup must agree with the span search, at both ends of every span and
 * one frame outside each. */
KTEST(page_alloc, address_lookup_agrees_with_the_spans)
{
	uint64_t largest = 0;
	for (size_t i = 0; i < mm_region_count(); i++)
		if (mm_region_get(i)->nr_frames > largest)
			largest = mm_region_get(i)->nr_frames;
	KT_EXPECT_EQ(mm_pa_main.bytes, largest << MM_PAGE_SHIFT);
	const struct mm_region *r = mm_pfn_to_region(mm_pa_main.pa_lo >> MM_PAGE_SHIFT);
	KT_ASSERT(r != NULL);
	KT_EXPECT_EQ(r->base_pfn << MM_PAGE_SHIFT, mm_pa_main.pa_lo);
	KT_EXPECT_EQ(r->nr_frames, largest);

	for (size_t i = 0; i < mm_span_count(); i++) {
		const struct mm_span *s = mm_span_get(i);
		uint64_t ends[2] = { s->base_pfn, s->base_pfn + s->nr_frames - 1 };
		for (int e = 0; e < 2; e++) {
			uint64_t pa = (ends[e] << MM_PAGE_SHIFT) + 123;
			struct page *want = span_pa_to_page(s, pa);
			KT_EXPECT(pa_to_page(pa) == want);
			KT_EXPECT(pfn_to_page(ends[e]) == want);
		}
		/* one frame below and above: a page of another span, or none */
		uint64_t out[2] = { s->base_pfn - 1, s->base_pfn + s->nr_frames };
		for (int e = 0; e < 2; e++) {
			if (s->base_pfn == 0 && e == 0)
				continue;
			const struct mm_span *o = mm_pfn_to_span_search(out[e]);
			struct page *want = o ? span_pa_to_page(o, out[e] << MM_PAGE_SHIFT) : NULL;
			KT_EXPECT(pa_to_page(out[e] << MM_PAGE_SHIFT) == want);
		}
	}
}
