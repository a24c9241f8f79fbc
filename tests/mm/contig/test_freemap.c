/* SPDX-License-Identifier: MIT */
/*
 * The freemap on its own, against a brute-force oracle: random set_free /
 * set_used over a shadow array of bools, random constrained queries answered
 * both by mm_freemap_find() and by trying every start frame.
 */
#include <ktest.h>

#include "contig/freemap.h"
#include "contig/freemap_bits.h"

#define FMT_MAX_FRAMES 200000u

static uint64_t fmt_storage[(FMT_MAX_FRAMES / 8 + FMT_MAX_FRAMES / 2) / 8 + 64];
static bool fmt_shadow[FMT_MAX_FRAMES];
static uint32_t fmt_runfrom[FMT_MAX_FRAMES + 1]; /* free run starting at i */

/* ---- the bit tricks ---- */

KTEST(freemap, word_prefix_suffix_longest)
{
	KT_EXPECT_EQ(word_prefix(0), 0);
	KT_EXPECT_EQ(word_suffix(0), 0);
	KT_EXPECT_EQ(word_longest(0), 0);
	KT_EXPECT_EQ(word_prefix(~0ull), 64);
	KT_EXPECT_EQ(word_suffix(~0ull), 64);
	KT_EXPECT_EQ(word_longest(~0ull), 64);
	KT_EXPECT_EQ(word_prefix(0x7), 3);
	KT_EXPECT_EQ(word_suffix(0x7), 0);
	KT_EXPECT_EQ(word_suffix(0xf000000000000000ull), 4);
	KT_EXPECT_EQ(word_longest(0xf0f00ff0ull), 8);
	KT_EXPECT_EQ(word_longest(0x8000000000000001ull), 1);
	KT_EXPECT_EQ(word_longest(~1ull), 63);
	KT_EXPECT_EQ(word_longest(0xfffffffe0000000full), 31);
	/* Against counting bit by bit. */
	for (int t = 0; t < 2000; t++) {
		uint64_t w = ktest_rand() & ktest_rand();
		uint32_t best = 0, cur = 0;

		if (t & 1)
			w |= ktest_rand() | ktest_rand();
		for (int i = 0; i < 64; i++) {
			cur = (w >> i) & 1 ? cur + 1 : 0;
			if (cur > best)
				best = cur;
		}
		KT_ASSERT_EQ(word_longest(w), best);
	}
}

KTEST(freemap, bit_range_mask)
{
	KT_EXPECT_EQ(bit_range_mask(0, 64), ~0ull);
	KT_EXPECT_EQ(bit_range_mask(0, 0), 0);
	KT_EXPECT_EQ(bit_range_mask(64, 64), 0);
	KT_EXPECT_EQ(bit_range_mask(4, 8), 0xf0);
	KT_EXPECT_EQ(bit_range_mask(63, 64), 1ull << 63);
	for (unsigned from = 0; from < 64; from++)
		for (unsigned last = from; last < 64; last++)
			KT_ASSERT_EQ(word_run_mask(from, last),
				     bit_range_mask(from, last + 1));
}

/* ---- helpers ---- */

static struct freemap fmt_map;

static void fmt_setup(uint64_t base, uint64_t nr)
{
	KT_ASSERT(nr <= FMT_MAX_FRAMES);
	KT_ASSERT(mm_freemap_storage_bytes(nr) <= sizeof(fmt_storage));
	mm_freemap_init(&fmt_map, base, nr, fmt_storage);
	for (uint64_t i = 0; i < nr; i++)
		fmt_shadow[i] = false;
}

/* Flips [a, a + len) to `free` in both, one maximal uniform piece at a time
 * (the freemap asserts every frame changes state). */
static void fmt_set(uint64_t a, uint64_t len, bool free)
{
	uint64_t base = fmt_map.base_pfn;

	for (uint64_t i = a; i < a + len;) {
		if (fmt_shadow[i] == free) {
			i++;
			continue;
		}
		uint64_t j = i;

		while (j < a + len && fmt_shadow[j] != free)
			fmt_shadow[j++] = free;
		if (free)
			mm_freemap_set_free(&fmt_map, base + i, j - i);
		else
			mm_freemap_set_used(&fmt_map, base + i, j - i);
		i = j;
	}
}

static void fmt_prepare_oracle(void)
{
	uint64_t nr = fmt_map.nr_frames;

	fmt_runfrom[nr] = 0;
	for (uint64_t i = nr; i-- > 0;)
		fmt_runfrom[i] = fmt_shadow[i] ? fmt_runfrom[i + 1] + 1 : 0;
}

static uint64_t fmt_oracle(uint64_t lo, uint64_t hi, uint64_t n, uint64_t align,
			   uint64_t boundary)
{
	uint64_t base = fmt_map.base_pfn, end = base + fmt_map.nr_frames;

	if (lo < base)
		lo = base;
	if (hi > end)
		hi = end;
	for (uint64_t p = lo; n && p < hi && hi - p >= n; p++)
		if (p % align == 0 && fmt_runfrom[p - base] >= n &&
		    !(boundary && (p / boundary != (p + n - 1) / boundary)))
			return p;
	return FREEMAP_NONE;
}

