/* SPDX-License-Identifier: MIT */
/*
 * The frame allocator at -O2 (MM_DEBUG=0) on a fake 8 GiB map with a PCI
 * hole: order-0 alloc+free through the per-CPU lists and through the buddy
 * lists, random order-0 churn over 1 GiB, mixed orders 0-9, order 9, init
 * time per GiB (1, 8, 64 GiB maps) and metadata per frame.
 * Targets (goals, not tests): pair <= 10 ns, churn <= 80 ns, mixed <= 40 ns,
 * init <= 0.5 ms/GiB, metadata <= 8 B/frame.
 */
#include <mm/mm.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "host_port.h"
#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/pcp.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"

#define GiB (1ull << 30)

static const struct mm_range map8[] = {
	{ 0x0, 0x9f000, MM_RANGE_USABLE },
	{ 0x9f000, 0x61000, MM_RANGE_RESERVED },
	{ 0x100000, 0xbff00000, MM_RANGE_USABLE },     /* 1 MiB .. 3 GiB */
	{ 0xc0000000, 0x40000000, MM_RANGE_RESERVED }, /* PCI hole */
	{ 0x100000000, 0x140000000, MM_RANGE_USABLE }, /* 4 GiB .. 9 GiB */
};
static const struct mm_range res8[] = {
	{ 0x0, 0x100000, MM_RANGE_RESERVED },
	{ 0x100000, 0x200000, MM_RANGE_RESERVED },
};

static void init8(void)
{
	host_set_log_quiet(true);
	host_mm_init(map8, 5, res8, 2);
}

void bench_page_pair(void *order_arg, uint64_t iters)
{
	unsigned int order = (unsigned int)(uintptr_t)order_arg;

	for (uint64_t i = 0; i < iters; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		bench_keep(p);
		__free_pages(p, order);
	}
}

BENCH(page, order0_pair_pcp)
{
	init8();
	bench_measure_cpu("order-0 alloc+free pair, per-CPU list", bench_page_pair,
		      (void *)0, 2000000, 9);
}

BENCH(page, order0_pair_buddy)
{
	init8();
	mm_pcp_enabled = false;
	bench_measure_cpu("order-0 alloc+free pair, buddy lists (pcp off)", bench_page_pair,
		      (void *)0, 2000000, 9);
	mm_pcp_enabled = true;
}

BENCH(page, order9_pair)
{
	init8();
	bench_measure_cpu("order-9 alloc+free pair", bench_page_pair, (void *)9, 500000, 9);
}

/* ---- churn: a table of slots, each op frees a full slot or fills an
 * empty one, chosen at random ---- */

struct churn {
	struct page **slot;
	uint8_t *order;
	size_t n;
	unsigned int max_order;
	uint64_t rng;
};

static void churn_fn(void *arg, uint64_t iters)
{
	struct churn *c = arg;

	for (uint64_t i = 0; i < iters; i++) {
		uint64_t r = bench_rand(&c->rng);
		size_t k = (size_t)(r % c->n);

		if (c->slot[k]) {
			__free_pages(c->slot[k], c->order[k]);
			c->slot[k] = NULL;
		} else {
			unsigned int o = c->max_order ?
				(unsigned int)((r >> 32) % (c->max_order + 1)) : 0;
			c->slot[k] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, o);
			c->order[k] = (uint8_t)o;
		}
	}
}

static void churn_run(const char *label, size_t slots, unsigned int max_order,
		      uint64_t iters)
{
	struct churn c = { calloc(slots, sizeof(struct page *)), calloc(slots, 1),
			   slots, max_order, 0x12345678ull };

	/* start half full */
	for (size_t k = 0; k < slots; k += 2) {
		unsigned int o = max_order ? (unsigned int)(k / 2 % (max_order + 1)) : 0;
		c.slot[k] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, o);
		c.order[k] = (uint8_t)o;
	}
	bench_measure_cpu(label, churn_fn, &c, iters, 7);
	for (size_t k = 0; k < slots; k++)
		if (c.slot[k])
			__free_pages(c.slot[k], c.order[k]);
	free(c.slot);
	free(c.order);
}

BENCH(page, order0_random_churn_1g)
{
	init8();
	/* 1 GiB of frames: 262144 slots, about half live at any time */
	churn_run("random order-0 churn over 1 GiB (per alloc or free)",
		  GiB >> MM_PAGE_SHIFT, 0, 4000000);
}

BENCH(page, mixed_orders_0_9_churn)
{
	init8();
	/* mean block ~ 100 frames: 8192 slots keep ~1.6 GiB live */
	churn_run("mixed orders 0-9 churn (per alloc or free)", 8192, 9, 2000000);
}

/* ---- init ---- */

/* Cold: a fresh arena, so the host kernel's first-touch page faults on the
 * metadata are included (a real machine has no such cost). Warm: mm_init
 * again over the same arena (it forgets all state), the allocator alone. */
static void init_time(const char *label, const struct mm_range *map, size_t n,
		      double gib)
{
	uint64_t cold[5], warm[7];
	char note[128], row[96];

	for (int r = 0; r < 5; r++) {
		host_mm_init(map, n, NULL, 0);
		cold[r] = mm_init_ns;
	}
	for (int r = 0; r < 7; r++) {
		mm_init(map, n, NULL, 0);
		warm[r] = mm_init_ns;
	}
	uint64_t c = bench_percentile(cold, 5, 50), w = bench_percentile(warm, 7, 50);
	snprintf(row, sizeof(row), "%s, warm", label);
	snprintf(note, sizeof(note), "%.3f ms/GiB (init %.2f ms), median of 7",
		 (double)w / 1e6 / gib, (double)w / 1e6);
	bench_row(row, (double)w / gib, (double)w / gib * bench_cycles_per_ns(),
		  note);
	snprintf(row, sizeof(row), "%s, cold arena", label);
	snprintf(note, sizeof(note), "%.3f ms/GiB (init %.2f ms) incl. host "
		 "page faults, median of 5", (double)c / 1e6 / gib, (double)c / 1e6);
	bench_row(row, (double)c / gib, (double)c / gib * bench_cycles_per_ns(),
		  note);
}

BENCH(page, init_per_gib)
{
	static const struct mm_range m1[] = { { 0x100000, GiB - 0x100000,
						MM_RANGE_USABLE } };
	static const struct mm_range m64[] = {
		{ 0x100000, 0xbff00000, MM_RANGE_USABLE },
		{ 0x100000000, 61 * GiB, MM_RANGE_USABLE },
	};
	host_set_log_quiet(true);
	init_time("init 1 GiB (ns/GiB)", m1, 1, 1.0);
	init_time("init 8 GiB + hole (ns/GiB)", map8, 5, 8.0);
	init_time("init 64 GiB + hole (ns/GiB)", m64, 2, 64.0);
	init8();
}

BENCH(page, metadata_per_frame)
{
	char note[128];

	init8();
	uint64_t meta = mm_memmap_metadata_bytes();
	snprintf(note, sizeof(note),
		 "struct page %zu + state 1 = %zu B/frame; all metadata incl. "
		 "freemaps %.2f B/frame",
		 sizeof(struct page), sizeof(struct page) + 1,
		 (double)meta / (double)mm_nr_frames);
	bench_printf("metadata: %llu bytes for %llu frames: %s\n",
		     (unsigned long long)meta, (unsigned long long)mm_nr_frames,
		     note);
}
