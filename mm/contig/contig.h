/* SPDX-License-Identifier: MIT */
/* contigmalloc internals shared with its tests (not a public API). */
#ifndef MM_CONTIG_INTERNAL_H
#define MM_CONTIG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "owner.h"

/* The owner word (page_private) of a frame contigmalloc handed out:
 *   bits 63..48  CONTIG_TAG_HEAD (first frame) or CONTIG_TAG_TAIL
 *   bits 47..35  head: the malloc type's index (mm/malloc_type.h)
 *   bits 34..3   head: frames in the run; tail: offset from the first frame
 *   bits  2..0   OWNER_CONTIG (0b100, mm/owner.h)
 * The low bits keep other owners' checks safe: kfree() and ksize() read
 * page_owner() of any frame they are handed; OWNER_CONTIG is neither a
 * large kmalloc block nor a slab, so kfree(contigmalloc memory) is refused
 * as "not a slab object" instead of following a tag as a pointer.
 */
#define CONTIG_TAG_MASK (0xffffull << 48)
#define CONTIG_TAG_HEAD (0xc0a1ull << 48)
#define CONTIG_TAG_TAIL (0xc0a2ull << 48)
#define CONTIG_TYPE_SHIFT 35
#define CONTIG_TYPE_MASK 0x1fffull
#define CONTIG_VALUE_SHIFT 3
#define CONTIG_VALUE_MASK 0xffffffffull

_Static_assert(CONTIG_TYPE_SHIFT + 13 == 48 &&
		       CONTIG_VALUE_SHIFT + 32 == CONTIG_TYPE_SHIFT,
	       "contig tag fields tile the owner word");

/* A head or tail tag: kind CONTIG_TAG_HEAD/TAIL, a type index (0 for a
 * tail), a frame count (head) or an offset (tail). */
static inline uint64_t contig_make_tag(uint64_t kind, uint64_t type_index,
				       uint64_t value)
{
	return kind | (type_index << CONTIG_TYPE_SHIFT) |
	       (value << CONTIG_VALUE_SHIFT) | OWNER_CONTIG;
}

/* Whether tag is a head (or tail) tag; the low bits must match too. */
static inline bool contig_tag_is(uint64_t tag, uint64_t kind)
{
	return (tag & CONTIG_TAG_MASK) == kind && owner_is_contig(tag);
}

static inline uint64_t contig_tag_value(uint64_t tag)
{
	return (tag >> CONTIG_VALUE_SHIFT) & CONTIG_VALUE_MASK;
}

static inline unsigned int contig_tag_type(uint64_t tag)
{
	return (unsigned int)((tag >> CONTIG_TYPE_SHIFT) & CONTIG_TYPE_MASK);
}

/* Retries with reclaim when nothing fits and M_NOWAIT is clear. */
#define CONTIG_RECLAIM_ROUNDS 8

/* Called once by mm_init(): resets the malloc type statistics and syncs
 * the freemaps. */
void mm_contig_init(void);

#endif
