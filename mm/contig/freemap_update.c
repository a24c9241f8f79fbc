/* SPDX-License-Identifier: MIT */
/*
 * freemap updates: frames entering and leaving the buddy free lists
 * (mm_freemap_set_free, mm_freemap_set_used), and mm_freemap_is_free. An update
 * changes bitmap words and its zone's free count, and marks the words'
 * summaries dirty; mm_freemap_sync (freemap.c, with the index and why its
 * summaries are lazy) recomputes them before a search.
 *
 * Locking. Zones are updated under different locks, so a word holding
 * frames of two zones takes a locked and/or; zone edges are multiples of
 * 4096 frames, so that is at most the one word straddling each edge, and
 * only when the region's base is not a multiple of 64 frames (mm_freemap_init
 * finds them). Every other word, and each zone's share of the free count,
 * is written only under one zone lock: a plain load and store.
 */
#include "build.h"

#include "contig/freemap.h"
#include "contig/freemap_bits.h"
#include "contig/freemap_internal.h"

#include "core.h"

/* ---- dirty marks ----
 * Invariant (freemap.c): a dirty node's ancestors are all dirty.
 */

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

void mm_freemap_set_free(struct freemap *fm, uint64_t pfn, uint64_t nr)
{
	set_bits(fm, pfn, nr, true, "mm_freemap_set_free");
}

void mm_freemap_set_used(struct freemap *fm, uint64_t pfn, uint64_t nr)
{
	set_bits(fm, pfn, nr, false, "mm_freemap_set_used");
}

bool mm_freemap_is_free(const struct freemap *fm, uint64_t pfn)
{
	check_range(fm, "mm_freemap_is_free", pfn, 1);
	uint64_t i = pfn - fm->base_pfn;

	return (fm->bits[i / 64] >> (i % 64)) & 1;
}
