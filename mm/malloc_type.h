/* SPDX-License-Identifier: MIT */
/* Malloc type bookkeeping for contigmalloc (private to mm/). */
#ifndef MM_MALLOC_TYPE_H
#define MM_MALLOC_TYPE_H

#include <stdint.h>
#include <mm/contig.h>

/* Panics "<fn>: not a malloc type (type %p)" unless type was made by
 * MALLOC_DEFINE. Always on: the pointer comes from the caller. */
void malloc_type_check(const char *fn, const struct malloc_type *type);

/* Statistics; each takes the malloc type lock (never a zone lock). */
void malloc_type_account_alloc(struct malloc_type *type, uint64_t bytes);
void malloc_type_account_free(struct malloc_type *type, uint64_t bytes);
void malloc_type_account_failure(struct malloc_type *type);

/* Forgets every type's statistics and the report list (mm_init). */
void malloc_type_reset(void);

#endif
