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
 * Lazy summaries. set_free/set_used change bitmap words and mark the word
 * and its ancestors dirty, stopping at the first ancestor already dirty.
 * Zones are updated under different locks, so a word holding frames of two
 * zones takes a locked and/or; zone edges are multiples of 4096 frames, so
 * that is at most the one word straddling each edge, and only when the
 * region's base is not a multiple of 64 frames (freemap_init finds them).
 * Every other word, and each zone's share of the free count, is written
 * only under one zone lock: a plain load and store.
 * freemap_sync (run by freemap_find) recomputes exactly the dirty nodes,
 * children first. An update is therefore a few word operations (amortized
 * O(1) dirty marks), and a search pays once for all summaries changed since
 * the previous one: never more work than eager updates would have done.
 * The first sync after boot (contig_init) covers the whole map.
 *
 * Memory: 1 bit + about 12 * (1/64 + 1/512 + ...) bytes of summaries + dirty
 * bits per frame: 0.34 bytes per frame (about 700 KiB for 8 GiB).
 */
#include "contig/freemap.h"
#include "contig/freemap_bits.h"

#include "core.h"
#include "zone_bounds.h" /* the zone edges: the lock domains */

#define FM_WORD_BITS 64u
#define FM_MAX_FRAMES ((1ull << 32) - 64)

#define FM_FANOUT (1u << FREEMAP_FANOUT_SHIFT)

_Static_assert(FREEMAP_DOMAINS == MM_NR_ZONES, "one lock domain per zone");
/* Where lock domain d ends (d < FREEMAP_DOMAINS - 1). */
static const uint64_t fm_domain_end[FREEMAP_DOMAINS - 1] = {
	ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN
};
_Static_assert(ZONE_DMA_END_PFN % 64 == 0 && ZONE_DMA32_END_PFN % 64 == 0,
	       "zone edges at whole words when the base is");

/* The lock domain (zone) of frame pfn. */
static inline unsigned pfn_domain(uint64_t pfn)
{
	return (unsigned)pfn_zone(pfn);
}

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
 * already is (its own ancestors are, by the invariant). Dirty words are
 * shared between zones (a level-k word covers 4096 * 8^k frames): atomic. */
static void mark_dirty_from(struct freemap *fm, uint64_t w)
{
	for (unsigned k = 0; k < fm->levels; k++, w >>= FREEMAP_FANOUT_SHIFT) {
		uint64_t *d = &fm->dirty[k][w / 64], m = 1ull << (w % 64);

		if (__atomic_load_n(d, __ATOMIC_RELAXED) & m)
			return;
		__atomic_fetch_or(d, m, __ATOMIC_RELAXED);
	}
}

