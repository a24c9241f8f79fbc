/* SPDX-License-Identifier: MIT */
/*
 * What mm64 prints, read back (host only: the host port can capture
 * mm_port_log). The issues promise content, not just a call: the boot
 * report's parts (zones with watermarks, buddyinfo, metadata, init time, the
 * ASCII map with zone edges, slabinfo, vmstat -m); a failed allocation's
 * report (order, flags by name, buddyinfo) and its absence with
 * __GFP_NOWARN, also through kmalloc; the out-of-memory report of
 * __GFP_NOFAIL; kmem_cache_destroy naming the cache and the leaked count.
 * Each test leaves the default map (host_mm_default) as it found it.
 */
#include <ktest.h>
#include <stdio.h>
#include <mm/contig.h>
#include <mm/mm.h>

#include "host_port.h"
#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"
#include "slab/slab.h"
#include "stats.h"

#define MiB (1ull << 20)

static char logbuf[1 << 17];

static bool has(const char *needle)
{
	for (const char *h = logbuf; *h; h++) {
		const char *a = h, *b = needle;
		while (*a && *b && *a == *b)
			a++, b++;
		if (!*b)
			return true;
	}
	return false;
}

/* Whether a line of the log has these fields, whatever the column widths
 * (a run of blanks in either matches a run of blanks in the other). */
static bool has_row(const char *fields)
{
	for (const char *h = logbuf; *h; h++) {
		if (h != logbuf && h[-1] != '\n')
			continue;
		const char *a = h, *b = fields;
		while (*a == ' ')
			a++;
		while (*a && *a != '\n' && *b) {
			if (*a == ' ' && *b == ' ') {
				while (*a == ' ')
					a++;
				while (*b == ' ')
					b++;
			} else if (*a == *b) {
				a++, b++;
			} else {
				break;
			}
		}
		if (!*b)
			return true;
	}
	return false;
}

/* Expects needle in the captured log; prints it when missing. */
#define EXPECT_LOGGED(needle)                                                  \
	do {                                                                   \
		if (!has(needle)) {                                            \
			ktest_printf("#   not in the log: \"%s\"\n", needle);  \
			KT_EXPECT(!"logged");                                  \
		}                                                              \
	} while (0)

/* The line of the map that starts at physical address 0, or NULL. */
static const char *map_line_at_zero(void)
{
	static const char key[] = "  0000000000 ";
	for (const char *h = logbuf; *h; h++) {
		const char *a = h, *b = key;
		while (*a && *b && *a == *b)
			a++, b++;
		if (!*b)
			return a;
	}
	return NULL;
}

