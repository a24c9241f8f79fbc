/* SPDX-License-Identifier: MIT */
/* contigmalloc internals shared with its tests (not a public API). */
#ifndef MM_CONTIG_INTERNAL_H
#define MM_CONTIG_INTERNAL_H

/* The owner word (page_private) of a frame contigmalloc handed out:
 *   bits 63..48  CONTIG_TAG_HEAD (first frame) or CONTIG_TAG_TAIL
 *   bits 47..32  head: the malloc type's index (mm/malloc_type.h)
 *   bits 31..0   head: frames in the run; tail: offset from the first frame
 */
#define CONTIG_TAG_MASK (0xffffull << 48)
#define CONTIG_TAG_HEAD (0xc0a1ull << 48)
#define CONTIG_TAG_TAIL (0xc0a2ull << 48)
#define CONTIG_TYPE_SHIFT 32
#define CONTIG_TYPE_MASK 0xffffull
#define CONTIG_VALUE_MASK 0xffffffffull

/* Retries with reclaim when nothing fits and M_NOWAIT is clear. */
#define CONTIG_RECLAIM_ROUNDS 8

/* Counters for tests and the report (reset by contig_init). */
struct contig_stats {
	unsigned long drains;         /* per-CPU drains after a miss */
	unsigned long reclaim_rounds; /* mm_direct_reclaim calls */
};
extern struct contig_stats contig_stats;

#endif
