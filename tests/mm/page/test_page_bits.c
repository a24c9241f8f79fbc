/* SPDX-License-Identifier: MIT */
/* The frame allocator's bit tricks, GFP names and mask checks, each alone. */
#include <ktest.h>
#include <mm/mm.h>

#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* mm/core.h: the generic tricks every allocator uses. */
KTEST(page_bits, pow2_align_up_crosses_boundary)
{
	KT_EXPECT(!mm_is_pow2(0));
	KT_EXPECT(mm_is_pow2(1));
	KT_EXPECT(mm_is_pow2(1ull << 63));
	KT_EXPECT(!mm_is_pow2(3));
	KT_EXPECT(!mm_is_pow2((1ull << 63) + 1));
	KT_EXPECT_EQ(mm_align_up(0, 8), 0);
	KT_EXPECT_EQ(mm_align_up(1, 8), 8);
	KT_EXPECT_EQ(mm_align_up(8, 8), 8);
	KT_EXPECT_EQ(mm_align_up(9, 1), 9);
	KT_EXPECT(!mm_crosses_boundary(0, 256, 256));
	KT_EXPECT(mm_crosses_boundary(1, 256, 256));
	KT_EXPECT(mm_crosses_boundary(255, 2, 256));
	KT_EXPECT(!mm_crosses_boundary(255, 1, 256));
	KT_EXPECT(!mm_crosses_boundary(12345, 99999, 0));
	KT_EXPECT(!mm_crosses_boundary(0x1000, 0x1000, 0x2000));
	KT_EXPECT(mm_crosses_boundary(0x1000, 0x1001, 0x2000));
}

/* mm_popcount64 against a bit-by-bit count (the SWAR form: the kernels
 * build without -mpopcnt). */
KTEST(page_bits, popcount64)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	KT_EXPECT_EQ(mm_popcount64(0), 0);
	KT_EXPECT_EQ(mm_popcount64(~0ull), 64);
	KT_EXPECT_EQ(mm_popcount64(1ull << 63), 1);
	for (int i = 0; i < 1000; i++) {
		unsigned int n = 0;

		for (int b = 0; b < 64; b++)
			n += (x >> b) & 1;
		KT_EXPECT_EQ(mm_popcount64(x), n);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	}
}

KTEST(page_bits, buddy_pfn_of)
{
	KT_EXPECT_EQ(buddy_pfn_of(0, 0), 1);
	KT_EXPECT_EQ(buddy_pfn_of(1, 0), 0);
	KT_EXPECT_EQ(buddy_pfn_of(8, 3), 0);
	KT_EXPECT_EQ(buddy_pfn_of(0, 3), 8);
	KT_EXPECT_EQ(buddy_pfn_of(0x1400, 10), 0x1000);
	for (int i = 0; i < 1000; i++) {
		unsigned int o = (unsigned int)ktest_rand_below(MM_MAX_ORDER);
		uint64_t pfn = (ktest_rand() >> 20) & ~((1ull << o) - 1);
		uint64_t b = buddy_pfn_of(pfn, o);
		/* buddies are distinct, aligned, and form one block of o + 1 */
		KT_EXPECT(b != pfn);
		KT_EXPECT(pfn_aligned(b, o));
		KT_EXPECT_EQ(buddy_pfn_of(b, o), pfn);
		KT_EXPECT_EQ(b >> (o + 1), pfn >> (o + 1));
	}
}

KTEST(page_bits, pfn_aligned)
{
	KT_EXPECT(pfn_aligned(0, 10));
	KT_EXPECT(pfn_aligned(1024, 10));
	KT_EXPECT(!pfn_aligned(512, 10));
	KT_EXPECT(pfn_aligned(7, 0));
	KT_EXPECT(!pfn_aligned(6, 2));
}

KTEST(page_bits, max_block_order)
{
	KT_EXPECT_EQ(max_block_order(0, 1ull << 40, MM_MAX_ORDER), MM_MAX_ORDER);
	KT_EXPECT_EQ(max_block_order(1, 100, 10), 0);
	KT_EXPECT_EQ(max_block_order(2, 100, 10), 1);
	KT_EXPECT_EQ(max_block_order(64, 100, 10), 5); /* 64..96 fits, 128 not */
	KT_EXPECT_EQ(max_block_order(64, 65, 10), 0);
	KT_EXPECT_EQ(max_block_order(4096, 8192, 10), 10);
	for (int i = 0; i < 1000; i++) {
		uint64_t pfn = ktest_rand() >> 30;
		uint64_t end = pfn + 1 + ktest_rand_below(5000);
		unsigned int o = max_block_order(pfn, end, MM_MAX_ORDER);
		KT_EXPECT(pfn_aligned(pfn, o));
		KT_EXPECT(pfn + (1ull << o) <= end);
		/* maximal: one order more is misaligned, too long or too big */
		KT_EXPECT(o == MM_MAX_ORDER || !pfn_aligned(pfn, o + 1) ||
			  pfn + (2ull << o) > end);
	}
}

