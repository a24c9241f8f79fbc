/* SPDX-License-Identifier: MIT */
/*
 * The owner word (page_private) of an allocated frame, as mm/'s own
 * allocators use it: one tag space, so kfree() and ksize(), which read the
 * word of any frame a caller hands them, can tell whose frame it is before
 * they trust it. The low three bits say who wrote it:
 *
 *   bits 2..0   owner             rest of the word
 *   ---------   ---------------   --------------------------------------
 *     xx1       kmalloc (large)   OWNER_KMALLOC_LARGE_HEAD | order << 1,
 *                                 or OWNER_KMALLOC_LARGE_TAIL  (kmalloc.c)
 *     010       slab              cache pointer + 19 spare bits
 *                                 (picture in slab_internal.h)
 *     100       contigmalloc      magic, type index, count or offset
 *                                 (contig_internal.h)
 *     000       nobody of mm/     0, or an alloc_pages user's own value
 *
 * A user of alloc_pages() may store any word with set_page_private(), so a
 * tag is a hint, never a proof: slab pointers are validated before they are
 * followed (mm_slab_cache_ptr_valid), the large and contig tags carry magic.
 */
#ifndef MM_OWNER_H
#define MM_OWNER_H

#include <stdbool.h>

#define OWNER_TAG_MASK 0x7ul
#define OWNER_KMALLOC_LARGE 0x1ul /* bit 0 alone decides */
#define OWNER_SLAB 0x2ul
#define OWNER_CONTIG 0x4ul

/* kmalloc's large blocks: "LARGE"/"LARGT" in the high bytes, the order in
 * bits 1..23 of the head. */
#define OWNER_KMALLOC_LARGE_HEAD 0x4c41524745000001ul
#define OWNER_KMALLOC_LARGE_TAIL 0x4c41524754000001ul
#define OWNER_KMALLOC_LARGE_MASK 0xffffffffff000001ul

_Static_assert((OWNER_SLAB & OWNER_KMALLOC_LARGE) == 0 &&
		       (OWNER_CONTIG & OWNER_KMALLOC_LARGE) == 0 &&
		       OWNER_SLAB != OWNER_CONTIG &&
		       ((OWNER_SLAB | OWNER_CONTIG) & ~OWNER_TAG_MASK) == 0,
	       "the owner tags are distinct and fit the low three bits");
_Static_assert((OWNER_KMALLOC_LARGE_HEAD & OWNER_TAG_MASK & OWNER_KMALLOC_LARGE) &&
		       (OWNER_KMALLOC_LARGE_TAIL & OWNER_KMALLOC_LARGE) &&
		       (OWNER_KMALLOC_LARGE_HEAD & ~OWNER_KMALLOC_LARGE_MASK) == 0 &&
		       (OWNER_KMALLOC_LARGE_TAIL & ~OWNER_KMALLOC_LARGE_MASK) == 0,
	       "large markers carry bit 0 and leave bits 1..23 for the order");

static inline bool owner_is_kmalloc_large(unsigned long word)
{
	return (word & OWNER_KMALLOC_LARGE) != 0;
}

static inline bool owner_is_slab(unsigned long word)
{
	return (word & OWNER_TAG_MASK) == OWNER_SLAB;
}

static inline bool owner_is_contig(unsigned long word)
{
	return (word & OWNER_TAG_MASK) == OWNER_CONTIG;
}

#endif
