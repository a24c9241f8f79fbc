/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the frame allocator is caught, always, with a panic naming
 * the frame and the reason; a write after free is reported at the next
 * allocation (debug builds); the contig claim/release contract.
 */
#include "page_test_util.h"
#include "stats.h"

/* "pfn 0x<hex>" as the panics print a frame (static buffer). */
/* "pfn 0x..." of a panic message (one static buffer: one use at a time). */
static const char *pfn_needle(uint64_t pfn)
{
	static char buf[32];

	return page_test_pfn_needle(buf, pfn);
}

KTEST(page_free, double_free_is_caught)
{
	struct buddyinfo start;

	page_test_begin(&start);
	struct page *p = alloc_pages(GFP_KERNEL, 0); /* per-CPU list path */
	KT_ASSERT(p != NULL);
	__free_pages(p, 0);
	KT_EXPECT_PANIC_MSG(__free_pages(p, 0), "double free");
	KT_EXPECT(ktest_panic_contains(pfn_needle(page_to_pfn(p))));
	p = alloc_pages(GFP_KERNEL, 3); /* buddy path */
	KT_ASSERT(p != NULL);
	__free_pages(p, 3);
	KT_EXPECT_PANIC_MSG(__free_pages(p, 3), "double free");
	KT_EXPECT(ktest_panic_contains(pfn_needle(page_to_pfn(p))));
	page_test_end(&start);
}

KTEST(page_free, wrong_order_and_inner_frames_are_caught)
{
	struct buddyinfo start;
	char needle[40];

	page_test_begin(&start);
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	KT_ASSERT(p != NULL);
	KT_EXPECT_PANIC_MSG(__free_pages(p, 1), "wrong order");
	KT_EXPECT_PANIC_MSG(__free_pages(p, 3), "wrong order");
	KT_EXPECT_PANIC_MSG(__free_pages(p + 1, 0), "not allocated");
	KT_EXPECT_PANIC_MSG(free_pages((unsigned long)page_address(p + 2), 1),
			    "not allocated");
	/* the message names the frame */
	uint64_t pfn = page_to_pfn(p);
	const char *hex = "0123456789abcdef";
	int n = 0;
	needle[n++] = 'p'; needle[n++] = 'f'; needle[n++] = 'n'; needle[n++] = ' ';
	needle[n++] = '0'; needle[n++] = 'x';
	int sh = 60;
	while (sh > 0 && !((pfn >> sh) & 0xf))
		sh -= 4;
	for (; sh >= 0; sh -= 4)
		needle[n++] = hex[(pfn >> sh) & 0xf];
	needle[n] = '\0';
	const char *name = needle;
	KT_EXPECT_PANIC_MSG(__free_pages(p, 0), name);
	__free_pages(p, 2); /* still fine after the failed attempts */
	page_test_end(&start);
}

KTEST(page_free, bad_addresses_are_caught)
{
	struct buddyinfo start;

	page_test_begin(&start);
	unsigned long va = __get_free_page(GFP_KERNEL);
	KT_ASSERT(va != 0);
	KT_EXPECT_PANIC_MSG(free_pages(va + 8, 0), "misaligned address");
	free_pages(va, 0);
	/* an order-1 block's second frame is misaligned for order 1 */
	va = __get_free_pages(GFP_KERNEL, 1);
	KT_ASSERT(va != 0);
	KT_EXPECT_PANIC_MSG(free_pages(va + MM_PAGE_SIZE, 1),
			    "misaligned address");
	KT_EXPECT(ktest_panic_contains("for order 1"));
	free_pages(va, 1);
	/* just past the end of managed RAM (a hole between regions: below) */
	const struct mm_span *last = mm_span_get(mm_span_count() - 1);
	uint64_t beyond = (last->base_pfn + last->nr_frames) << MM_PAGE_SHIFT;
	KT_EXPECT_PANIC_MSG(free_pages((unsigned long)phys_to_virt(beyond), 0),
			    "outside managed memory");
	KT_EXPECT_PANIC_MSG(__free_pages((struct page *)&start, 0),
			    "not a struct page");
	KT_EXPECT_PANIC_MSG(__free_pages(mm_pages + mm_nr_frames, 0),
			    "not a struct page");
	free_pages(0, 0); /* NULL is ignored, as in Linux */
	page_test_end(&start);
}

KTEST(page_free, address_in_the_hole_between_regions_is_caught)
{
	if (mm_region_count() < 2)
		KT_SKIP("one region: no hole between regions");
	const struct mm_region *r0 = mm_region_get(0);
	uint64_t hole = (r0->base_pfn + r0->nr_frames) << MM_PAGE_SHIFT;

	KT_EXPECT(pfn_to_page(hole >> MM_PAGE_SHIFT) == NULL);
	KT_EXPECT_PANIC_MSG(free_pages((unsigned long)phys_to_virt(hole), 0),
			    "outside managed memory");
}