KTEST(reports_host, boot_report_has_every_part)
{
	/* 64 MiB above 4 GiB allocated, so the map shows '#' there. */
	enum { NBLOCKS = ((64 << 20 >> MM_PAGE_SHIFT) >> MM_MAX_ORDER) + 1 };
	static struct page *blocks[NBLOCKS];

	for (int i = 0; i < NBLOCKS; i++) {
		blocks[i] = alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, MM_MAX_ORDER);
		KT_ASSERT(blocks[i] != NULL);
	}
	/* and a cache with 5 live objects, for its slabinfo row */
	struct kmem_cache *c = kmem_cache_create("t-slabinfo", 100, 0, 0, NULL);
	void *objs[5];
	KT_ASSERT(c);
	for (int i = 0; i < 5; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	struct kmem_cache_info in;
	kmem_cache_get_info(c, &in);
	char row[160];
	snprintf(row, sizeof(row), "t-slabinfo %zu %zu %lu %lu %lu %lu %lu/%u",
		 in.object_size, in.slot_size, in.active_objs, in.total_objs,
		 in.slabs, in.pages, in.objs_per_slab, 1u << in.order);
	host_log_capture(logbuf, sizeof(logbuf));
	mm_report();
	host_log_capture(NULL, 0);
	for (int i = 0; i < NBLOCKS; i++)
		__free_pages(blocks[i], MM_MAX_ORDER);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(in.active_objs, 5);
	KT_EXPECT(in.total_objs >= 5 && in.slabs >= 1 && in.pages >= 1);
	if (!has_row(row)) {
		ktest_printf("#   no slabinfo row \"%s\"\n", row);
		KT_EXPECT(!"slabinfo row");
	}
	KT_EXPECT(has_row("cache objsize slot active total slabs pages objs/frames"));

	/* zones: managed, free, reserved frames and watermarks */
	EXPECT_LOGGED("present");
	EXPECT_LOGGED("reserved");
	EXPECT_LOGGED("managed");
	EXPECT_LOGGED("min  low  high");
	EXPECT_LOGGED("lowmem_reserve");
	EXPECT_LOGGED("  DMA ");
	EXPECT_LOGGED("  DMA32 ");
	EXPECT_LOGGED("  Normal ");
	/* buddyinfo, metadata per frame and in total, init time */
	EXPECT_LOGGED("buddyinfo (free blocks per order)");
	EXPECT_LOGGED("metadata 9 bytes per frame");
	EXPECT_LOGGED("bytes per frame");
	EXPECT_LOGGED("KiB");
	EXPECT_LOGGED(", init ");
	/* the ASCII map: legend, free, allocated, reserved, hole, zone edges */
	EXPECT_LOGGED("physical memory map");
	const char *line = map_line_at_zero();
	KT_ASSERT(line != NULL);
	int edges = 0, free = 0, holes = 0;
	for (const char *c = line; *c && *c != '\n'; c++) {
		edges += *c == '|';
		free += *c == '.';
		holes += *c == '_';
	}
	/* the first line covers 0..512 MiB: the 16 MiB edge, free RAM, and
	 * from 256 MiB the hole */
	KT_EXPECT_EQ(edges, 1);
	KT_EXPECT(free >= 30);
	KT_EXPECT(holes >= 30);
	EXPECT_LOGGED("_ ...");  /* the all-hole lines of the PCI hole, once */
	/* the 4 GiB edge, then free RAM and the 64 MiB allocated there */
	EXPECT_LOGGED("  0100000000 |");
	const char *top = logbuf;
	for (; *top; top++)
		if (*top == '0' && top[1] == '1' && top[2] == '0' && top[10] == ' ')
			break;
	int alloc = 0;
	for (const char *c = top; *c && *c != '\n'; c++)
		alloc += *c == '#';
	KT_EXPECT(alloc >= 8); /* 64 MiB = 8 chunks of 8 MiB */
	/* the other allocators' tables */
	EXPECT_LOGGED("slabinfo");
	EXPECT_LOGGED("kmalloc-64");
	EXPECT_LOGGED("malloc types (contigmalloc), like vmstat -m");
	EXPECT_LOGGED("devbuf");
}

KTEST(reports_host, failure_report_names_order_flags_and_buddyinfo)
{
	char order_needle[16] = "order:";
	int n = 6;
	unsigned int big = MM_MAX_ORDER + 1;

	if (big >= 10)
		order_needle[n++] = (char)('0' + big / 10);
	order_needle[n++] = (char)('0' + big % 10);
	order_needle[n++] = ',';
	order_needle[n] = '\0';

	host_log_capture(logbuf, sizeof(logbuf));
	KT_EXPECT(alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NORETRY, big) == NULL);
	host_log_capture(NULL, 0);
	EXPECT_LOGGED("page allocation failure");
	EXPECT_LOGGED(order_needle);
	EXPECT_LOGGED("GFP_KERNEL|__GFP_ZERO|__GFP_NORETRY");
	EXPECT_LOGGED("buddyinfo");
	EXPECT_LOGGED("  Normal ");

	/* __GFP_NOWARN: not a byte */
	host_log_capture(logbuf, sizeof(logbuf));
	KT_EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, big) == NULL);
	KT_EXPECT(alloc_pages_node(3, GFP_KERNEL | GFP_THISNODE, 0) == NULL);
	KT_EXPECT_EQ(host_log_captured(), 0);
	host_log_capture(NULL, 0);
}

KTEST(reports_host, nofail_oom_panic_prints_zones_and_buddyinfo)
{
	host_log_capture(logbuf, sizeof(logbuf));
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_NOWAIT | __GFP_NOFAIL, MM_MAX_ORDER + 1),
			    "out of memory");
	host_log_capture(NULL, 0);
	EXPECT_LOGGED("Out of memory");
	EXPECT_LOGGED("managed");
	EXPECT_LOGGED("buddyinfo");
}

/* 1 MiB .. 17 MiB of RAM, exhausted down to the min watermark. */
enum { MAX_PAGES = 8192 };
static struct page *pages[MAX_PAGES];

