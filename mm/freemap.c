/* SPDX-License-Identifier: MIT */
/*
 * freemap: the free-frame index behind contigmalloc().
 *
 * The problem. contigmalloc() wants the lowest run of n free frames inside
 * [lo, hi) that starts at a multiple of `align` and does not cross a multiple
 * of `boundary`. The run may span several free buddy blocks of different
 * orders, so the buddy free lists alone cannot answer it. FreeBSD's
 * vm_phys_alloc_contig() walks the free lists of every order >= the order of
 * n and then grows each candidate block over its neighbours: O(free blocks)
 * per request, and a scan of the frame array when that fails.
 *
 * The index. One bit per frame (1 = free, kept current by the buddy: a frame
 * is free here iff it sits on a buddy free list), and over the bitmap words a
 * tree of summaries with fanout 8 (5 levels above the words for 8 GiB). A
 * node covering frames [s, s + len) records
 *   prefix  - free frames at its start,
 *   suffix  - free frames at its end,
 *   longest - the longest free run inside it,
 * computed from its 8 children in one left-to-right pass that carries the
 * free run reaching the current child (node_from_children). Level 0 holds
 * one summary per bitmap word (ctz/clz and a branch-light longest-run trick).
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
 * Constraints (freemap_find). Invariant: no valid run starts in [lo, x).
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
 *
 * Lazy summaries. set_free/set_used change bitmap words (plain stores for
 * whole words, atomic and/or for partial words: a word may hold frames of
 * two zones, which are updated under different zone locks) and mark the
 * word and its ancestors dirty, stopping at the first ancestor already dirty.
 * freemap_sync (run by freemap_find) recomputes exactly the dirty nodes,
 * children first. An update is therefore a few word operations (amortized
 * O(1) dirty marks), and a search pays once for all summaries changed since
 * the previous one: never more work than eager updates would have done.
 * The first sync after boot (contig_init) covers the whole map.
 *
 * Memory: 1 bit + about 12 * (1/64 + 1/512 + ...) bytes of summaries + dirty
 * bits per frame: 0.34 bytes per frame (about 700 KiB for 8 GiB).
 */
#include "freemap.h"
#include "freemap_bits.h"

#include <mm/port.h>

#ifndef MM_DEBUG
#define MM_DEBUG 0
#endif

#define FM_PANIC(...) mm_port_panic(__FILE__, __LINE__, __VA_ARGS__)
/* Internal invariants; type-checked even when MM_DEBUG is 0. */
#define FM_ASSERT(cond, ...)                                                  \
	do {                                                                  \
		if (MM_DEBUG && !(cond))                                      \
			FM_PANIC(__VA_ARGS__);                                \
	} while (0)

#define FM_WORD_BITS 64u
#define FM_MAX_FRAMES ((1ull << 32) - 64)

#define FM_FANOUT (1u << FREEMAP_FANOUT_SHIFT)

/* Frames a node of this level covers (its nominal length). */
static inline uint64_t node_len(unsigned level)
{
	return (uint64_t)FM_WORD_BITS << (FREEMAP_FANOUT_SHIFT * level);
}

/* ---- summaries ---- */

static struct freemap_sum word_summary(uint64_t w)
{
	return (struct freemap_sum){ word_prefix(w), word_suffix(w),
				     word_longest(w) };
}

/* The summary of node i of level k from its (up to 8) children, in one
 * pass: `run` is the free run reaching the current child's start. */
