/* SPDX-License-Identifier: MIT */
/* The memory-map sanitizer (kernel/memmap.c). */
#include <ktest.h>

#include "mb2_blob.h"

#define U MM_RANGE_USABLE
#define R MM_RANGE_RESERVED
#define A MM_RANGE_ACPI_RECLAIMABLE
#define N MM_RANGE_ACPI_NVS
#define B MM_RANGE_BAD

static struct mm_range out[64];

static size_t sanitize(const struct mm_range *in, size_t n)
{
	const char *why = "";
	size_t len;

	tlog_reset();
	len = memmap_sanitize(in, n, out, 64, NULL, tlog);
	KT_EXPECT(memmap_check(out, len, &why));
	if (!memmap_check(out, len, &why))
		ktest_printf("#   memmap_check: %s\n", why);
	return len;
}

#define EXPECT_RANGE(i, s, l, t)                                                \
	do {                                                                    \
		KT_EXPECT_EQ(out[i].start, (s));                                \
		KT_EXPECT_EQ(out[i].length, (l));                               \
		KT_EXPECT_EQ(out[i].type, (t));                                 \
	} while (0)

KTEST(memmap, overlap_both_orders)
{
	const struct mm_range ab[] = { { 0, 0x10000, U },
				       { 0x8000, 0x10000, R } };
	const struct mm_range ba[] = { { 0x8000, 0x10000, R },
				       { 0, 0x10000, U } };

	KT_ASSERT_EQ(sanitize(ab, 2), 2);
	EXPECT_RANGE(0, 0, 0x8000, U);
	EXPECT_RANGE(1, 0x8000, 0x10000, R);
	KT_ASSERT_EQ(sanitize(ba, 2), 2);
	EXPECT_RANGE(0, 0, 0x8000, U);
	EXPECT_RANGE(1, 0x8000, 0x10000, R);
}

KTEST(memmap, reserved_over_available_splits_it)
{
	const struct mm_range in[] = { { 0x100000, 0x100000, U },
				       { 0x140000, 0x1000, R } };

	KT_ASSERT_EQ(sanitize(in, 2), 3);
	EXPECT_RANGE(0, 0x100000, 0x40000, U);
	EXPECT_RANGE(1, 0x140000, 0x1000, R);
	EXPECT_RANGE(2, 0x141000, 0xbf000, U);
}

KTEST(memmap, nested_usable_inside_reserved_disappears)
{
	const struct mm_range in[] = { { 0x10000, 0x1000, U },
				       { 0, 0x100000, R } };

	KT_ASSERT_EQ(sanitize(in, 2), 1);
	EXPECT_RANGE(0, 0, 0x100000, R);
}

/* Every pair of types over the same bytes: the more restrictive wins. */
KTEST(memmap, priority_order)
{
	/* from least to most restrictive */
	static const uint32_t order[] = { U, A, R, N, B };

	for (int i = 0; i < 5; i++) {
		for (int j = 0; j < 5; j++) {
			const struct mm_range in[] = {
				{ 0x1000, 0x3000, order[i] },
				{ 0x2000, 0x1000, order[j] },
			};
			uint32_t win = order[i > j ? i : j];

			size_t len = sanitize(in, 2);
			bool seen = false;

			/* the middle frame has the winner's type */
			for (size_t k = 0; k < len; k++)
				if (out[k].start <= 0x2000 &&
				    out[k].start + out[k].length > 0x2000) {
					KT_EXPECT_EQ(out[k].type, win);
					seen = true;
				}
			KT_EXPECT(seen);
		}
	}
}

KTEST(memmap, unknown_types_count_as_reserved)
{
	const struct mm_range in[] = {
		{ 0x0, 0x2000, 7 },      /* unknown beats ACPI data */
		{ 0x0, 0x2000, A },
		{ 0x2000, 0x1000, R },   /* merges with the unknown one */
		{ 0x3000, 0x1000, 0 },   /* type 0 too */
		{ 0x3000, 0x1000, N },   /* but NVS beats it */
	};

	KT_ASSERT_EQ(sanitize(in, 5), 2);
	EXPECT_RANGE(0, 0, 0x3000, R);
	EXPECT_RANGE(1, 0x3000, 0x1000, N);
}

