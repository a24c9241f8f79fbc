/* SPDX-License-Identifier: MIT */
/*
 * Debug poisoning (MM_DEBUG): a freed frame gets a pattern in three sampled
 * cache lines (the first, the last, and one chosen by the pfn), checked when
 * the frame is handed out again. Writing three lines instead of 4 KiB keeps
 * it cheap under emulation; the moving middle line still catches most
 * stray writes. Frames free since boot are not poisoned (lazy: only a free
 * poisons), which the poison bit of the state byte records.
 */
#include "page_alloc_internal.h"

#define POISON_LINE 64
#define POISON_WORD 0x6b6b6b6b6b6b6b6bull

/* Byte offset of the i-th sampled line of frame pfn (i = 0, 1, 2). */
static inline uint64_t poison_line_offset(uint64_t pfn, int i)
{
	if (i == 0)
		return 0;
	if (i == 1)
		return MM_PAGE_SIZE - POISON_LINE;
	return POISON_LINE * (1 + (pfn * 29) % (MM_PAGE_SIZE / POISON_LINE - 2));
}

void poison_frame(uint64_t pfn)
{
	uint8_t *base = mm_port_phys_to_virt(pfn << MM_PAGE_SHIFT);

	for (int i = 0; i < 3; i++) {
		uint64_t *w = (uint64_t *)(base + poison_line_offset(pfn, i));
		for (int k = 0; k < POISON_LINE / 8; k++)
			w[k] = POISON_WORD;
	}
}

long poison_check_frame(uint64_t pfn, uint64_t *found)
{
	const uint8_t *base = mm_port_phys_to_virt(pfn << MM_PAGE_SHIFT);

	for (int i = 0; i < 3; i++) {
		uint64_t off = poison_line_offset(pfn, i);
		const uint64_t *w = (const uint64_t *)(base + off);
		for (int k = 0; k < POISON_LINE / 8; k++) {
			if (w[k] != POISON_WORD) {
				*found = w[k];
				return (long)(off + 8 * (uint64_t)k);
			}
		}
	}
	return -1;
}
