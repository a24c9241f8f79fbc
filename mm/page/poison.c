/* SPDX-License-Identifier: MIT */
/*
 * Debug poisoning (MM_DEBUG): a freed frame is filled with a pattern that is
 * checked when the frame is handed out again, so a write after free is
 * reported with the frame. By default the whole frame is poisoned and
 * checked. -DMM_POISON_SAMPLED=1 poisons three cache lines instead (the
 * first, the last, and one chosen by the pfn), much cheaper under
 * emulation but blind to most of the frame. Frames free since boot are not
 * poisoned (lazy: only a free poisons), which the poison bit of the state
 * byte records.
 */
#include "build.h"

#include "core.h"
#include "page/memmap.h"
#include "page/poison.h"
#include "page/state.h"

#define POISON_LINE 64
#define POISON_WORD 0x6b6b6b6b6b6b6b6bull
#define POISON_SAMPLE_STRIDE 29u

#define POISON_LINES (MM_POISON_SAMPLED_BUILD ? 3 : (int)(MM_PAGE_SIZE / POISON_LINE))

/* Byte offset of the i-th poisoned line of frame pfn. */
static inline uint64_t poison_line_offset(uint64_t pfn, int i)
{
	if (!MM_POISON_SAMPLED_BUILD)
		return POISON_LINE * (uint64_t)i;
	if (i == 0)
		return 0;
	if (i == 1)
		return MM_PAGE_SIZE - POISON_LINE;
	/* A different middle line per frame; the stride is prime so that
	 * neighbouring frames spread over all the lines. */
	return POISON_LINE * (1 + (pfn * POISON_SAMPLE_STRIDE) %
				  (MM_PAGE_SIZE / POISON_LINE - 2));
}

void mm_poison_frame(uint64_t pfn)
{
	uint8_t *base = mm_port_phys_to_virt(pfn << MM_PAGE_SHIFT);

	_Static_assert(POISON_WORD == 0x0101010101010101ull * 0x6b,
		       "the poison is one byte repeated");
	if (!MM_POISON_SAMPLED_BUILD) {
		__builtin_memset(base, 0x6b, MM_PAGE_SIZE); /* the whole frame */
		return;
	}
	for (int i = 0; i < POISON_LINES; i++) {
		uint64_t *w = (uint64_t *)(base + poison_line_offset(pfn, i));
		for (int k = 0; k < POISON_LINE / 8; k++)
			w[k] = POISON_WORD;
	}
}

long mm_poison_check_frame(uint64_t pfn, uint64_t *found)
{
	const uint8_t *base = mm_port_phys_to_virt(pfn << MM_PAGE_SHIFT);

	for (int i = 0; i < POISON_LINES; i++) {
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
