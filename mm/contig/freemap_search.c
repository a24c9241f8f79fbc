/* SPDX-License-Identifier: MIT */
/*
 * freemap search: mm_freemap_find, the lowest run of n free frames inside
 * [lo, hi) that starts at a multiple of `align` and does not cross a
 * multiple of `boundary`, found on the index of freemap.c (the bitmap and
 * its tree of prefix/suffix/longest summaries).
 *
 * First fit (first_fit): the lowest p >= lo with [p, p + n) free and
 * p + n <= hi. Walk the tree left to right over [lo, hi) carrying `run`, the
 * free frames seen immediately before the current node:
 *   - run + node.prefix >= n: the answer is node.start - run;
 *   - node.longest < n: nothing starts inside; run becomes node.suffix (or
 *     run + len if the node is all free) and the whole subtree is skipped;
 *   - otherwise a fitting run lies inside: descend.
 * Only the paths along lo and hi visit partial nodes, and a fully covered
 * node is either skipped in O(1) or descended into once (and then the answer
 * is in it). Cost: O(8 log8 N) node visits, N = frames.
 *
 * Constraints (mm_freemap_find). Invariant: no valid run starts in [lo, x).
 * The next valid start p >= x is x rounded up to `align`, moved up to the
 * next multiple of boundary if [p, p + n) would cross one (crossing implies
 * boundary > align, and n <= boundary, so that start is aligned and fits).
 * Probe it on the bitmap (O(n / 64) words, last word first): all free is the
 * answer; otherwise the highest used frame u in the window gives x = u + 1,
 * since every start in (p, u] contains u. After 4 failed probes in a row,
 * first_fit(x) jumps x to the next free window of n frames, whatever lies
 * between. Each failed probe passes at least one aligned slot; each tree
 * jump passes a whole stretch without any free window of n, and each round
 * of probes that fails passes at least one maximal free run of length >= n.
 * So a request costs
 *     O((log N + n / 64) * (1 + min(fitting free runs, aligned slots)))
 * over the window, and O(1) when no free run of n exists in the region
 * (the root's longest says so). FreeBSD's search is O(free blocks of order
 * >= order(n)) before any alignment test, and the linear scan it falls back
 * to is O(frames).
 */
#include "build.h"

#include "contig/freemap.h"
#include "contig/freemap_bits.h"
#include "contig/freemap_internal.h"

#include "core.h"

/* ---- search ---- */

struct fit_search {
	const struct freemap *fm;
	uint64_t lo, hi; /* map-relative, lo < hi <= nr_frames */
	uint64_t n;
	uint64_t run; /* free frames in [lo, current) just before current */
};

/* The answer in bitmap word i (masked to [lo, hi)), or FREEMAP_NONE. */
static uint64_t fit_in_word(struct fit_search *fs, uint64_t i)
{
	uint64_t s = i * FM_WORD_BITS;
	unsigned from = fs->lo > s ? (unsigned)(fs->lo - s) : 0;
	unsigned to = fs->hi < s + 64 ? (unsigned)(fs->hi - s) : 64;
	uint64_t w = fs->fm->bits[i] & bit_range_mask(from, to);

	if (fs->run + word_prefix(w) >= fs->n)
		return s - fs->run;
	if (fs->n <= 64) {
		uint64_t x = w;

		while (x) {
			unsigned start = (unsigned)__builtin_ctzll(x);
			uint32_t len = word_prefix(x >> start);

			if (len >= fs->n)
				return s + start;
			if (start + len >= 64)
				break;
			x &= ~0ull << (start + len);
		}
	}
	fs->run = w == ~0ull ? fs->run + 64 : word_suffix(w);
	return FREEMAP_NONE;
}

static uint64_t fit_in_node(struct fit_search *fs, unsigned level, uint64_t i)
{
	uint64_t len = node_len(level), s = i * len;

	if (s >= fs->lo && s + len <= fs->hi) {
		struct freemap_sum sum = fs->fm->level[level][i];

		if (fs->run + sum.prefix >= fs->n)
			return s - fs->run;
		if (sum.longest < fs->n) {
			fs->run = sum.prefix == len ? fs->run + len : sum.suffix;
			return FREEMAP_NONE;
		}
	}
	if (level == 0)
		return fit_in_word(fs, i);

	uint64_t clen = len >> FREEMAP_FANOUT_SHIFT;
	uint64_t first = i << FREEMAP_FANOUT_SHIFT;

	for (uint64_t c = first; c < first + FM_FANOUT; c++) {
		uint64_t cs = c * clen;

		if (cs >= fs->hi)
			break;
		if (cs + clen <= fs->lo)
			continue;
		if (c >= fs->fm->level_len[level - 1]) {
			fs->run = 0; /* past the last word: used */
			break;
		}
		uint64_t r = fit_in_node(fs, level - 1, c);

		if (r != FREEMAP_NONE)
			return r;
	}
	return FREEMAP_NONE;
}