KTEST(memmap, adjacent_same_type_merge)
{
	const struct mm_range in[] = {
		{ 0x3000, 0x1000, U }, { 0x0, 0x1000, U }, { 0x1000, 0x2000, U },
		{ 0x4000, 0x1000, A }, { 0x5000, 0x800, A },
	};

	KT_ASSERT_EQ(sanitize(in, 5), 2);
	EXPECT_RANGE(0, 0, 0x4000, U);
	EXPECT_RANGE(1, 0x4000, 0x1800, A);
}

KTEST(memmap, unaligned_usable_shrinks_inward)
{
	const struct mm_range in[] = {
		{ 0x1234, 0x4444, U },    /* [0x1234, 0x5678) */
		{ 0x10001, 0xffe, U },    /* no whole frame inside */
		{ 0x20010, 0x10, R },     /* non-usable keeps exact bounds */
	};

	KT_ASSERT_EQ(sanitize(in, 3), 2);
	EXPECT_RANGE(0, 0x2000, 0x3000, U);
	EXPECT_RANGE(1, 0x20010, 0x10, R);
}

KTEST(memmap, usable_cut_by_unaligned_reserved)
{
	/* The bytes before and after the reserved piece lose their partial
	 * frames: no usable frame shares bytes with a reserved range. */
	const struct mm_range in[] = { { 0x0, 0x10000, U },
				       { 0x4100, 0x100, R } };

	KT_ASSERT_EQ(sanitize(in, 2), 3);
	EXPECT_RANGE(0, 0, 0x4000, U);
	EXPECT_RANGE(1, 0x4100, 0x100, R);
	EXPECT_RANGE(2, 0x5000, 0xb000, U);
}

KTEST(memmap, zero_length_dropped)
{
	const struct mm_range in[] = { { 0x5000, 0, R }, { 0x0, 0x2000, U },
				       { 0x1000, 0, B } };

	KT_ASSERT_EQ(sanitize(in, 3), 1);
	EXPECT_RANGE(0, 0, 0x2000, U);
	KT_EXPECT(tlog_has("empty"));
}

KTEST(memmap, unsorted_input_comes_out_sorted)
{
	const struct mm_range in[] = {
		{ 0x100000000ull, 0x40000000, U }, { 0x9fc00, 0x400, R },
		{ 0x100000, 0x7ee0000, U },	   { 0, 0x9fc00, U },
		{ 0xfffc0000, 0x40000, R },	   { 0xf0000, 0x10000, R },
	};

	KT_ASSERT_EQ(sanitize(in, 6), 6);
	EXPECT_RANGE(0, 0, 0x9f000, U);
	EXPECT_RANGE(1, 0x9fc00, 0x400, R);
	EXPECT_RANGE(2, 0xf0000, 0x10000, R);
	EXPECT_RANGE(3, 0x100000, 0x7ee0000, U);
	EXPECT_RANGE(4, 0xfffc0000, 0x40000, R);
	EXPECT_RANGE(5, 0x100000000ull, 0x40000000, U);
}

KTEST(memmap, overflow_clamped_or_dropped)
{
	const struct mm_range in[] = {
		{ 0x1000, UINT64_MAX, R },                 /* wraps */
		{ 0xfffffffffffff000ull, 0x2000, U },       /* wraps, too high */
		{ MEMMAP_PHYS_LIMIT - 0x1000, 0x3000, U }, /* runs past 2^52 */
		{ 0x0, 0x1000, U },
	};

	KT_ASSERT_EQ(sanitize(in, 4), 2);
	EXPECT_RANGE(0, 0, 0x1000, U);
	EXPECT_RANGE(1, 0x1000, MEMMAP_PHYS_LIMIT - 0x1000, R);
	KT_EXPECT(tlog_has("overflows 64 bits"));
	KT_EXPECT(tlog_has("beyond the 52-bit"));
	KT_EXPECT(tlog_has("runs past the 52-bit"));
}