static struct freemap_sum node_from_children(const struct freemap *fm,
					     unsigned level, uint64_t i)
{
	const struct freemap_sum *child = fm->level[level - 1];
	uint64_t first = i << FREEMAP_FANOUT_SHIFT;
	uint64_t last = first + FM_FANOUT;
	uint64_t clen = node_len(level - 1);
	uint64_t prefix = 0, run = 0, longest = 0;
	bool leading = true; /* every child so far is all free */

	if (last > fm->level_len[level - 1])
		last = fm->level_len[level - 1];
	for (uint64_t c = first; c < last; c++) {
		struct freemap_sum ch = child[c];

		if (ch.prefix == clen) {
			run += clen;
			continue;
		}
		if (leading) {
			prefix = run + ch.prefix;
			leading = false;
		}
		if (run + ch.prefix > longest)
			longest = run + ch.prefix;
		if (ch.longest > longest)
			longest = ch.longest;
		run = ch.suffix;
	}
	if (leading)
		prefix = run;
	if (run > longest)
		longest = run;
	/* Children missing past the end of the level count as used, so no
	 * free run reaches the node's nominal end. */
	return (struct freemap_sum){ (uint32_t)prefix,
				     last - first < FM_FANOUT ? 0 : (uint32_t)run,
				     (uint32_t)longest };
}

static bool sum_equal(struct freemap_sum a, struct freemap_sum b)
{
	return a.prefix == b.prefix && a.suffix == b.suffix &&
	       a.longest == b.longest;
}

/* ---- lazy summaries ----
 * dirty[k] has one bit per node of level k. Invariant: a dirty node's
 * ancestors are all dirty, and a clean node's summary is exact.
 */

static inline bool node_dirty(const struct freemap *fm, unsigned k, uint64_t i)
{
	return (fm->dirty[k][i / 64] >> (i % 64)) & 1;
}

/* Marks word w and its ancestors dirty; stops at the first ancestor that
 * already is (its own ancestors are, by the invariant). */
static void mark_dirty(struct freemap *fm, uint64_t w)
{
	for (unsigned k = 0; k < fm->levels; k++, w >>= FREEMAP_FANOUT_SHIFT) {
		uint64_t *d = &fm->dirty[k][w / 64], m = 1ull << (w % 64);

		if (__atomic_load_n(d, __ATOMIC_RELAXED) & m)
			return;
		__atomic_fetch_or(d, m, __ATOMIC_RELAXED);
	}
}

/* Recomputes node i of level k and every dirty node below it. */
static void clean_node(struct freemap *fm, unsigned k, uint64_t i)
{
	if (k == 0) {
		fm->level[0][i] = word_summary(fm->bits[i]);
	} else {
		uint64_t first = i << FREEMAP_FANOUT_SHIFT;
		/* The 8 children's dirty bits share one word (8 divides 64). */
		unsigned dirty = (unsigned)(fm->dirty[k - 1][first / 64] >>
					    (first % 64)) & 0xffu;

		while (dirty) {
			unsigned c = (unsigned)__builtin_ctz(dirty);

			clean_node(fm, k - 1, first + c);
			dirty &= dirty - 1;
		}
		fm->level[k][i] = node_from_children(fm, k, i);
	}
	fm->dirty[k][i / 64] &= ~(1ull << (i % 64));
}

void freemap_sync(struct freemap *fm)
{
	unsigned root = fm->levels - 1;

	if (node_dirty(fm, root, 0))
		clean_node(fm, root, 0);
}

/* ---- init ---- */

static uint64_t words_for(uint64_t nr_frames)
{
	return (nr_frames + FM_WORD_BITS - 1) / FM_WORD_BITS;
}

size_t freemap_storage_bytes(uint64_t nr_frames)
{
	uint64_t words = words_for(nr_frames);
	uint64_t bytes = words * sizeof(uint64_t);

	for (uint64_t n = words;; n = (n + FM_FANOUT - 1) / FM_FANOUT) {
		bytes += n * sizeof(struct freemap_sum);
		bytes = (bytes + 7) & ~7ull;
		bytes += (n + 63) / 64 * sizeof(uint64_t); /* dirty bits */
		if (n <= 1)
			break;
	}
	return (size_t)bytes;
}