/* Lowest map-relative p in [lo, hi - n] with [p, p + n) free, or NONE. */
static uint64_t first_fit(const struct freemap *fm, uint64_t lo, uint64_t hi,
			  uint64_t n)
{
	struct fit_search fs = { fm, lo, hi, n, 0 };

	if (lo >= hi || hi - lo < n)
		return FREEMAP_NONE;
	return fit_in_node(&fs, fm->levels - 1, 0);
}

/* Bitmap probes per tree query in mm_freemap_find. */
#define FM_LOCAL_PROBES 4

/* The lowest start >= x that is aligned and keeps [start, start + nr)
 * inside one boundary block (boundary >= nr when non-zero). */
static inline uint64_t next_valid_start(uint64_t x, uint64_t nr,
					uint64_t align, uint64_t boundary)
{
	uint64_t p = mm_align_up(x, align);

	/* Crossing implies boundary > align, so moving up to the boundary
	 * keeps the alignment and the run then fits (nr <= boundary). */
	if (mm_crosses_boundary(p, nr, boundary))
		p = mm_align_up(p, boundary);
	return p;
}

/* The highest used frame (map-relative) in [i, i + nr), or FREEMAP_NONE
 * when all are free. Reads the bitmap, last word first: O(nr / 64). */
static uint64_t last_used_in(const struct freemap *fm, uint64_t i, uint64_t nr)
{
	uint64_t end = i + nr;
	uint64_t w = (end - 1) / FM_WORD_BITS, wfirst = i / FM_WORD_BITS;

	for (;; w--) {
		unsigned from = w == wfirst ? (unsigned)(i % FM_WORD_BITS) : 0;
		unsigned to = w == (end - 1) / FM_WORD_BITS
				      ? (unsigned)((end - 1) % FM_WORD_BITS) + 1
				      : 64;
		uint64_t used = ~fm->bits[w] & bit_range_mask(from, to);

		if (used)
			return w * FM_WORD_BITS + 63 -
			       (unsigned)__builtin_clzll(used);
		if (w == wfirst)
			return FREEMAP_NONE;
	}
}

uint64_t mm_freemap_find(struct freemap *fm, uint64_t lo, uint64_t hi,
		      uint64_t nr, uint64_t align, uint64_t boundary)
{
	uint64_t base = fm->base_pfn, end = base + fm->nr_frames;

	MM_ASSERT(align && !(align & (align - 1)),
		  "mm_freemap_find: align not a power of two (%llu)",
		  (unsigned long long)align);
	MM_ASSERT(!(boundary & (boundary - 1)),
		  "mm_freemap_find: boundary not a power of two (%llu)",
		  (unsigned long long)boundary);
	if (lo < base)
		lo = base;
	if (hi > end)
		hi = end;
	if (nr == 0 || lo >= hi || hi - lo < nr || (boundary && nr > boundary) ||
	    freemap_nr_free(fm) < nr)
		return FREEMAP_NONE;
	mm_freemap_sync(fm);
	if (fm->level[fm->levels - 1][0].longest < nr)
		return FREEMAP_NONE; /* no free run of nr anywhere */

	/* x: no valid run starts in [lo, x). Probe the next valid start on
	 * the bitmap; after FM_LOCAL_PROBES misses, let the tree skip to
	 * the next free window of nr frames. */
	for (uint64_t x = lo;;) {
		for (unsigned probe = 0; probe < FM_LOCAL_PROBES; probe++) {
			uint64_t p = next_valid_start(x, nr, align, boundary);

			if (p < x || p >= hi || hi - p < nr)
				return FREEMAP_NONE; /* also catches wrap-around */
			uint64_t u = last_used_in(fm, p - base, nr);

			if (u == FREEMAP_NONE) {
				MM_ASSERT(p % align == 0 &&
						  !mm_crosses_boundary(p, nr,
									boundary),
					  "mm_freemap_find: bad result 0x%llx",
					  (unsigned long long)p);
				return p;
			}
			x = base + u + 1; /* every start in (p, u] holds u */
		}
		uint64_t p0 = first_fit(fm, x - base, hi - base, nr);

		if (p0 == FREEMAP_NONE)
			return FREEMAP_NONE;
		x = base + p0; /* no free window of nr starts in [x, p0) */
	}
}
