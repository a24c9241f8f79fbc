/* SPDX-License-Identifier: MIT */
/*
 * Poisoning freed frames (mm/page/poison.c, MM_DEBUG): fill/check a frame,
 * all of it, or sampled lines with MM_POISON_SAMPLED.
 */
#ifndef MM_PAGE_POISON_H
#define MM_PAGE_POISON_H

#include <stdbool.h>
#include <stdint.h>

#ifdef MM_POISON_SAMPLED
#define MM_POISON_SAMPLED_BUILD MM_POISON_SAMPLED
#else
#define MM_POISON_SAMPLED_BUILD 0
#endif

/* MM_DEBUG: poison frames when they are freed (default). Tests that take
 * and give back all of RAM as scaffolding switch it off for that, so the
 * emulated 8 GiB runs stay fast; frames poisoned earlier are still checked. */
extern bool mm_poison_enabled;

void mm_poison_frame(uint64_t pfn);
/* Returns the offset of the first corrupted byte or -1. */
long mm_poison_check_frame(uint64_t pfn, uint64_t *found);

#endif