KTEST(memmap, duplicates_and_empty_input)
{
	const struct mm_range in[] = { { 0x0, 0x2000, U }, { 0x0, 0x2000, U } };

	KT_EXPECT_EQ(sanitize(in, 2), 1);
	KT_EXPECT_EQ(sanitize(in, 0), 0);
}

KTEST(memmap, truncation_reported)
{
	struct mm_range in[10];
	bool truncated = false;
	size_t len;

	for (int i = 0; i < 10; i++) {
		in[i].start = (uint64_t)i * 0x2000;
		in[i].length = 0x1000;
		in[i].type = U;
	}
	tlog_reset();
	len = memmap_sanitize(in, 10, out, 4, &truncated, tlog);
	KT_EXPECT_EQ(len, 4);
	KT_EXPECT(truncated);
	KT_EXPECT(tlog_has("map full"));
	EXPECT_RANGE(3, 0x6000, 0x1000, U);
}

/* Page-aligned random maps: the type at every boundary equals the
 * highest-ranked input covering it, computed the slow way. */
KTEST(memmap, random_maps_match_brute_force)
{
	static const uint32_t types[] = { U, R, A, N, B, 9 };
	struct mm_range in[24];

	for (int round = 0; round < 200; round++) {
		size_t n = 1 + ktest_rand_below(24);

		for (size_t i = 0; i < n; i++) {
			in[i].start = ktest_rand_below(64) * MM_PAGE_SIZE;
			in[i].length = ktest_rand_below(16) * MM_PAGE_SIZE;
			in[i].type = types[ktest_rand_below(6)];
		}
		size_t len = sanitize(in, n);
		for (uint64_t p = 0; p < 80 * MM_PAGE_SIZE; p += MM_PAGE_SIZE) {
			int best = -1;
			uint32_t want = 0, got = 0;

			for (size_t i = 0; i < n; i++)
				if (in[i].start <= p &&
				    p < in[i].start + in[i].length &&
				    memmap_type_rank(in[i].type) > best) {
					best = memmap_type_rank(in[i].type);
					want = memmap_canonical_type(in[i].type);
				}
			for (size_t k = 0; k < len; k++)
				if (out[k].start <= p &&
				    p < out[k].start + out[k].length)
					got = out[k].type;
			KT_EXPECT_EQ(got, want);
			if (got != want)
				return;
		}
	}
}

/* ---- editing a sanitized map ---- */

static size_t map_of(const struct mm_range *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i];
	return n;
}

KTEST(memmap, set_range_splits_and_inserts)
{
	const struct mm_range in[] = { { 0x0, 0x100000, U },
				       { 0x200000, 0x100000, U } };
	size_t n = map_of(in, 2);

	/* middle of the first range: split in three */
	KT_ASSERT(memmap_set_range(out, &n, 64, 0x10000, 0x20000, R));
	KT_ASSERT_EQ(n, 4);
	EXPECT_RANGE(0, 0, 0x10000, U);
	EXPECT_RANGE(1, 0x10000, 0x10000, R);
	EXPECT_RANGE(2, 0x20000, 0xe0000, U);
	/* across the hole and into the second range, unaligned */
	KT_ASSERT(memmap_set_range(out, &n, 64, 0xff000, 0x200800, R));
	KT_ASSERT_EQ(n, 5);
	EXPECT_RANGE(2, 0x20000, 0xdf000, U);
	EXPECT_RANGE(3, 0xff000, 0x101800, R);
	EXPECT_RANGE(4, 0x201000, 0xff000, U);
	/* touching the reserved [0x10000,0x20000) from below: merges */
	KT_ASSERT(memmap_set_range(out, &n, 64, 0x8000, 0x10000, R));
	EXPECT_RANGE(1, 0x8000, 0x18000, R);
	KT_EXPECT(memmap_check(out, n, NULL));
	/* swallow everything */
	KT_ASSERT(memmap_set_range(out, &n, 64, 0, 0x400000, B));
	KT_ASSERT_EQ(n, 1);
	EXPECT_RANGE(0, 0, 0x400000, B);
}

