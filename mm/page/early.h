/* SPDX-License-Identifier: MIT */
/*
 * The boot allocator (mm/page/early.c): usable RAM minus reserved ranges,
 * from which mm_init() takes the frame map before the buddy lists exist.
 */
#ifndef MM_PAGE_EARLY_H
#define MM_PAGE_EARLY_H

#include <stddef.h>
#include <stdint.h>

void mm_early_reset(void);
void mm_early_add(uint64_t start_pfn, uint64_t end_pfn);     /* increasing */
void mm_early_reserve(uint64_t start_pfn, uint64_t end_pfn); /* any overlap */
void *mm_early_alloc(uint64_t size, uint64_t align);  /* panics when out */
uint64_t mm_early_allocated_bytes(void);
size_t mm_early_free_count(void);
void mm_early_free_get(size_t i, uint64_t *start_pfn, uint64_t *end_pfn);
void mm_early_retire(void); /* mm_early_alloc panics afterwards */

#endif
