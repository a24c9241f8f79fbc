/* SPDX-License-Identifier: MIT */
/* Malloc type bookkeeping for contigmalloc (private to mm/). */
#ifndef MM_MALLOC_TYPE_H
#define MM_MALLOC_TYPE_H

#include <stdint.h>
#include <mm/contig.h>

/* Panics "<fn>: not a malloc type (type %p)" unless type was made by
 * MALLOC_DEFINE. Always on: the pointer comes from the caller. */
void mm_malloc_type_check(const char *fn, const struct malloc_type *type);

/* Statistics; each takes the malloc type lock (never a zone lock). */
void mm_malloc_type_account_alloc(struct malloc_type *type, uint64_t bytes);
void mm_malloc_type_account_free(struct malloc_type *type, uint64_t bytes);
void mm_malloc_type_account_failure(struct malloc_type *type);

/* The type's small index (listing it if new): 1..MALLOC_TYPE_MAX, or 0
 * when the table is full (then frees are not checked against it). */
#define MALLOC_TYPE_MAX 1024
unsigned int mm_malloc_type_index(struct malloc_type *type);
/* The type with that index, NULL for 0 or an unused index. */
struct malloc_type *mm_malloc_type_from_index(unsigned int index);

/* Forgets every type's statistics and the report list (mm_init). */
void mm_malloc_type_reset(void);

#endif
