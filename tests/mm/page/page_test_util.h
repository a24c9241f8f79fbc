/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the frame allocator tests (tests/mm/test_page_*.c): holding
 * many blocks without extra memory (a list threaded through the blocks
 * themselves), taking memory down to the watermarks, computing the
 * documented "free minus reserve", a test shrinker.
 */
#ifndef PAGE_TEST_UTIL_H
#define PAGE_TEST_UTIL_H

#include <ktest.h>
#include <mm/mm.h>

#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/node.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/pcp.h"
#include "page/zone.h"

/* Blocks held by a test: a singly linked list stored in each block's first
 * 16 bytes. */
struct held {
	void *head;
	unsigned long blocks, frames;
	bool bulk; /* filled by held_take_all: freed without poisoning */
};

/* Allocates one block and holds it; returns its page or NULL. */
struct page *held_take(struct held *h, gfp_t gfp, unsigned int order);
/* Takes everything gfp can get: blocks of MAX_ORDER down to order 0, each
 * order until it fails. Returns the frames taken. gfp should include
 * __GFP_NOWARN (and __GFP_NORETRY to keep reclaim out). */
unsigned long held_take_all(struct held *h, gfp_t gfp);
/* Frees every held block. */
void held_free_all(struct held *h);
/* Calls fn(pfn, order, arg) for every held block. */
void held_for_each(struct held *h, void (*fn)(uint64_t pfn, unsigned int order,
					       void *arg), void *arg);

/* Order-0 frames gfp can take from the buddy lists now, without reclaim,
 * by the documented rule: sum over its zonelist of free - mark - reserve.
 * Per-CPU lists must be empty (drain_all_pages()). */
unsigned long page_budget(gfp_t gfp);

/* A shrinker holding frames it gives back on request. needs: __GFP_IO
 * and/or __GFP_FS bits it requires in the caller's mask, else it declines. */
struct test_shrinker {
	struct shrinker s;
	gfp_t needs;
	struct held pages; /* order-0 frames it may free */
	unsigned long calls, freed;
	gfp_t last_gfp;
};
void test_shrinker_init(struct test_shrinker *t, const char *name, gfp_t needs);
/* Fills it with n order-0 frames (before memory pressure starts). */
unsigned long test_shrinker_fill(struct test_shrinker *t, unsigned long n);
void test_shrinker_done(struct test_shrinker *t); /* unregister, free all */

/* Start/end of a test: drains the per-CPU lists and snapshots buddyinfo;
 * page_test_end checks free blocks per zone and order are back, and that
 * the invariants hold. */
void page_test_begin(struct buddyinfo *start);
void page_test_end(const struct buddyinfo *start);

/* Frees everything shrinkers hold, so other subsystems' caches cannot
 * change the outcome of a pressure test. */
void page_test_quiesce(void);

/* "pfn 0x<hex>" as the panics print it, into buf (at least 24 bytes): tests
 * check that a panic names the frame. */
const char *page_test_pfn_needle(char *buf, uint64_t pfn);

#endif