void freemap_init(struct freemap *fm, uint64_t base_pfn, uint64_t nr_frames,
		  void *storage)
{
	if (nr_frames == 0 || nr_frames > FM_MAX_FRAMES)
		FM_PANIC("freemap_init: bad frame count (nr_frames %llu)",
			 (unsigned long long)nr_frames);
	if (!storage || ((uintptr_t)storage & 7))
		FM_PANIC("freemap_init: storage NULL or misaligned (%p)",
			 storage);

	uint64_t words = words_for(nr_frames);
	size_t bytes = freemap_storage_bytes(nr_frames);
	unsigned char *p = storage;

	__builtin_memset(storage, 0, bytes);
	fm->base_pfn = base_pfn;
	fm->nr_frames = nr_frames;
	fm->nr_free = 0;
	fm->bits = (uint64_t *)p;
	p += words * sizeof(uint64_t);
	fm->levels = 0;
	for (uint64_t n = words;; n = (n + FM_FANOUT - 1) / FM_FANOUT) {
		if (fm->levels == FREEMAP_MAX_LEVELS)
			FM_PANIC("freemap_init: too many levels (nr_frames %llu)",
				 (unsigned long long)nr_frames);
		fm->level_len[fm->levels] = n;
		fm->level[fm->levels] = (struct freemap_sum *)p;
		p += n * sizeof(struct freemap_sum);
		p = (unsigned char *)(((uintptr_t)p + 7) & ~(uintptr_t)7);
		fm->dirty[fm->levels] = (uint64_t *)p;
		p += (n + 63) / 64 * sizeof(uint64_t);
		fm->levels++;
		if (n <= 1)
			break;
	}
	FM_ASSERT((size_t)(p - (unsigned char *)storage) <= bytes,
		  "freemap_init: layout overran storage (%zu > %zu)",
		  (size_t)(p - (unsigned char *)storage), bytes);
}

/* ---- updates ---- */

static void check_range(const struct freemap *fm, const char *fn,
			uint64_t pfn, uint64_t nr)
{
	if (pfn < fm->base_pfn || nr > fm->nr_frames ||
	    pfn - fm->base_pfn > fm->nr_frames - nr)
		FM_PANIC("%s: range outside the map (pfn 0x%llx, nr %llu, map "
			 "0x%llx+%llu)",
			 fn, (unsigned long long)pfn, (unsigned long long)nr,
			 (unsigned long long)fm->base_pfn,
			 (unsigned long long)fm->nr_frames);
}

static void set_bits(struct freemap *fm, uint64_t pfn, uint64_t nr,
		     bool free, const char *fn)
{
	if (nr == 0)
		return;
	check_range(fm, fn, pfn, nr);

	uint64_t first = pfn - fm->base_pfn, end = first + nr;
	uint64_t wlo = first / FM_WORD_BITS, whi = (end - 1) / FM_WORD_BITS;

	for (uint64_t w = wlo; w <= whi; w++) {
		unsigned from = w == wlo ? (unsigned)(first % FM_WORD_BITS) : 0;
		unsigned to = w == whi ? (unsigned)((end - 1) % FM_WORD_BITS) + 1
				       : 64;
		uint64_t m = bit_range_mask(from, to), old;

		/* A partial word may hold frames of two zones, updated under
		 * different zone locks: atomic. A whole word is all ours. */
		if (m == ~0ull) {
			old = fm->bits[w];
			fm->bits[w] = free ? ~0ull : 0;
		} else if (free) {
			old = __atomic_fetch_or(&fm->bits[w], m, __ATOMIC_RELAXED);
		} else {
			old = __atomic_fetch_and(&fm->bits[w], ~m,
						 __ATOMIC_RELAXED);
		}

		FM_ASSERT(free ? (old & m) == 0 : (old & m) == m,
			  "%s: a frame is already %s (pfn 0x%llx, nr %llu)",
			  fn, free ? "free" : "used", (unsigned long long)pfn,
			  (unsigned long long)nr);
	}
	if (free)
		__atomic_fetch_add(&fm->nr_free, nr, __ATOMIC_RELAXED);
	else
		__atomic_fetch_sub(&fm->nr_free, nr, __ATOMIC_RELAXED);
	for (uint64_t w = wlo; w <= whi; w++)
		mark_dirty(fm, w);
}