KTEST(memmap, set_range_refuses_when_full_or_bad)
{
	const struct mm_range in[] = { { 0x0, 0x100000, U } };
	size_t n = map_of(in, 1);

	/* a split needs 3 entries */
	KT_EXPECT(!memmap_set_range(out, &n, 2, 0x10000, 0x20000, R));
	KT_EXPECT_EQ(n, 1);
	EXPECT_RANGE(0, 0, 0x100000, U);
	KT_EXPECT(!memmap_set_range(out, &n, 64, 0x2000, 0x2000, R));
	KT_EXPECT(!memmap_set_range(out, &n, 64, 0x3000, 0x2000, R));
	KT_EXPECT(!memmap_set_range(out, &n, 64, 0, MEMMAP_PHYS_LIMIT + 1, R));
	KT_EXPECT_EQ(n, 1);
	/* replacing the whole range needs no more room */
	KT_EXPECT(memmap_set_range(out, &n, 1, 0, 0x100000, R));
	EXPECT_RANGE(0, 0, 0x100000, R);
}

KTEST(memmap, limit_usable)
{
	const struct mm_range in[] = { { 0x0, 0x100000, U },
				       { 0x100000, 0x1000, R },
				       { 0x200000, 0x200000, U },
				       { 0x500000, 0x1000, R },
				       { 0x600000, 0x100000, U } };
	size_t n = map_of(in, 5);

	/* the limit rounds down to a frame */
	KT_EXPECT_EQ(memmap_limit_usable(out, &n, 0x300fff),
		     0x100000 + 0x100000);
	KT_ASSERT_EQ(n, 4);
	EXPECT_RANGE(2, 0x200000, 0x100000, U);
	EXPECT_RANGE(3, 0x500000, 0x1000, R); /* non-RAM stays */
	KT_EXPECT_EQ(memmap_usable_bytes(out, n), 0x200000);
}

KTEST(memmap, covered_bytes_counts_the_union)
{
	const struct mm_range r[] = { { 0x1000, 0x3000, R },
				      { 0x2000, 0x1000, R },
				      { 0x3000, 0x2000, R },
				      { 0x9000, 0x1000, R },
				      { 0xfffffffffffff000ull, 0x2000, R } };

	KT_EXPECT_EQ(memmap_covered_bytes(0, 0x10000, r, 5), 0x5000);
	KT_EXPECT_EQ(memmap_covered_bytes(0x2800, 0x9800, r, 5),
		     0x2800 + 0x800);
	KT_EXPECT_EQ(memmap_covered_bytes(0x6000, 0x9000, r, 5), 0);
	KT_EXPECT_EQ(memmap_covered_bytes(0xfffffffffffff800ull, UINT64_MAX,
					  r, 5), 0x7ff);
	KT_EXPECT_EQ(memmap_covered_bytes(0, 0x10000, r, 0), 0);
}

KTEST(memmap, check_names_each_violation)
{
	const char *why = NULL;
	struct mm_range m[2];

	m[0] = (struct mm_range){ 0, 0, R };
	KT_EXPECT(!memmap_check(m, 1, &why));
	m[0] = (struct mm_range){ 0, 0x1000, 7 };
	KT_EXPECT(!memmap_check(m, 1, &why));
	m[0] = (struct mm_range){ 0x800, 0x1000, U };
	KT_EXPECT(!memmap_check(m, 1, &why));
	m[0] = (struct mm_range){ 0x0, 0x2000, R };
	m[1] = (struct mm_range){ 0x1000, 0x2000, U };
	KT_EXPECT(!memmap_check(m, 2, &why));
	m[1] = (struct mm_range){ 0x2000, 0x2000, R };
	KT_EXPECT(!memmap_check(m, 2, &why));
	KT_EXPECT(why != NULL);
	m[1] = (struct mm_range){ 0x2000, 0x2000, U };
	KT_EXPECT(memmap_check(m, 2, &why));
}

KTEST(memmap, page_rounding_helpers)
{
	KT_EXPECT_EQ(memmap_page_down(0x1fff), 0x1000);
	KT_EXPECT_EQ(memmap_page_down(0x2000), 0x2000);
	KT_EXPECT_EQ(memmap_page_up(0x1001), 0x2000);
	KT_EXPECT_EQ(memmap_page_up(0x2000), 0x2000);
	KT_EXPECT_EQ(memmap_page_up(0), 0);
}