static uint64_t fmt_rand_pow2(unsigned max_shift)
{
	return 1ull << ktest_rand_below(max_shift + 1);
}

/* Random queries of every kind, each against the oracle. */
static uint64_t fmt_found, fmt_asked;

static void fmt_queries(int count, uint64_t max_n)
{
	uint64_t base = fmt_map.base_pfn, nr = fmt_map.nr_frames;

	fmt_prepare_oracle();
	for (int q = 0; q < count; q++) {
		uint64_t lo, hi, n, align, boundary;

		lo = base + ktest_rand_below(nr + 64) - 32;
		hi = ktest_rand_below(4) == 0 ? base + nr + ktest_rand_below(100)
					      : lo + ktest_rand_below(nr + 1);
		if (ktest_rand_below(8) == 0)
			lo = 0;
		n = ktest_rand_below(3) ? 1 + ktest_rand_below(16)
					: 1 + ktest_rand_below(max_n);
		align = ktest_rand_below(2) ? 1 : fmt_rand_pow2(12);
		boundary = ktest_rand_below(2) ? 0 : fmt_rand_pow2(14);
		uint64_t want = fmt_oracle(lo, hi, n, align, boundary);
		uint64_t got = mm_freemap_find(&fmt_map, lo, hi, n, align, boundary);

		if (got != want)
			ktest_printf("# query lo 0x%llx hi 0x%llx n %llu align "
				     "%llu boundary %llu\n",
				     (unsigned long long)lo,
				     (unsigned long long)hi,
				     (unsigned long long)n,
				     (unsigned long long)align,
				     (unsigned long long)boundary);
		KT_ASSERT_EQ(got, want);
		fmt_asked++;
		fmt_found += got != FREEMAP_NONE;
	}
}

/* ---- behaviour ---- */

KTEST(freemap, starts_all_used_and_counts)
{
	fmt_setup(1000, 777);
	KT_EXPECT_EQ(freemap_nr_free(&fmt_map), 0);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 1, 1, 0), FREEMAP_NONE);
	mm_freemap_set_free(&fmt_map, 1000, 777);
	KT_EXPECT_EQ(freemap_nr_free(&fmt_map), 777);
	KT_EXPECT(mm_freemap_is_free(&fmt_map, 1776));
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 777, 1, 0), 1000);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 778, 1, 0), FREEMAP_NONE);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, 1776, 777, 1, 0), FREEMAP_NONE);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 1, 1024, 0), 1024);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 100, 1, 128), 1024);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 100, 1, 64), FREEMAP_NONE);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 0, 1, 0), FREEMAP_NONE);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 65, 1, 64), FREEMAP_NONE);
	mm_freemap_set_used(&fmt_map, 1500, 1);
	KT_EXPECT(!mm_freemap_is_free(&fmt_map, 1500));
	KT_EXPECT_EQ(freemap_nr_free(&fmt_map), 776);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 1400, ~0ull, 200, 1, 0), 1501);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 1400, 1700, 200, 1, 0), FREEMAP_NONE);
	mm_freemap_check(&fmt_map);
}

KTEST(freemap, bad_calls_panic)
{
	fmt_setup(0, 100);
	KT_EXPECT_PANIC_MSG(mm_freemap_init(&fmt_map, 0, 0, fmt_storage),
			    "nr_frames 0");
	KT_EXPECT_PANIC_MSG(mm_freemap_set_free(&fmt_map, 99, 2), "outside the map");
	KT_EXPECT_PANIC_MSG(mm_freemap_set_used(&fmt_map, ~0ull, 1),
			    "outside the map");
#if MM_DEBUG
	mm_freemap_set_free(&fmt_map, 10, 5);
	KT_EXPECT_PANIC_MSG(mm_freemap_set_free(&fmt_map, 14, 1), "already free");
	KT_EXPECT_PANIC_MSG(mm_freemap_set_used(&fmt_map, 9, 2), "already used");
	/* ranges of several words */
	KT_EXPECT_PANIC_MSG(mm_freemap_set_used(&fmt_map, 12, 88), "already used");
	KT_EXPECT_PANIC_MSG(mm_freemap_set_free(&fmt_map, 0, 100), "already free");
#endif
}

/* Runs spanning words and tree nodes, found through the carry. */
KTEST(freemap, run_across_words_and_nodes)
{
	fmt_setup(0, 64 * 64);
	fmt_set(63, 1, true);
	fmt_set(64, 64, true);
	fmt_set(128, 2, true);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 67, 1, 0), 63);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 68, 1, 0), FREEMAP_NONE);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 64, ~0ull, 66, 1, 0), 64);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 66, 64, 0), 64);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 66, 1, 128), FREEMAP_NONE);
	fmt_set(1000, 2000, true);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 1500, 1, 0), 1000);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 1000, 1024, 0), 1024);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 1000, 1, 1024), 1024);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 952, 2048, 0), 2048);
	KT_EXPECT_EQ(mm_freemap_find(&fmt_map, 0, ~0ull, 953, 2048, 0), FREEMAP_NONE);
	mm_freemap_check(&fmt_map);
}