void freemap_set_free(struct freemap *fm, uint64_t pfn, uint64_t nr)
{
	set_bits(fm, pfn, nr, true, "freemap_set_free");
}

void freemap_set_used(struct freemap *fm, uint64_t pfn, uint64_t nr)
{
	set_bits(fm, pfn, nr, false, "freemap_set_used");
}

bool freemap_is_free(const struct freemap *fm, uint64_t pfn)
{
	check_range(fm, "freemap_is_free", pfn, 1);
	uint64_t i = pfn - fm->base_pfn;

	return (fm->bits[i / 64] >> (i % 64)) & 1;
}

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

/* Bitmap probes per tree query in freemap_find. */
#define FM_LOCAL_PROBES 4

/* The lowest start >= x that is aligned and keeps [start, start + nr)
 * inside one boundary block (boundary >= nr when non-zero). */
static inline uint64_t next_valid_start(uint64_t x, uint64_t nr,
					uint64_t align, uint64_t boundary)
{
	uint64_t p = align_up_pow2(x, align);

	/* Crossing implies boundary > align, so moving up to the boundary
	 * keeps the alignment and the run then fits (nr <= boundary). */
	if (run_crosses_boundary(p, nr, boundary))
		p = align_up_pow2(p, boundary);
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

uint64_t freemap_find(struct freemap *fm, uint64_t lo, uint64_t hi,
		      uint64_t nr, uint64_t align, uint64_t boundary)
{
	uint64_t base = fm->base_pfn, end = base + fm->nr_frames;

	FM_ASSERT(align && !(align & (align - 1)),
		  "freemap_find: align not a power of two (%llu)",
		  (unsigned long long)align);
	FM_ASSERT(!(boundary & (boundary - 1)),
		  "freemap_find: boundary not a power of two (%llu)",
		  (unsigned long long)boundary);
	if (lo < base)
		lo = base;
	if (hi > end)
		hi = end;
	if (nr == 0 || lo >= hi || hi - lo < nr || (boundary && nr > boundary) ||
	    fm->nr_free < nr)
		return FREEMAP_NONE;
	freemap_sync(fm);
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
				FM_ASSERT(p % align == 0 &&
						  !run_crosses_boundary(p, nr,
									boundary),
					  "freemap_find: bad result 0x%llx",
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

/* ---- debug ---- */

void freemap_check(struct freemap *fm)
{
	uint64_t words = fm->level_len[0], free = 0;

	freemap_sync(fm);
	for (unsigned k = 0; k < fm->levels; k++)
		for (uint64_t i = 0; i < fm->level_len[k]; i++)
			if (node_dirty(fm, k, i))
				FM_PANIC("freemap_check: dirty after sync (level "
					 "%u, node %llu)",
					 k, (unsigned long long)i);

	for (uint64_t w = 0; w < words; w++) {
		struct freemap_sum s = word_summary(fm->bits[w]);

		free += (uint64_t)__builtin_popcountll(fm->bits[w]);
		if (!sum_equal(s, fm->level[0][w]))
			FM_PANIC("freemap_check: stale word summary (word %llu)",
				 (unsigned long long)w);
	}
	if (fm->nr_frames % 64 &&
	    (fm->bits[words - 1] >> (fm->nr_frames % 64)) != 0)
		FM_PANIC("freemap_check: bits set past the end (0x%llx)",
			 (unsigned long long)fm->bits[words - 1]);
	if (free != fm->nr_free)
		FM_PANIC("freemap_check: free count %llu, bitmap has %llu",
			 (unsigned long long)fm->nr_free,
			 (unsigned long long)free);
	for (unsigned k = 1; k < fm->levels; k++)
		for (uint64_t i = 0; i < fm->level_len[k]; i++)
			if (!sum_equal(node_from_children(fm, k, i),
				       fm->level[k][i]))
				FM_PANIC("freemap_check: stale summary (level "
					 "%u, node %llu)",
					 k, (unsigned long long)i);
}