/* mark_dirty_from with the common case inline: the word already dirty. */
static inline void mark_dirty(struct freemap *fm, uint64_t w)
{
	if (!((__atomic_load_n(&fm->dirty[0][w / 64], __ATOMIC_RELAXED) >>
	       (w % 64)) & 1))
		mark_dirty_from(fm, w);
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
		mm_panic("freemap_init: bad frame count (nr_frames %llu)",
			 (unsigned long long)nr_frames);
	if (!storage || ((uintptr_t)storage & 7))
		mm_panic("freemap_init: storage NULL or misaligned (%p)",
			 storage);

	uint64_t words = words_for(nr_frames);
	size_t bytes = freemap_storage_bytes(nr_frames);
	unsigned char *p = storage;

	__builtin_memset(storage, 0, bytes);
	fm->base_pfn = base_pfn;
	fm->nr_frames = nr_frames;
	for (unsigned d = 0; d < FREEMAP_DOMAINS; d++)
		fm->nr_free[d] = 0;
	/* The word straddling a zone edge inside the map, if the edge is not
	 * at a word's start, holds frames of two zones. */
	for (unsigned d = 0; d < FREEMAP_DOMAINS - 1; d++) {
		uint64_t e = fm_domain_end[d];

		fm->shared_word[d] = UINT64_MAX;
		if (e > base_pfn && e - base_pfn < nr_frames &&
		    (e - base_pfn) % FM_WORD_BITS)
			fm->shared_word[d] = (e - base_pfn) / FM_WORD_BITS;
	}
	fm->bits = (uint64_t *)p;
	p += words * sizeof(uint64_t);
	fm->levels = 0;
	for (uint64_t n = words;; n = (n + FM_FANOUT - 1) / FM_FANOUT) {
		if (fm->levels == FREEMAP_MAX_LEVELS)
			mm_panic("freemap_init: too many levels (nr_frames %llu)",
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
	MM_ASSERT((size_t)(p - (unsigned char *)storage) <= bytes,
		  "freemap_init: layout overran storage (%zu > %zu)",
		  (size_t)(p - (unsigned char *)storage), bytes);
}

/* ---- updates ---- */

static __attribute__((noinline, cold)) void
range_panic(const struct freemap *fm, const char *fn, uint64_t pfn, uint64_t nr)
{
	mm_panic("%s: range outside the map (pfn 0x%llx, nr %llu, map "
		 "0x%llx+%llu)",
		 fn, (unsigned long long)pfn, (unsigned long long)nr,
		 (unsigned long long)fm->base_pfn,
		 (unsigned long long)fm->nr_frames);
}

/* Whether [pfn, pfn + nr) lies inside the map (no overflow). */
static inline bool range_inside(const struct freemap *fm, uint64_t pfn,
				uint64_t nr)
{
	return pfn >= fm->base_pfn && nr <= fm->nr_frames &&
	       pfn - fm->base_pfn <= fm->nr_frames - nr;
}

static inline void check_range(const struct freemap *fm, const char *fn,
			       uint64_t pfn, uint64_t nr)
{
	if (!range_inside(fm, pfn, nr))
		range_panic(fm, fn, pfn, nr);
}

/* Whether map-relative word w may hold frames of two zones. */
static inline bool word_shared(const struct freemap *fm, uint64_t w)
{
	return w == fm->shared_word[0] || w == fm->shared_word[1];
}
_Static_assert(FREEMAP_DOMAINS - 1 == 2, "word_shared tests two edges");

/* Sets (free) or clears the bits m of word w; returns the old word. Only a
 * word two zones share (and m is then partial) needs a locked and/or; any
 * other word is written only under one zone's lock. */
static inline uint64_t word_update(struct freemap *fm, uint64_t w, uint64_t m,
				   bool free)
{
	uint64_t *p = &fm->bits[w], old;

	if (m != ~0ull && word_shared(fm, w))
		return free ? __atomic_fetch_or(p, m, __ATOMIC_RELAXED)
			    : __atomic_fetch_and(p, ~m, __ATOMIC_RELAXED);
	old = __atomic_load_n(p, __ATOMIC_RELAXED);
	__atomic_store_n(p, free ? old | m : old & ~m, __ATOMIC_RELAXED);
	return old;
}

/* Adds (free) or takes nr from the lock domain counter d: one writer at a
 * time (the zone lock), so no locked add. */
static inline void count_add(struct freemap *fm, unsigned d, uint64_t nr,
			     bool free)
{
	uint64_t n = __atomic_load_n(&fm->nr_free[d], __ATOMIC_RELAXED);

	__atomic_store_n(&fm->nr_free[d], free ? n + nr : n - nr,
			 __ATOMIC_RELAXED);
}

/* Counts [pfn, pfn + nr), which crosses a zone edge, split at the edges
 * (such a caller holds both zones' locks). */
static __attribute__((noinline)) void
count_split(struct freemap *fm, uint64_t pfn, uint64_t nr, bool free)
{
	uint64_t end = pfn + nr;

	for (uint64_t p = pfn; p < end;) {
		unsigned d = pfn_domain(p);
		uint64_t stop = d < FREEMAP_DOMAINS - 1 && fm_domain_end[d] < end
					? fm_domain_end[d]
					: end;

		count_add(fm, d, stop - p, free);
		p = stop;
	}
}

/* Counts [pfn, pfn + nr) in its zone's counter (the buddy's blocks never
 * cross a zone edge). */
static inline void count_range(struct freemap *fm, uint64_t pfn, uint64_t nr,
			       bool free)
{
	unsigned d = pfn_domain(pfn);

	if (d == pfn_domain(pfn + nr - 1))
		count_add(fm, d, nr, free);
	else
		count_split(fm, pfn, nr, free);
}

/* Marks words lo..hi and their ancestors dirty, a level at a time; stops at
 * the first level where all of the range already is. */
static void mark_dirty_range(struct freemap *fm, uint64_t lo, uint64_t hi)
{
	/* common case: one dirty word, already all dirty */
	if (lo / 64 == hi / 64) {
		uint64_t m = word_run_mask((unsigned)(lo % 64),
					   (unsigned)(hi % 64));

		if ((__atomic_load_n(&fm->dirty[0][lo / 64], __ATOMIC_RELAXED) &
		     m) == m)
			return;
	}
	for (unsigned k = 0; k < fm->levels;
	     k++, lo >>= FREEMAP_FANOUT_SHIFT, hi >>= FREEMAP_FANOUT_SHIFT) {
		bool was_dirty = true;

		for (uint64_t i = lo / 64; i <= hi / 64; i++) {
			uint64_t *d = &fm->dirty[k][i];
			uint64_t m = bit_range_mask(i == lo / 64 ? lo % 64 : 0,
						    i == hi / 64 ? hi % 64 + 1 : 64);

			if ((__atomic_load_n(d, __ATOMIC_RELAXED) & m) != m) {
				__atomic_fetch_or(d, m, __ATOMIC_RELAXED);
				was_dirty = false;
			}
		}
		if (was_dirty)
			return;
	}
}

/* A range of several words: partial words at the ends (word_update), whole
 * words between (each all ours: a plain store). */
static void set_words(struct freemap *fm, uint64_t first, uint64_t end,
		      bool free, const char *fn)
{
	uint64_t wlo = first / FM_WORD_BITS, whi = (end - 1) / FM_WORD_BITS;
	uint64_t mlo = word_run_mask((unsigned)(first % FM_WORD_BITS), 63);
	uint64_t mhi = word_run_mask(0, (unsigned)((end - 1) % FM_WORD_BITS));
	uint64_t bad = 0; /* frames already in the new state (debug) */
	uint64_t old = word_update(fm, wlo, mlo, free);

	bad |= (free ? old : ~old) & mlo;
	for (uint64_t w = wlo + 1; w < whi; w++) {
		if (MM_DEBUG)
			bad |= free ? fm->bits[w] : ~fm->bits[w];
		__atomic_store_n(&fm->bits[w], free ? ~0ull : 0,
				 __ATOMIC_RELAXED);
	}
	old = word_update(fm, whi, mhi, free);
	bad |= (free ? old : ~old) & mhi;
	MM_ASSERT(bad == 0, "%s: a frame is already %s (pfn 0x%llx, nr %llu)",
		  fn, free ? "free" : "used",
		  (unsigned long long)(fm->base_pfn + first),
		  (unsigned long long)(end - first));
	mark_dirty_range(fm, wlo, whi);
}

/* Everything but the fast path of set_bits: ranges of several words, and a
 * word two zones share (locked update, and the count split at the edge). */
static __attribute__((noinline)) void set_bits_slow(struct freemap *fm,
						    uint64_t pfn, uint64_t nr,
						    bool free, const char *fn)
{
	uint64_t first = pfn - fm->base_pfn, end = first + nr;
	uint64_t w = first / FM_WORD_BITS;

	if (w == (end - 1) / FM_WORD_BITS) {
		uint64_t m = word_run_mask((unsigned)(first % FM_WORD_BITS),
					   (unsigned)((end - 1) % FM_WORD_BITS));
		uint64_t old = word_update(fm, w, m, free);

		MM_ASSERT(free ? (old & m) == 0 : (old & m) == m,
			  "%s: a frame is already %s (pfn 0x%llx, nr %llu)",
			  fn, free ? "free" : "used", (unsigned long long)pfn,
			  (unsigned long long)nr);
		mark_dirty(fm, w);
	} else {
		set_words(fm, first, end, free, fn);
	}
	count_range(fm, pfn, nr, free);
}

/* Inlined into set_free and set_used (free is a constant there). Fast
 * path, the buddy's common case: a block inside one word (order <= 6) of
 * one zone, whose summary is already stale. It makes no call but tail
 * calls, so it needs no stack frame. */
static inline __attribute__((always_inline)) void
set_bits(struct freemap *fm, uint64_t pfn, uint64_t nr, bool free,
	 const char *fn)
{
	if (nr == 0)
		return;
	if (!range_inside(fm, pfn, nr)) {
		range_panic(fm, fn, pfn, nr);
		return;
	}

	uint64_t first = pfn - fm->base_pfn, last = first + nr - 1;
	uint64_t w = first / FM_WORD_BITS;

	if (w != last / FM_WORD_BITS || word_shared(fm, w)) {
		set_bits_slow(fm, pfn, nr, free, fn);
		return;
	}
	/* The word is ours alone (zone lock): a plain read-modify-write. */
	uint64_t m = word_run_mask((unsigned)(first % FM_WORD_BITS),
				   (unsigned)(last % FM_WORD_BITS));
	uint64_t *p = &fm->bits[w];
	uint64_t old = __atomic_load_n(p, __ATOMIC_RELAXED);

	MM_ASSERT(free ? (old & m) == 0 : (old & m) == m,
		  "%s: a frame is already %s (pfn 0x%llx, nr %llu)", fn,
		  free ? "free" : "used", (unsigned long long)pfn,
		  (unsigned long long)nr);
	__atomic_store_n(p, free ? old | m : old & ~m, __ATOMIC_RELAXED);
	count_add(fm, pfn_domain(pfn), nr, free); /* one word: one zone */
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

uint64_t freemap_find(struct freemap *fm, uint64_t lo, uint64_t hi,
		      uint64_t nr, uint64_t align, uint64_t boundary)
{
	uint64_t base = fm->base_pfn, end = base + fm->nr_frames;

	MM_ASSERT(align && !(align & (align - 1)),
		  "freemap_find: align not a power of two (%llu)",
		  (unsigned long long)align);
	MM_ASSERT(!(boundary & (boundary - 1)),
		  "freemap_find: boundary not a power of two (%llu)",
		  (unsigned long long)boundary);
	if (lo < base)
		lo = base;
	if (hi > end)
		hi = end;
	if (nr == 0 || lo >= hi || hi - lo < nr || (boundary && nr > boundary) ||
	    freemap_nr_free(fm) < nr)
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
				MM_ASSERT(p % align == 0 &&
						  !mm_crosses_boundary(p, nr,
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
	uint64_t words = fm->level_len[0], free[FREEMAP_DOMAINS] = { 0 };

	freemap_sync(fm);
	for (unsigned k = 0; k < fm->levels; k++)
		for (uint64_t i = 0; i < fm->level_len[k]; i++)
			if (node_dirty(fm, k, i))
				mm_panic("freemap_check: dirty after sync (level "
					 "%u, node %llu)",
					 k, (unsigned long long)i);

	for (uint64_t w = 0; w < words; w++) {
		struct freemap_sum s = word_summary(fm->bits[w]);

		uint64_t s0 = fm->base_pfn + w * FM_WORD_BITS;
		uint64_t last = w == words - 1
					? fm->base_pfn + fm->nr_frames - 1
					: s0 + 63;
		unsigned d0 = pfn_domain(s0), d1 = pfn_domain(last);
		/* edges are 4096 frames apart or more: one per word at most */
		unsigned k = d0 == d1 ? 64 : (unsigned)(fm_domain_end[d0] - s0);

		if (d0 != d1 && !word_shared(fm, w))
			mm_panic("freemap_check: word %llu spans two zones but "
				 "is not marked shared",
				 (unsigned long long)w);
		free[d0] += (uint64_t)__builtin_popcountll(
			fm->bits[w] & bit_range_mask(0, k));
		free[d1] += (uint64_t)__builtin_popcountll(
			fm->bits[w] & bit_range_mask(k, 64));
		if (!sum_equal(s, fm->level[0][w]))
			mm_panic("freemap_check: stale word summary (word %llu)",
				 (unsigned long long)w);
	}
	if (fm->nr_frames % 64 &&
	    (fm->bits[words - 1] >> (fm->nr_frames % 64)) != 0)
		mm_panic("freemap_check: bits set past the end (0x%llx)",
			 (unsigned long long)fm->bits[words - 1]);
	for (unsigned d = 0; d < FREEMAP_DOMAINS; d++)
		if (free[d] != fm->nr_free[d])
			mm_panic("freemap_check: free count %llu in zone %u, "
				 "bitmap has %llu",
				 (unsigned long long)fm->nr_free[d], d,
				 (unsigned long long)free[d]);
	for (unsigned k = 1; k < fm->levels; k++)
		for (uint64_t i = 0; i < fm->level_len[k]; i++)
			if (!sum_equal(node_from_children(fm, k, i),
				       fm->level[k][i]))
				mm_panic("freemap_check: stale summary (level "
					 "%u, node %llu)",
					 k, (unsigned long long)i);
}