/* Small maps of every size, random churn and queries against the oracle. */
KTEST(freemap, random_against_oracle_small)
{
	fmt_found = fmt_asked = 0;
	for (int round = 0; round < 60; round++) {
		uint64_t nr = 1 + ktest_rand_below(round < 30 ? 300 : 3000);
		uint64_t base = ktest_rand_below(1u << 20);

		fmt_setup(base, nr);
		for (int op = 0; op < 40; op++) {
			uint64_t a = ktest_rand_below(nr);
			uint64_t len = 1 + ktest_rand_below(
						   ktest_rand_below(4) ? 16 : nr - a);

			if (len > nr - a)
				len = nr - a;
			fmt_set(a, len, ktest_rand_below(5) < 3);
			if (op % 8 == 7)
				fmt_queries(20, nr);
		}
		mm_freemap_check(&fmt_map);
		fmt_queries(40, nr);
	}
	ktest_printf("# %llu queries, %llu found a run\n",
		     (unsigned long long)fmt_asked, (unsigned long long)fmt_found);
	KT_EXPECT(fmt_found > fmt_asked / 10 && fmt_found < fmt_asked);
}

/* A deep tree (200k frames), sparse and dense patterns. */
KTEST(freemap, random_against_oracle_large)
{
	fmt_found = fmt_asked = 0;
	uint64_t nr = FMT_MAX_FRAMES - ktest_rand_below(1000);

	fmt_setup(0x40000 + ktest_rand_below(4096), nr);
	for (int phase = 0; phase < 4; phase++) {
		/* phase 0: few long free runs; 1: dense noise; 2: free
		 * everything; 3: fragment with single used frames. */
		for (int op = 0; op < 300; op++) {
			uint64_t a = ktest_rand_below(nr), len;

			if (phase == 2) {
				fmt_set(0, nr, true);
				break;
			}
			len = phase == 0 ? 1 + ktest_rand_below(5000)
					 : 1 + ktest_rand_below(8);
			if (len > nr - a)
				len = nr - a;
			fmt_set(a, len, phase == 3 ? false : ktest_rand_below(3) > 0);
		}
		mm_freemap_check(&fmt_map);
		fmt_queries(60, 20000);
	}
	ktest_printf("# %llu queries, %llu found a run\n",
		     (unsigned long long)fmt_asked, (unsigned long long)fmt_found);
	KT_EXPECT(fmt_found > fmt_asked / 10 && fmt_found < fmt_asked);
}

/* Maps across the zone edges (16 MiB and 4 GiB, pfns 4096 and 1M): only the
 * word straddling an edge, when the base puts one there, takes locked
 * updates, and each zone's free frames are counted apart (mm_freemap_check
 * recounts them zone by zone from the bitmap). */
KTEST(freemap, zone_edges_shared_word_and_counts)
{
	static const uint64_t edges[] = { 4096, 1ull << 20 };

	for (unsigned e = 0; e < 2; e++) {
		for (int round = 0; round < 6; round++) {
			uint64_t off = round == 0 ? 0 : 1 + ktest_rand_below(63);
			uint64_t base = edges[e] - 64 * 47 - off;
			uint64_t nr = 6000 + ktest_rand_below(64), rel = edges[e] - base;
			uint64_t nfree = 0;

			fmt_setup(base, nr);
			KT_EXPECT_EQ(fmt_map.shared_word[e],
				     off ? rel / 64 : UINT64_MAX);
			KT_EXPECT_EQ(fmt_map.shared_word[1 - e], UINT64_MAX);
			/* both halves of the edge word, then churn around it */
			fmt_set(rel - 1, 1, true);
			fmt_set(rel, 1, true);
			for (int op = 0; op < 200; op++) {
				uint64_t a = rel - 200 + ktest_rand_below(400);
				uint64_t len = 1 + ktest_rand_below(
							   op % 4 ? 130 : 3000);

				if (len > nr - a)
					len = nr - a;
				fmt_set(a, len, ktest_rand_below(5) < 3);
			}
			for (uint64_t i = 0; i < nr; i++)
				nfree += fmt_shadow[i];
			KT_EXPECT_EQ(freemap_nr_free(&fmt_map), nfree);
			mm_freemap_check(&fmt_map);
			fmt_queries(20, nr);
		}
	}
	/* A map ending just short of an edge that its last word would hold,
	 * and one starting just past it: no word of two zones. */
	fmt_setup(4096 - 100, 90);
	KT_EXPECT_EQ(fmt_map.shared_word[0], UINT64_MAX);
	fmt_set(0, 90, true);
	KT_EXPECT_EQ(freemap_nr_free(&fmt_map), 90);
	mm_freemap_check(&fmt_map);
	fmt_setup(4097, 100);
	KT_EXPECT_EQ(fmt_map.shared_word[0], UINT64_MAX);
	fmt_set(0, 100, true);
	mm_freemap_check(&fmt_map);
}