KTEST(reports_host, kmalloc_passes_noretry_and_nowarn_down)
{
	static const struct mm_range map[] = {
		{ 0x100000, 0x1000000, MM_RANGE_USABLE },
	};
	host_mm_init(map, 1, NULL, 0);
	struct kmem_cache *c = kmem_cache_create("t-quiet", 1000, 0, 0, NULL);
	KT_ASSERT(c);
	/* a cache holding empty slabs, so reclaim would have something */
	void *objs[64];
	for (int i = 0; i < 64; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	for (int i = 0; i < 64; i++)
		kmem_cache_free(c, objs[i]);
	size_t n = 0;
	while (n < MAX_PAGES &&
	       (pages[n] = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0)))
		n++;
	KT_ASSERT(n < MAX_PAGES);

	unsigned long calls = mm_stat_read(MM_STAT_SHRINKER_CALLS);
	host_log_capture(logbuf, sizeof(logbuf));
	/* quiet: a slab class, a large block, a cache, a bulk request */
	KT_EXPECT(kmalloc(3000, GFP_NOWAIT | __GFP_NOWARN) == NULL);
	KT_EXPECT(kmalloc(64 << 10, GFP_NOWAIT | __GFP_NOWARN) == NULL);
	void *bulk[8];
	/* the cache still has free objects: no frame needed */
	KT_EXPECT_EQ(kmem_cache_alloc_bulk(c, GFP_NOWAIT | __GFP_NOWARN, 8, bulk), 8);
	kmem_cache_free_bulk(c, 8, bulk);
	KT_EXPECT_EQ(host_log_captured(), 0);
	/* __GFP_NORETRY: fails at once, no reclaim, no shrinker */
	KT_EXPECT(kmalloc(3000, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN) == NULL);
	KT_EXPECT(kmalloc(64 << 10, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN) == NULL);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_SHRINKER_CALLS), calls);
	KT_EXPECT_EQ(host_log_captured(), 0);
	/* without __GFP_NOWARN the frame allocator's report comes through */
	KT_EXPECT(kmalloc(3000, GFP_NOWAIT) == NULL);
	host_log_capture(NULL, 0);
	EXPECT_LOGGED("page allocation failure");
	EXPECT_LOGGED("GFP_NOWAIT");
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_SHRINKER_CALLS), calls);

	while (n)
		__free_pages(pages[--n], 0);
	kmem_cache_destroy(c);
	host_mm_default();
}

KTEST(reports_host, destroy_names_the_cache_and_the_leak_count)
{
	struct kmem_cache *c = kmem_cache_create("t-leakmsg", 72, 0, 0, NULL);
	void *p[3];

	KT_ASSERT(c);
	for (int i = 0; i < 3; i++)
		KT_ASSERT((p[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	host_log_capture(logbuf, sizeof(logbuf));
	kmem_cache_destroy(c);
	host_log_capture(NULL, 0);
	EXPECT_LOGGED("kmem_cache_destroy: cache t-leakmsg still has 3 objects "
		      "allocated");
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, p[i]);
	host_log_capture(logbuf, sizeof(logbuf));
	kmem_cache_destroy(c); /* nothing left: silent */
	KT_EXPECT_EQ(host_log_captured(), 0);
	host_log_capture(NULL, 0);
}

MALLOC_DEFINE(M_REPORTTEST, "reporttest", "report test buffers");

KTEST(reports_host, vmstat_m_table_on_demand)
{
	void *a = contigmalloc(8192, M_REPORTTEST, M_NOWAIT, 0, ~0ull, 4096, 0);
	void *b = contigmalloc(8192, M_REPORTTEST, M_NOWAIT, 0, ~0ull, 4096, 0);

	KT_ASSERT(a && b);
	KT_EXPECT(!contigmalloc(4096, M_REPORTTEST, M_NOWAIT, 5, 5, 4096, 0));
	host_log_capture(logbuf, sizeof(logbuf));
	malloc_type_report();
	host_log_capture(NULL, 0);
	EXPECT_LOGGED("InUse");
	EXPECT_LOGGED("MemUse");
	EXPECT_LOGGED("HighUse");
	EXPECT_LOGGED("Requests");
	/* name, in use 2, 16K in use, peak 16K, 2 requests, 0 frees, 1 failed */
	KT_EXPECT(has_row("reporttest 2 16K 16K 2 0 1 report test buffers"));
	contigfree(a, 8192, M_REPORTTEST);
	contigfree(b, 8192, M_REPORTTEST);
	host_log_capture(logbuf, sizeof(logbuf));
	malloc_type_report();
	host_log_capture(NULL, 0);
	KT_EXPECT(has_row("reporttest 0 0K 16K 2 2 1 report test buffers"));
}
