/* SPDX-License-Identifier: MIT */
/*
 * Bringing mm64 up (mm_init) and its part of the boot report (mm_report).
 * Each allocator adds one init line and one report line here.
 */
#include "build.h"

#include <mm/contig.h>
#include <mm/init.h>
#include <mm/slab.h>

#include "contig/contig.h"
#include "core.h"
#include "page/memmap.h"
#include "page/node.h"
#include "page/pcp.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/report.h"
#include "page/zone.h"
#include "slab/slab.h"
#include "stats.h"

uint64_t mm_init_ns;

void mm_init_numa(const struct mm_range *map, size_t map_len,
		  const struct mm_range *reserved, size_t reserved_len,
		  const struct mm_node_range *nodes, size_t nodes_len)
{
	uint64_t t0 = mm_port_now_ns();

	/* Forget everything: on the host, tests call mm_init again. */
	mm_cpus_reset();
	mm_zones_reset();
	mm_nodes_reset();
	mm_pcp_reset();
	mm_shrinkers_reset();
	mm_stats_reset();
	mm_pcp_enabled = true;
	mm_poison_enabled = true;

	/* The frame allocator. */
	mm_memmap_setup(map, map_len, reserved, reserved_len, nodes, nodes_len);
	mm_zones_init();
	mm_memmap_release_early();
	mm_nodes_init(); /* CPUs' nodes, distances: needs the zones' RAM */
	mm_zone_setup_watermarks();
	mm_nodes_set_pcp(); /* the per-CPU lists' node and first zones */
	mm_slab_init();    /* the slab allocator (mm/slab/slab_cache.c) */
	mm_kmalloc_init(); /* its size classes (mm/slab/kmalloc.c) */
	mm_contig_init(); /* contigmalloc: malloc type statistics (mm/contig/contig.c) */

	mm_init_ns = mm_port_now_ns() - t0;
}

void mm_init(const struct mm_range *map, size_t map_len,
	     const struct mm_range *reserved, size_t reserved_len)
{
	mm_init_numa(map, map_len, reserved, reserved_len, NULL, 0);
}

void mm_report(void)
{
	mm_page_report();   /* the frame allocator (mm/page/report.c) */
	mm_slab_report();
	malloc_type_report();
}