KTEST(page_free, reserved_and_never_allocated_frames_are_caught)
{
	volatile uint64_t res = MM_NO_PAGE, never = MM_NO_PAGE;

	for (uint64_t i = 0; i < mm_nr_frames; i++) {
		unsigned int k = ps_kind(mm_page_state[i]);
		if (k == PS_RESERVED && res == MM_NO_PAGE)
			res = i;
		if (k == PS_FREE && never == MM_NO_PAGE)
			never = i;
		if (res != MM_NO_PAGE && never != MM_NO_PAGE)
			break;
	}
	KT_ASSERT(res != MM_NO_PAGE); /* the allocator's own metadata at least */
	KT_EXPECT_PANIC_MSG(__free_pages(&mm_pages[res], 0), "reserved frame");
	KT_EXPECT(ktest_panic_contains(pfn_needle(page_to_pfn(&mm_pages[res]))));
	if (never != MM_NO_PAGE)
		KT_EXPECT_PANIC_MSG(__free_pages(&mm_pages[never], 0), "double free");
	KT_EXPECT_PANIC_MSG(__free_pages(&mm_pages[res], MM_MAX_ORDER + 1),
			    "order");
}

KTEST(page_free, write_after_free_is_reported_with_the_frame)
{
	struct buddyinfo start;

	if (!MM_DEBUG)
		KT_SKIP("poisoning is off (MM_DEBUG=0)");
	page_test_begin(&start);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(p != NULL);
	uint64_t pfn = page_to_pfn(p);
	uint64_t *w = page_address(p);
	__free_pages(p, 0);
	w[1] = 0xdeadbeef; /* the bug: a stale pointer writes */
	/* the hot per-CPU list hands the same frame back */
	struct page *q = NULL;
	KT_EXPECT_PANIC_MSG(q = alloc_pages(GFP_KERNEL, 0), "write after free");
	KT_EXPECT(q == NULL);
	/* the report names the frame */
	KT_EXPECT(ktest_panic_contains(pfn_needle(pfn)));
	/* the frame was handed out when the check fired: give it back */
	__free_pages(pfn_to_page(pfn), 0);
	/* big blocks are checked too: corrupt the last line of a frame */
	p = alloc_pages(GFP_KERNEL, 4);
	KT_ASSERT(p != NULL);
	uint8_t *b = page_address(p);
	__free_pages(p, 4);
	b[5 * MM_PAGE_SIZE - 1] = 1;
	KT_EXPECT_PANIC_MSG(mm_port_log("%p\n", (void *)alloc_pages(
				    GFP_KERNEL | __GFP_NOWARN, 4)),
			    "write after free");
	__free_pages(p, 4);
	KT_EXPECT(mm_stat_read(MM_STAT_POISON_CHECKED) > 0);
	page_test_end(&start);
}

/* The whole frame is poisoned (not only sampled lines): a single stray byte
 * at any offset of a free frame is reported at the next allocation. */
KTEST(page_free, write_after_free_anywhere_in_the_frame)
{
	struct buddyinfo start;

	if (!MM_DEBUG || MM_POISON_SAMPLED_BUILD)
		KT_SKIP("whole-frame poisoning is off in this build");
	page_test_begin(&start);
	for (int k = 0; k < 16; k++) {
		struct page *p = alloc_pages(GFP_KERNEL, 0);
		KT_ASSERT(p != NULL);
		uint64_t pfn = page_to_pfn(p);
		uint8_t *b = page_address(p);
		uint64_t off = ktest_rand_below(MM_PAGE_SIZE);
		__free_pages(p, 0);
		b[off] ^= 0x01; /* one bit, anywhere */
		KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL, 0), "write after free");
		KT_EXPECT(ktest_panic_contains(pfn_needle(pfn)));
		/* repair the byte and give back the frame the check handed out */
		b[off] ^= 0x01;
		__free_pages(pfn_to_page(pfn), 0);
	}
	page_test_end(&start);
}

KTEST(page_free, claim_and_release_a_run)
{
	struct buddyinfo start;

	page_test_begin(&start);
	/* a free run of 37 frames, at an odd place inside a big free block */
	struct page *p = alloc_pages(GFP_KERNEL, 7);
	KT_ASSERT(p != NULL);
	uint64_t base = page_to_pfn(p);
	__free_pages(p, 7);
	drain_all_pages();
	unsigned long free0 = nr_free_pages();
	unsigned long irq = mm_lock_all_zones();
	bool ok = mm_buddy_claim_range_locked(base + 3, 37);
	bool again = mm_buddy_claim_range_locked(base + 30, 2); /* overlaps */
	mm_unlock_all_zones(irq);
	KT_ASSERT(ok);
	KT_EXPECT(!again);
	KT_EXPECT_EQ(nr_free_pages(), free0 - 37);
	for (uint64_t i = 0; i < 37; i++)
		KT_EXPECT_EQ(ps_kind(mm_page_state[page_index(pfn_to_page(base + 3 + i))]),
			     PS_CONTIG);
	mm_check_invariants();
	KT_EXPECT_PANIC_MSG(__free_pages(pfn_to_page(base + 3), 0),
			    "claimed by contigmalloc");
	KT_EXPECT_PANIC_MSG(mm_buddy_release_range(base + 2, 4), "not claimed");
	mm_buddy_release_range(base + 3, 37);
	KT_EXPECT_EQ(nr_free_pages(), free0);
	KT_EXPECT_PANIC_MSG(mm_buddy_release_range(base + 3, 37), "not claimed");
	page_test_end(&start);
}
