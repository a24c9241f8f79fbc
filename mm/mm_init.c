/* SPDX-License-Identifier: MIT */
/*
 * Bringing mm64 up (mm_init) and its part of the boot report (mm_report).
 * Each allocator adds one init line and one report line here.
 */
#include <mm/contig.h>
#include <mm/init.h>
#include <mm/slab.h>

#include "page_alloc_internal.h"

uint64_t mm_init_ns;

void mm_init(const struct mm_range *map, size_t map_len,
	     const struct mm_range *reserved, size_t reserved_len)
{
	uint64_t t0 = mm_port_now_ns();

	/* Forget everything: on the host, tests call mm_init again. */
	zones_reset();
	pcp_reset();
	shrinkers_reset();
	__builtin_memset(&mm_stats, 0, sizeof(mm_stats));
	mm_pcp_enabled = true;
	mm_poison_enabled = true;

	/* The frame allocator. */
	memmap_setup(map, map_len, reserved, reserved_len);
	zones_init();
	memmap_release_early();
	zone_setup_watermarks();
	slab_init(); /* the slab allocator and kmalloc (mm/slab.c) */
	contig_init(); /* contigmalloc: malloc type statistics (mm/contig.c) */

	mm_init_ns = mm_port_now_ns() - t0;
}

void mm_report(void)
{
	/* The frame allocator. */
	uint64_t frames = mm_nr_frames ? mm_nr_frames : 1;
	uint64_t meta = memmap_metadata_bytes();

	mm_port_log("mm: %llu frames of RAM (%llu MiB) in %zu regions, "
		    "max order %d, init %llu us\n",
		    (unsigned long long)mm_nr_frames,
		    (unsigned long long)(mm_nr_frames >> (20 - MM_PAGE_SHIFT)),
		    mm_region_count(), MM_MAX_ORDER,
		    (unsigned long long)(mm_init_ns / 1000));
	uint64_t fm = meta - (sizeof(struct page) + 1) * mm_nr_frames;
	mm_port_log("mm: frame metadata %zu bytes per frame (struct page %zu + "
		    "state 1), %llu KiB; with freemaps and rounding %llu KiB = "
		    "%llu.%02llu bytes per frame (freemaps %llu KiB)\n",
		    sizeof(struct page) + 1, sizeof(struct page),
		    (unsigned long long)((sizeof(struct page) + 1) * mm_nr_frames >> 10),
		    (unsigned long long)(meta >> 10),
		    (unsigned long long)(meta / frames),
		    (unsigned long long)(meta * 100 / frames % 100),
		    (unsigned long long)(fm >> 10));
	zone_print_zones();
	zone_print_buddyinfo();
	page_print_map();
	slab_report();
	contig_report();
}
