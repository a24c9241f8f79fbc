/* SPDX-License-Identifier: MIT */
/*
 * page_private() is 0 on every frame of a fresh block (include/mm/page_alloc.h),
 * however the frames were used before: owner words set on any frame, blocks
 * split and merged, per-CPU lists on and off. The allocator clears only the
 * words it must (PS_PRIV_DIRTY, mm/page_alloc_internal.h); these tests check
 * it never misses one. Also: index_zone() agrees with the spans.
 */
#include "page_test_util.h"

/* Frames of the block at page whose owner word is not 0. */
static unsigned long nonzero_words(struct page *page, unsigned int order)
{
	unsigned long n = 0;

	for (uint64_t i = 0; i < (1ull << order); i++)
		n += page_private(&page[i]) != 0;
	return n;
}

/* Sets every frame's owner word to something other than 0. */
static void tag_block(struct page *page, unsigned int order, unsigned long tag)
{
	for (uint64_t i = 0; i < (1ull << order); i++)
		set_page_private(&page[i], tag | (i << 8) | 1);
}

KTEST(page_private, set_page_private_marks_only_frames_inside_a_block)
{
	struct buddyinfo start;

	page_test_begin(&start);
	struct page *p = alloc_pages(GFP_KERNEL, 3);
	KT_ASSERT(p != NULL);
	uint64_t idx = page_index(p);
	uint8_t head = mm_page_state[idx];

	KT_EXPECT_EQ(nonzero_words(p, 3), 0);
	set_page_private(&p[0], 0x1234);
	set_page_private(&p[5], 0x5678);
	set_page_private(&p[6], 0);
	KT_EXPECT_EQ(mm_page_state[idx], head); /* the first frame's order kept */
	KT_EXPECT_EQ(ps_kind(mm_page_state[idx + 5]), PS_TAIL);
	KT_EXPECT(mm_page_state[idx + 5] & PS_PRIV_DIRTY);
	KT_EXPECT(!(mm_page_state[idx + 6] & PS_PRIV_DIRTY));
	KT_EXPECT_EQ(page_private(&p[5]), 0x5678);
	__free_pages(p, 3);
	page_test_end(&start);
}

KTEST(page_private, fresh_blocks_are_clean_after_hot_reuse)
{
	struct buddyinfo start;

	page_test_begin(&start);
	for (unsigned int o = 0; o <= 6; o++) {
		struct page *p = alloc_pages(GFP_KERNEL, o);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(nonzero_words(p, o), 0);
		tag_block(p, o, 0xabc000);
		__free_pages(p, o);
		/* the frames just freed come back first (or merged and split) */
		p = alloc_pages(GFP_KERNEL, o);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(nonzero_words(p, o), 0);
		__free_pages(p, o);
	}
	page_test_end(&start);
}

/* Order-0 frames tagged and given back one by one merge into bigger blocks
 * (per-CPU lists off, so straight into the buddy lists); the blocks taken
 * afterwards hold those frames and must be clean. */
KTEST(page_private, merged_blocks_are_clean)
{
	struct buddyinfo start;
	struct page *f[64];

	page_test_begin(&start);
	mm_pcp_enabled = false;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 64; i++) {
			f[i] = alloc_pages(GFP_KERNEL, 0);
			KT_ASSERT(f[i] != NULL);
			KT_EXPECT_EQ(page_private(f[i]), 0);
			set_page_private(f[i], 0xdead0001ul + (unsigned long)i);
		}
		for (int i = 0; i < 64; i++)
			__free_pages(f[round ? 63 - i : i], 0);
		for (int o = 6; o >= 0; o--) {
			struct page *p = alloc_pages(GFP_KERNEL, (unsigned int)o);
			KT_ASSERT(p != NULL);
			KT_EXPECT_EQ(nonzero_words(p, (unsigned int)o), 0);
			__free_pages(p, (unsigned int)o);
		}
	}
	mm_pcp_enabled = true;
	page_test_end(&start);
}

/* Seeded churn of orders 0-7 with every frame tagged while allocated, the
 * per-CPU lists switched on and off; every fresh block must be clean. */
KTEST(page_private, churn_keeps_fresh_blocks_clean)
{
	struct buddyinfo start;
	struct page *live[24] = { 0 };
	unsigned int order[24] = { 0 };
	unsigned long dirty = 0, blocks = 0;

	page_test_begin(&start);
	for (int r = 0; r < 600; r++) {
		unsigned int k = (unsigned int)ktest_rand_below(24);

		if (r % 150 == 0)
			mm_pcp_enabled = !mm_pcp_enabled;
		if (live[k]) {
			if (ktest_rand_below(4) == 0) /* owners that clean up */
				for (uint64_t i = 0; i < (1ull << order[k]); i++)
					set_page_private(&live[k][i], 0);
			__free_pages(live[k], order[k]);
			live[k] = NULL;
			continue;
		}
		order[k] = (unsigned int)ktest_rand_below(8);
		live[k] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order[k]);
		if (!live[k])
			continue;
		blocks++;
		dirty += nonzero_words(live[k], order[k]);
		tag_block(live[k], order[k], (unsigned long)r << 20);
	}
	for (int k = 0; k < 24; k++)
		if (live[k])
			__free_pages(live[k], order[k]);
	mm_pcp_enabled = true;
	KT_EXPECT(blocks > 100);
	KT_EXPECT_EQ(dirty, 0);
	page_test_end(&start);
}

KTEST(page_private, index_zone_matches_the_spans)
{
	for (size_t i = 0; i < mm_span_count(); i++) {
		const struct mm_span *s = mm_span_get(i);

		KT_EXPECT_EQ(index_zone(s->first_index), s->zone);
		KT_EXPECT_EQ(index_zone(s->first_index + s->nr_frames - 1), s->zone);
	}
	KT_EXPECT(mm_span_count() > 0);
	KT_EXPECT(mm_zone_runs >= 1 && mm_zone_runs <= mm_span_count());
	for (unsigned int k = 1; k < mm_zone_runs; k++)
		KT_EXPECT(mm_zone_run_start[k - 1] < mm_zone_run_start[k]);
	KT_EXPECT_EQ(mm_zone_run_start[mm_zone_runs], UINT64_MAX);
}
