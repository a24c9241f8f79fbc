/* SPDX-License-Identifier: MIT */
/*
 * freemap: a per-region index of free frames that answers "where is the
 * lowest run of n free frames in [lo, hi), aligned and not crossing a
 * boundary?" in O(log N) per candidate run instead of a scan. The buddy keeps it
 * current; contigmalloc() searches it. The index: mm/contig/freemap.c; the
 * updates: mm/contig/freemap_update.c; the search, its algorithm and costs:
 * mm/contig/freemap_search.c.
 *
 * Layout of the storage handed to mm_freemap_init() (nr_frames = N):
 *
 *   +--------------------------+  bitmap: 1 bit per frame, 1 = free,
 *   | uint64_t bits[W]         |  W = ceil(N / 64) words; bits past N are 0
 *   +--------------------------+
 *   | struct freemap_sum l0[W] |  level 0: one summary per bitmap word
 *   | uint64_t dirty0[]        |  + 1 dirty bit per node (summary stale)
 *   | struct freemap_sum l1[]  |  level k: ceil(len(k-1) / 8) summaries,
 *   | uint64_t dirty1[]        |  node i of level k covers frames
 *   | ...                      |  [i * 64 * 8^k, (i + 1) * 64 * 8^k)
 *   | root (1 entry) + dirty   |
 *   +--------------------------+
 *
 * A summary holds, for the frames its node covers: the longest free run, the
 * free run at its start (prefix) and at its end (suffix). Children missing
 * at the end of a level count as all used. Fanout 8 keeps the tree shallow
 * (5 levels above the words for 8 GiB) and a node's children in two cache
 * lines.
 *
 * Locking: set_free/set_used may run concurrently on one freemap under
 * different zone locks when a region spans zones. Each zone's frames are
 * counted in their own counter, and a bitmap word is updated with a locked
 * instruction only when it holds frames of two zones (at most one word per
 * zone edge, and none when the edge is a multiple of 64 frames from the
 * region's base): everything else is written only under one zone's lock.
 * A range that crosses a zone edge needs both zones' locks. mm_freemap_find
 * and mm_freemap_sync rewrite the summaries: the caller must exclude every
 * updater (contigmalloc holds all zone locks).
 */
#ifndef MM_FREEMAP_H
#define MM_FREEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FREEMAP_FANOUT_SHIFT 3 /* 8 children per summary node */
#define FREEMAP_MAX_LEVELS 12 /* 64 * 8^11 frames: far beyond 2^32 */
#define FREEMAP_NONE UINT64_MAX /* mm_freemap_find(): nothing fits */
/* Lock domains: one per zone (zone_bounds.h pfn_zone()). */
#define FREEMAP_DOMAINS 3

struct freemap_sum {
	uint32_t prefix;  /* free frames at the node's start */
	uint32_t suffix;  /* free frames at the node's end */
	uint32_t longest; /* longest free run inside the node */
};
_Static_assert(sizeof(struct freemap_sum) == 12, "freemap_sum is 3 words");

struct freemap {
	uint64_t base_pfn;  /* pfn of bit 0 */
	uint64_t nr_frames; /* bits in use */
	/* bits set, by zone: each written only under its zone's lock */
	uint64_t nr_free[FREEMAP_DOMAINS];
	/* map-relative words holding frames of two zones, UINT64_MAX: none */
	uint64_t shared_word[FREEMAP_DOMAINS - 1];
	uint64_t *bits;     /* 1 = free */
	unsigned int levels; /* summary levels; level levels-1 has one node */
	uint64_t level_len[FREEMAP_MAX_LEVELS];
	struct freemap_sum *level[FREEMAP_MAX_LEVELS];
	uint64_t *dirty[FREEMAP_MAX_LEVELS]; /* 1 bit per node: summary stale */
};

/* Bytes of storage mm_freemap_init() needs for nr_frames frames (8-byte aligned). */
size_t mm_freemap_storage_bytes(uint64_t nr_frames);

/*
 * mm_freemap_init - set up an index of nr_frames frames starting at base_pfn
 * over storage (mm_freemap_storage_bytes(nr_frames) bytes, 8-byte aligned).
 * All frames start "used". Panics when nr_frames is 0 or above 2^32 - 64
 * (summaries are 32-bit) or storage is NULL/misaligned.
 */
void mm_freemap_init(struct freemap *fm, uint64_t base_pfn, uint64_t nr_frames,
		  void *storage);

/*
 * mm_freemap_set_free / mm_freemap_set_used - frames [pfn, pfn + nr) entered /
 * left the buddy free lists. Cost: the bitmap words plus marking their
 * summaries stale, which stops at the first ancestor already stale: O(1)
 * amortized per word. Debug builds assert the frames are inside the map
 * and were in the other state.
 */
void mm_freemap_set_free(struct freemap *fm, uint64_t pfn, uint64_t nr);
void mm_freemap_set_used(struct freemap *fm, uint64_t pfn, uint64_t nr);

/* Whether frame pfn (inside the map) is marked free. */
bool mm_freemap_is_free(const struct freemap *fm, uint64_t pfn);

/*
 * mm_freemap_find - the lowest pfn p with lo <= p, p + nr <= hi, p % align == 0,
 * [p, p + nr) free in the map, and [p, p + nr) not crossing a multiple of
 * boundary. All in frames and absolute pfns; lo/hi are clipped to the map.
 * align: a power of two (1 = any); boundary: 0 (none) or a power of two.
 * Returns FREEMAP_NONE when no such run exists (or nr is 0, or
 * nr > boundary != 0). Syncs stale summaries first. Cost:
 * mm/contig/freemap_search.c.
 */
uint64_t mm_freemap_find(struct freemap *fm, uint64_t lo, uint64_t hi,
		      uint64_t nr, uint64_t align, uint64_t boundary);

/*
 * mm_freemap_sync - recompute every stale summary (mm_freemap_find does it
 * first). Updates only mark summaries stale; this pays for them once.
 * Cost: O(stale nodes * 8).
 */
void mm_freemap_sync(struct freemap *fm);

/* Free frames in the map (sum of set bits). */
static inline uint64_t freemap_nr_free(const struct freemap *fm)
{
	uint64_t n = 0;

	for (unsigned d = 0; d < FREEMAP_DOMAINS; d++)
		n += __atomic_load_n(&fm->nr_free[d], __ATOMIC_RELAXED);
	return n;
}

/* Debug: syncs, then recomputes every summary from the bitmap; panics on a
 * mismatch. */
void mm_freemap_check(struct freemap *fm);

#endif
