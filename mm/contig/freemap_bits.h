/* SPDX-License-Identifier: MIT */
/*
 * The bit tricks of the freemap, each a named inline function so it can be
 * tested on its own (tests/mm/contig/test_freemap.c). Bit i of a bitmap word is
 * frame (word * 64 + i); 1 = free.
 */
#ifndef MM_FREEMAP_BITS_H
#define MM_FREEMAP_BITS_H

#include <stdbool.h>
#include <stdint.h>

/* Free frames at the start (bit 0 upwards) of bitmap word w. */
static inline uint32_t word_prefix(uint64_t w)
{
	return w == ~0ull ? 64 : (uint32_t)__builtin_ctzll(~w);
}

/* Free frames at the end (bit 63 downwards) of bitmap word w. */
static inline uint32_t word_suffix(uint64_t w)
{
	return w == ~0ull ? 64 : (uint32_t)__builtin_clzll(~w);
}

/* Longest run of set bits in w, branch-light: run_k has bit i set when
 * bits i..i+k-1 all are; then a greedy binary search over the length. */
static inline uint32_t word_longest(uint64_t w)
{
	if (w == ~0ull)
		return 64;
	uint64_t run[6];
	uint32_t len = 0;
	uint64_t at = ~0ull; /* starts of runs of at least len */

	run[0] = w;                              /* >= 1  */
	run[1] = run[0] & (run[0] >> 1);         /* >= 2  */
	run[2] = run[1] & (run[1] >> 2);         /* >= 4  */
	run[3] = run[2] & (run[2] >> 4);         /* >= 8  */
	run[4] = run[3] & (run[3] >> 8);         /* >= 16 */
	run[5] = run[4] & (run[4] >> 16);        /* >= 32 */
	for (int k = 5; k >= 0; k--) {
		uint64_t more = at & (run[k] >> len);

		if (more) {
			at = more;
			len += 1u << k;
		}
	}
	return len;
}

/* Bits [from, to) of a word set, 0 <= from <= to <= 64. */
static inline uint64_t bit_range_mask(unsigned from, unsigned to)
{
	uint64_t hi = to >= 64 ? ~0ull : (1ull << to) - 1;
	uint64_t lo = from >= 64 ? ~0ull : (1ull << from) - 1;

	return hi & ~lo;
}

/* Bits [from, last] of a word set, 0 <= from <= last <= 63: no branch (every
 * shift is below 64), unlike bit_range_mask. */
static inline uint64_t word_run_mask(unsigned from, unsigned last)
{
	return (~0ull << from) & (~0ull >> (63 - last));
}

#endif
