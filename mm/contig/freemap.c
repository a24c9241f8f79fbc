/* SPDX-License-Identifier: MIT */
/*
 * freemap: the free-frame index behind contigmalloc(). This file holds the
 * index itself: its layout (mm_freemap_init), its summaries and their lazy
 * recomputation (mm_freemap_sync), and the debug check. The buddy's updates
 * are in freemap_update.c; contigmalloc's search, with its algorithm and
 * costs, in freemap_search.c.
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
 * Lazy summaries. set_free/set_used (freemap_update.c) change bitmap words
 * and mark the word and its ancestors dirty, stopping at the first ancestor
 * already dirty. mm_freemap_sync (run by mm_freemap_find) recomputes exactly the
 * dirty nodes, children first. An update is therefore a few word operations
 * (amortized O(1) dirty marks), and a search pays once for all summaries
 * changed since the previous one: never more work than eager updates would
 * have done. The first sync after boot (mm_contig_init) covers the whole map.
 *
 * Memory: 1 bit + about 12 * (1/64 + 1/512 + ...) bytes of summaries + dirty
 * bits per frame: 0.34 bytes per frame (about 700 KiB for 8 GiB).
 */
#include "build.h"

#include "contig/freemap.h"
#include "contig/freemap_bits.h"
#include "contig/freemap_internal.h"

#include "core.h"

#define FM_MAX_FRAMES ((1ull << 32) - 64)

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
 * ancestors are all dirty, and a clean node's summary is exact. The
 * updates set the marks (freemap_update.c), mm_freemap_sync clears them.
 */

static inline bool node_dirty(const struct freemap *fm, unsigned k, uint64_t i)
{
	return (fm->dirty[k][i / 64] >> (i % 64)) & 1;
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

void mm_freemap_sync(struct freemap *fm)
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

size_t mm_freemap_storage_bytes(uint64_t nr_frames)
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

void mm_freemap_init(struct freemap *fm, uint64_t base_pfn, uint64_t nr_frames,
		  void *storage)
{
	if (nr_frames == 0 || nr_frames > FM_MAX_FRAMES)
		mm_panic("mm_freemap_init: bad frame count (nr_frames %llu)",
			 (unsigned long long)nr_frames);
	if (!storage || ((uintptr_t)storage & 7))
		mm_panic("mm_freemap_init: storage NULL or misaligned (%p)",
			 storage);

	uint64_t words = words_for(nr_frames);
	size_t bytes = mm_freemap_storage_bytes(nr_frames);
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
			mm_panic("mm_freemap_init: too many levels (nr_frames %llu)",
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
		  "mm_freemap_init: layout overran storage (%zu > %zu)",
		  (size_t)(p - (unsigned char *)storage), bytes);
}

/* ---- debug ---- */

void mm_freemap_check(struct freemap *fm)
{
	uint64_t words = fm->level_len[0], free[FREEMAP_DOMAINS] = { 0 };

	mm_freemap_sync(fm);
	for (unsigned k = 0; k < fm->levels; k++)
		for (uint64_t i = 0; i < fm->level_len[k]; i++)
			if (node_dirty(fm, k, i))
				mm_panic("mm_freemap_check: dirty after sync (level "
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
			mm_panic("mm_freemap_check: word %llu spans two zones but "
				 "is not marked shared",
				 (unsigned long long)w);
		free[d0] += (uint64_t)mm_popcount64(
			fm->bits[w] & bit_range_mask(0, k));
		free[d1] += (uint64_t)mm_popcount64(
			fm->bits[w] & bit_range_mask(k, 64));
		if (!sum_equal(s, fm->level[0][w]))
			mm_panic("mm_freemap_check: stale word summary (word %llu)",
				 (unsigned long long)w);
	}
	if (fm->nr_frames % 64 &&
	    (fm->bits[words - 1] >> (fm->nr_frames % 64)) != 0)
		mm_panic("mm_freemap_check: bits set past the end (0x%llx)",
			 (unsigned long long)fm->bits[words - 1]);
	for (unsigned d = 0; d < FREEMAP_DOMAINS; d++)
		if (free[d] != fm->nr_free[d])
			mm_panic("mm_freemap_check: free count %llu in zone %u, "
				 "bitmap has %llu",
				 (unsigned long long)fm->nr_free[d], d,
				 (unsigned long long)free[d]);
	for (unsigned k = 1; k < fm->levels; k++)
		for (uint64_t i = 0; i < fm->level_len[k]; i++)
			if (!sum_equal(node_from_children(fm, k, i),
				       fm->level[k][i]))
				mm_panic("mm_freemap_check: stale summary (level "
					 "%u, node %llu)",
					 k, (unsigned long long)i);
}
