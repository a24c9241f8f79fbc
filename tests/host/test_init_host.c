/* SPDX-License-Identifier: MIT */
/*
 * mm_init() on maps a firmware might really hand over, and the bad input
 * checks around bring-up and shrinker registration that the other tests do
 * not reach (host only: each needs a map of its own). After every expected
 * panic the test goes on to take the lock the panicking function had
 * touched, so a lock held while panicking would hang the run here.
 */
#include <ktest.h>
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

#define MiB (1ull << 20)

/* Unsorted, overlapping and touching usable ranges, a usable range inside
 * a reserved one, unaligned edges: merged into maximal regions. */
KTEST(init_host, sloppy_map_is_merged_into_regions)
{
	static const struct mm_range map[] = {
		{ 40 * MiB, 8 * MiB, MM_RANGE_USABLE },
		{ 16 * MiB + 123, 8 * MiB, MM_RANGE_USABLE },   /* unaligned */
		{ 20 * MiB, 8 * MiB, MM_RANGE_USABLE },         /* overlaps */
		{ 28 * MiB, 4 * MiB, MM_RANGE_USABLE },         /* touches */
		{ 36 * MiB, 2 * MiB, MM_RANGE_RESERVED },
		{ 37 * MiB, 4 * MiB, MM_RANGE_USABLE },         /* overlaps reserved */
		{ 1 * MiB, 0, MM_RANGE_USABLE },                /* empty */
	};
	host_mm_init(map, sizeof(map) / sizeof(map[0]), NULL, 0);
	/* regions: [16M+4K, 32M) and [37M, 48M) */
	KT_ASSERT_EQ(mm_region_count(), 2);
	KT_EXPECT_EQ(mm_region_get(0)->base_pfn, (16 * MiB >> 12) + 1);
	KT_EXPECT_EQ(mm_region_get(0)->nr_frames, (16 * MiB >> 12) - 1);
	KT_EXPECT_EQ(mm_region_get(1)->base_pfn, 37 * MiB >> 12);
	KT_EXPECT_EQ(mm_region_get(1)->nr_frames, 11 * MiB >> 12);
	/* the reserved overlap [37M, 38M) is never handed out */
	for (uint64_t pfn = 37 * MiB >> 12; pfn < 38 * MiB >> 12; pfn++)
		KT_EXPECT_EQ(ps_kind(mm_page_state[page_index(pfn_to_page(pfn))]),
			     PS_RESERVED);
	KT_EXPECT(pfn_to_page(16 * MiB >> 12) == NULL); /* partial frame */
	mm_check_invariants();
	host_mm_default();
}

KTEST(init_host, too_many_regions_panics_naming_the_limit)
{
	static struct mm_range map[MM_MAX_REGIONS + 2];
	for (int i = 0; i < MM_MAX_REGIONS + 2; i++)
		map[i] = (struct mm_range){ (16 + 2 * (uint64_t)i) * MiB, MiB,
					    MM_RANGE_USABLE };
	KT_EXPECT_PANIC_MSG(host_mm_init(map, MM_MAX_REGIONS + 2, NULL, 0),
			    "too many usable ranges");
	host_mm_default();
	/* exactly the limit is fine */
	host_mm_init(map, MM_MAX_REGIONS, NULL, 0);
	KT_EXPECT_EQ(mm_region_count(), MM_MAX_REGIONS);
	mm_check_invariants();
	host_mm_default();
}

KTEST(init_host, no_room_for_metadata_panics)
{
	/* two frames of RAM cannot hold pages, states and a freemap */
	static const struct mm_range map[] = {
		{ 1 * MiB, 2 * 4096, MM_RANGE_USABLE },
	};
	KT_EXPECT_PANIC_MSG(host_mm_init(map, 1, NULL, 0),
			    "no room for the allocator's metadata");
	host_mm_default();
	KT_EXPECT(nr_free_pages() > 0);
}

KTEST(init_host, early_allocator_is_retired_after_init)
{
	/* what it handed out is reserved, and it hands out nothing more */
	KT_EXPECT_PANIC_MSG(mm_early_alloc(4096, 4096), "retired");
	KT_EXPECT(mm_early_allocated_bytes() >= mm_memmap_metadata_bytes());
}

static unsigned long nop_scan(struct shrinker *s, gfp_t gfp, unsigned long n)
{
	return 0;
}

KTEST(init_host, shrinker_registration_mistakes_panic_without_the_lock)
{
	struct shrinker a = { .scan = nop_scan, .name = "test-a" };
	struct shrinker b = { .scan = nop_scan, .name = "test-b" };
	struct shrinker none = { .scan = NULL, .name = "test-none" };

	register_shrinker(&a);
	KT_EXPECT_PANIC_MSG(register_shrinker(&a), "test-a registered twice");
	KT_EXPECT_PANIC_MSG(register_shrinker(&none),
			    "shrinker test-none has no scan function");
	KT_EXPECT_PANIC_MSG(register_shrinker(NULL), "shrinker is NULL");
	KT_EXPECT_PANIC_MSG(unregister_shrinker(&b), "test-b is not registered");
	/* the list lock was released before each panic: these would hang */
	register_shrinker(&b);
	unregister_shrinker(&b);
	unregister_shrinker(&a);
	KT_EXPECT_PANIC_MSG(unregister_shrinker(&a), "test-a is not registered");
	/* and reclaim still walks a sane list */
	mm_direct_reclaim(GFP_KERNEL, 1);
}
