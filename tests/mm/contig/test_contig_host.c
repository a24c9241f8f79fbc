/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc on maps the QEMU matrix does not have: 8 GiB with a PCI
 * hole, a region that runs straight across the 4 GiB zone edge, many small
 * regions separated by holes. Each test restores the default map.
 */
#include <ktest.h>
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
#include "contig_oracle.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

static const struct mm_range ch_reserved[] = {
	{ 0x0, 0x100000, MM_RANGE_RESERVED },
	{ 0x100000, 0x200000, MM_RANGE_RESERVED },
};

KTEST(contig_host, map_8g_with_pci_hole)
{
	static const struct mm_range map[] = {
		{ 0x0, 0x9f000, MM_RANGE_USABLE },
		{ 0x100000, 3 * GiB - 0x100000, MM_RANGE_USABLE },
		{ 3 * GiB, GiB, MM_RANGE_RESERVED }, /* PCI hole */
		{ 4 * GiB, 5 * GiB, MM_RANGE_USABLE },
	};

	host_mm_init(map, 4, ch_reserved, 2);
	uint64_t high = contig_property_run(1500);

	ktest_printf("# %llu runs handed out above 4 GiB\n",
		     (unsigned long long)high);
	KT_EXPECT(high > 0);
	/* The hole itself: no RAM, so NULL at once. */
	KT_EXPECT(!contigmalloc(4096, M_DEVBUF, 0, 3 * GiB, 4 * GiB, 4096, 0));
	/* A window straddling the hole's top: the run starts at 4 GiB. */
	void *p = contigmalloc(MiB, M_DEVBUF, M_NOWAIT, 4 * GiB - MiB,
			       4 * GiB + MiB, 4096, 0);

	KT_EXPECT(p && vtophys(p) == 4 * GiB);
	if (p)
		contigfree(p, MiB, M_DEVBUF);
	host_mm_default();
}

/* One region from 3.5 to 4.5 GiB: the DMA32/NORMAL edge lies inside it, so
 * a run across 4 GiB is contiguous and must be found. */
KTEST(contig_host, run_across_4g_zone_edge)
{
	static const struct mm_range map[] = {
		{ 0x0, 0x9f000, MM_RANGE_USABLE },
		{ 0x100000, 0x1f00000, MM_RANGE_USABLE },
		{ 3 * GiB + GiB / 2, GiB, MM_RANGE_USABLE },
	};

	host_mm_init(map, 3, ch_reserved, 2);
	KT_ASSERT(mm_pfn_to_region((4 * GiB - 4096) >> 12) ==
		  mm_pfn_to_region((4 * GiB) >> 12));
	struct buddyinfo before, after;

	drain_all_pages();
	mm_buddyinfo_snapshot(&before);
	/* 128 KiB from 4 GiB - 64 KiB: blocks of both zones, split at both
	 * ends (64 KiB-aligned, so order 4 on each side at most). */
	void *p = contigmalloc(128 * 1024, M_DEVBUF, M_NOWAIT | M_ZERO,
			       4 * GiB - 64 * 1024, 4 * GiB + 64 * 1024, 4096, 0);

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(vtophys(p), 4 * GiB - 64 * 1024);
	KT_EXPECT(pfn_zone((4 * GiB - 4096) >> 12) == ZONE_DMA32);
	KT_EXPECT(pfn_zone((4 * GiB) >> 12) == ZONE_NORMAL);
	/* A 2 MiB run that must not cross 4 GiB (boundary 4 GiB) ends at it. */
	void *q = contigmalloc(2 * MiB, M_DEVBUF, M_NOWAIT, 4 * GiB - 4 * MiB,
			       4 * GiB + 4 * MiB, 4096, 4 * GiB);

	KT_ASSERT(q != NULL);
	KT_EXPECT_EQ(vtophys(q), 4 * GiB - 4 * MiB);
	contigfree(q, 2 * MiB, M_DEVBUF);
	contigfree(p, 128 * 1024, M_DEVBUF);
	drain_all_pages();
	mm_buddyinfo_snapshot(&after);
	KT_EXPECT(mm_buddyinfo_equal(&before, &after));
	contig_property_run(800);
	host_mm_default();
}

/* Twelve 3 MiB regions, each followed by a 1 MiB hole: runs never span a
 * hole, windows span several regions. */
KTEST(contig_host, many_small_regions)
{
	struct mm_range map[13];

	map[0] = (struct mm_range){ 0x0, 0x9f000, MM_RANGE_USABLE };
	for (int i = 0; i < 12; i++)
		map[i + 1] = (struct mm_range){ 16 * MiB + i * 4 * MiB, 3 * MiB,
						MM_RANGE_USABLE };
	host_mm_init(map, 13, ch_reserved, 1);
	KT_EXPECT_EQ(mm_region_count(), 13);
	/* 4 MiB never fits; 3 MiB fits exactly in a region. */
	KT_EXPECT(!contigmalloc(4 * MiB, M_DEVBUF, M_NOWAIT, 0, ~0ull, 4096, 0));
	void *p = contigmalloc(3 * MiB, M_DEVBUF, M_NOWAIT, 17 * MiB, ~0ull,
			       4096, 0);

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(vtophys(p), 20 * MiB);
	contigfree(p, 3 * MiB, M_DEVBUF);
	contig_property_run(800);
	host_mm_default();
}