KTEST(page_bits, state_byte)
{
	uint8_t s = ps_make(PS_POISON, PS_ALLOC, 7);
	KT_EXPECT_EQ(ps_kind(s), PS_ALLOC);
	KT_EXPECT_EQ(ps_order(s), 7);
	KT_EXPECT(s & PS_POISON);
	s = ps_make(s, PS_FREE, MM_MAX_ORDER);
	KT_EXPECT_EQ(ps_kind(s), PS_FREE);
	KT_EXPECT_EQ(ps_order(s), MM_MAX_ORDER);
	KT_EXPECT(s & PS_POISON);
	KT_EXPECT_EQ(ps_make(0, PS_TAIL, 0), 0);
}

KTEST(page_bits, pfn_zone_edges)
{
	KT_EXPECT_EQ(pfn_zone(0), ZONE_DMA);
	KT_EXPECT_EQ(pfn_zone(0xfff), ZONE_DMA);
	KT_EXPECT_EQ(pfn_zone(0x1000), ZONE_DMA32);
	KT_EXPECT_EQ(pfn_zone(0xfffff), ZONE_DMA32);
	KT_EXPECT_EQ(pfn_zone(0x100000), ZONE_NORMAL);
}

KTEST(page_bits, gfp_names)
{
	char buf[160];

	KT_EXPECT(streq(mm_gfp_format(GFP_KERNEL, buf, sizeof(buf)), "GFP_KERNEL"));
	KT_EXPECT(streq(mm_gfp_format(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, buf,
				   sizeof(buf)),
			"GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN"));
	KT_EXPECT(streq(mm_gfp_format(GFP_ATOMIC, buf, sizeof(buf)), "GFP_ATOMIC"));
	KT_EXPECT(streq(mm_gfp_format(GFP_NOWAIT, buf, sizeof(buf)), "GFP_NOWAIT"));
	KT_EXPECT(streq(mm_gfp_format(GFP_HIGHUSER, buf, sizeof(buf)), "GFP_HIGHUSER"));
	KT_EXPECT(streq(mm_gfp_format(GFP_NOFS, buf, sizeof(buf)), "GFP_NOFS"));
	KT_EXPECT(streq(mm_gfp_format(GFP_NOIO | __GFP_REPEAT, buf, sizeof(buf)),
			"GFP_NOIO|__GFP_REPEAT"));
	KT_EXPECT(streq(mm_gfp_format(GFP_KERNEL | GFP_DMA32, buf, sizeof(buf)),
			"GFP_KERNEL|GFP_DMA32"));
	KT_EXPECT(streq(mm_gfp_format(GFP_KERNEL | GFP_THISNODE, buf, sizeof(buf)),
			"GFP_KERNEL|GFP_THISNODE"));
	KT_EXPECT(streq(mm_gfp_format(__GFP_NOFAIL | 0x40000000u, buf, sizeof(buf)),
			"__GFP_NOFAIL|0x40000000"));
	/* truncation stays terminated */
	mm_gfp_format(GFP_KERNEL | __GFP_ZERO, buf, 8);
	KT_EXPECT(streq(buf, "GFP_KER"));
}

KTEST(page_bits, contradictory_masks_panic)
{
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | GFP_DMA | GFP_DMA32, 0),
			    "GFP_DMA with GFP_DMA32");
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | __GFP_NOFAIL | __GFP_NORETRY, 0),
			    "__GFP_NOFAIL with __GFP_NORETRY");
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_HIGHUSER | GFP_DMA, 0),
			    "__GFP_HIGHMEM with GFP_DMA");
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL | 0x80000000u, 0),
			    "unknown gfp bits 0x80000000");
	KT_EXPECT_PANIC_MSG(alloc_pages_node(0, GFP_THISNODE | __GFP_NOFAIL, 0),
			    "__GFP_NOFAIL with __GFP_NORETRY");
}
