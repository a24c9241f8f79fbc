/* SPDX-License-Identifier: MIT */
/*
 * What the frame allocator shows people: zones, buddyinfo, an ASCII map of
 * physical memory; and the walk that checks every block (tests).
 *
 * Every span is tiled by blocks: a block starts at a frame whose state is
 * PS_FREE or PS_ALLOC (2^order frames), or is a single PS_PCP, PS_RESERVED
 * or PS_CONTIG frame. Walking heads visits each block once.
 */
#include "build.h"

#include "core.h"
#include "page/memmap.h"
#include "page/node.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"

/* Reports copy what they show under the locks and print with none held:
 * printing is slow (a serial console) and must not keep interrupts off. */

/* "  DMA32  ", or "  1 DMA32 " with more than one node (node, then type). */
static void print_zone_name(const struct zone *z)
{
	if (mm_nr_nodes > 1)
		mm_port_log("  %u %-6s", z->node, z->name);
	else
		mm_port_log("  %-7s", z->name);
}

void mm_zone_print_buddyinfo(void)
{
	struct buddyinfo bi;

	mm_buddyinfo_snapshot(&bi);
	mm_port_log("buddyinfo (free blocks per order):\n");
	mm_port_log("  zone   ");
	for (int o = 0; o <= MM_MAX_ORDER; o++)
		mm_port_log(" %6d", o);
	mm_port_log("\n");
	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++) {
		if (!mm_zones[i].present)
			continue;
		print_zone_name(&mm_zones[i]);
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			mm_port_log(" %6llu", (unsigned long long)bi.nr[i][o]);
		mm_port_log("\n");
	}
}

void mm_zone_print_zones(void)
{
	mm_port_log("zones (frames):   present  reserved   managed      free"
		    "  min  low  high  lowmem_reserve\n");
	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++) {
		struct zone z;
		unsigned long irq = mm_port_lock_irqsave(&mm_zones[i].lock);

		z = mm_zones[i];
		mm_port_unlock_irqrestore(&mm_zones[i].lock, irq);
		if (!z.present)
			continue;
		mm_port_log("  %-7s %16llu %9llu %9llu %9llu %4llu %4llu %5llu  "
			    "%llu/%llu/%llu\n", z.name,
			    (unsigned long long)z.present,
			    (unsigned long long)z.reserved,
			    (unsigned long long)z.managed,
			    (unsigned long long)z.free,
			    (unsigned long long)z.wmark[WMARK_MIN],
			    (unsigned long long)z.wmark[WMARK_LOW],
			    (unsigned long long)z.wmark[WMARK_HIGH],
			    (unsigned long long)z.lowmem_reserve[0],
			    (unsigned long long)z.lowmem_reserve[1],
			    (unsigned long long)z.lowmem_reserve[2]);
	}
}

/* Size in frames of the block that starts at idx, and whether it is free
 * ('.'), allocated ('#') or reserved ('R'). */
static uint64_t block_at(uint64_t idx, char *kind)
{
	uint8_t st = ps_load(idx);

	switch (ps_kind(st)) {
	case PS_FREE:
		*kind = '.';
		return 1ull << ps_order(st);
	case PS_ALLOC:
		*kind = '#';
		return 1ull << ps_order(st);
	case PS_PCP:
		*kind = '.';
		return 1;
	case PS_RESERVED:
		*kind = 'R';
		return 1;
	case PS_CONTIG:
		*kind = '#';
		return 1;
	default:
		*kind = '?';
		return 1;
	}
}

/* ---- the map ---- */

#define MAP_COLS 64

struct map_cell {
	uint64_t n_free, n_alloc, n_res;
};

static char cell_char(const struct map_cell *c, uint64_t chunk)
{
	uint64_t hole = chunk - c->n_free - c->n_alloc - c->n_res;

	if (hole == chunk)
		return '_';
	if (c->n_res >= c->n_free && c->n_res >= c->n_alloc && c->n_res >= hole)
		return 'R';
	if (c->n_alloc >= c->n_free && c->n_alloc >= hole)
		return '#';
	if (c->n_free >= hole)
		return '.';
	return '_';
}

void mm_page_print_map(void)
{
	size_t ns = mm_span_count();

	if (!ns)
		return;
	const struct mm_span *last = mm_span_get(ns - 1);
	uint64_t end = last->base_pfn + last->nr_frames;
	/* chunk: a power of two of frames, so that the map has <= 16 lines */
	uint64_t chunk = 1;
	while (end / chunk > 16 * MAP_COLS)
		chunk <<= 1;
	uint64_t ncells = (end + chunk - 1) / chunk;

	mm_port_log("physical memory map: one char = %llu KiB, %d per line "
		    "('.' free  '#' allocated  'R' reserved  '_' hole  '|' zone "
		    "edge)\n", (unsigned long long)(chunk * (MM_PAGE_SIZE / 1024)),
		    MAP_COLS);
	size_t si = 0;
	uint64_t idx = 0;
	char line[MAP_COLS * 2 + 8];
	int len = 0;
	uint64_t line_start = 0;
	bool prev_hole = false;
	for (uint64_t c = 0; c < ncells; c++) {
		uint64_t cs = c * chunk, ce = cs + chunk;
		struct map_cell cell = { 0, 0, 0 };

		/* walk blocks of spans overlapping [cs, ce) */
		while (si < ns) {
			const struct mm_span *s = mm_span_get(si);
			uint64_t send = s->base_pfn + s->nr_frames;
			if (send <= cs) {
				si++;
				continue;
			}
			if (s->base_pfn >= ce)
				break;
			if (idx < s->first_index)
				idx = s->first_index;
			while (idx < s->first_index + s->nr_frames) {
				uint64_t pfn = span_pfn(s, idx);
				if (pfn >= ce)
					break;
				char k;
				uint64_t n = block_at(idx, &k);
				uint64_t bend = pfn + n < ce ? pfn + n : ce;
				uint64_t in = bend - (pfn > cs ? pfn : cs);
				if (k == '.')
					cell.n_free += in;
				else if (k == '#')
					cell.n_alloc += in;
				else
					cell.n_res += in;
				if (pfn + n > ce)
					break; /* the block continues in the next cell */
				idx += n;
			}
			if (send > ce)
				break;
			si++;
		}
		if (len == 0)
			line_start = cs;
		bool edge = (cs <= ZONE_DMA_END_PFN && ZONE_DMA_END_PFN < ce) ||
			    (cs <= ZONE_DMA32_END_PFN && ZONE_DMA32_END_PFN < ce);
		if (edge)
			line[len++] = '|';
		line[len++] = cell_char(&cell, chunk);
		if ((c + 1) % MAP_COLS == 0 || c + 1 == ncells) {
			bool hole = true;
			for (int i = 0; i < len; i++)
				if (line[i] != '_' && line[i] != '|')
					hole = false;
			line[len] = '\0';
			/* a run of all-hole lines prints once */
			if (!hole || !prev_hole)
				mm_port_log("  %010llx %s%s\n",
					    (unsigned long long)(line_start << MM_PAGE_SHIFT),
					    line, hole ? " ..." : "");
			prev_hole = hole;
			len = 0;
		}
	}
}

/* ---- checks for tests ---- */

void mm_buddyinfo_snapshot(struct buddyinfo *bi)
{
	unsigned long irq = mm_lock_all_zones();

	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++)
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			bi->nr[i][o] = mm_zones[i].area[o].nr_blocks;
	mm_unlock_all_zones(irq);
}

bool mm_buddyinfo_equal(const struct buddyinfo *a, const struct buddyinfo *b)
{
	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++)
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			if (a->nr[i][o] != b->nr[i][o])
				return false;
	return true;
}

void mm_check_invariants(void)
{
	static uint64_t free[MM_NR_ZONE_SLOTS];
	static uint64_t blocks[MM_NR_ZONE_SLOTS][MM_MAX_ORDER + 1];
	char why[96] = "";
	uint64_t bad_pfn = 0;

	/* static, filled under every zone lock: too big for a kernel stack */
	unsigned long irq = mm_lock_all_zones();
	__builtin_memset(free, 0, sizeof(free));
	__builtin_memset(blocks, 0, sizeof(blocks));
	for (size_t i = 0; i < mm_span_count() && !why[0]; i++) {
		const struct mm_span *s = mm_span_get(i);
		uint64_t idx = s->first_index, end = idx + s->nr_frames;

		while (idx < end) {
			uint8_t st = ps_load(idx);
			char k;
			uint64_t n = block_at(idx, &k);
			uint64_t pfn = span_pfn(s, idx);

			bad_pfn = pfn;
			if (k == '?') {
				__builtin_memcpy(why, "frame inside no block", 22);
				break;
			}
			if (idx + n > end || !pfn_aligned(pfn, __builtin_ctzll(n))) {
				__builtin_memcpy(why, "block crosses its span or is misaligned", 40);
				break;
			}
			if (ps_kind(st) == PS_FREE) {
				free[s->zone] += n;
				blocks[s->zone][ps_order(st)]++;
				if (!mm_freemap_is_free(&s->region->freemap, pfn) ||
				    !mm_freemap_is_free(&s->region->freemap, pfn + n - 1)) {
					__builtin_memcpy(why, "free block not free in the freemap", 35);
					break;
				}
			}
			for (uint64_t j = 1; j < n; j++)
				if (ps_kind(ps_load(idx + j)) != PS_TAIL) {
					__builtin_memcpy(why, "block interior has a state", 27);
					break;
				}
			idx += n;
		}
	}
	for (int z = 0; z < MM_NR_ZONE_SLOTS && !why[0]; z++) {
		if (free[z] != mm_zones[z].free)
			__builtin_memcpy(why, "zone free count differs from its blocks", 40);
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			if (blocks[z][o] != mm_zones[z].area[o].nr_blocks)
				__builtin_memcpy(why, "free list count differs from its blocks", 40);
	}
	mm_unlock_all_zones(irq);
	if (why[0])
		mm_panic("mm_check_invariants: %s (pfn 0x%llx)", why,
			 (unsigned long long)bad_pfn);
}

/* Each node's RAM and CPUs, then the distance table (more than one node). */
static void print_nodes(void)
{
	unsigned int cpus = mm_cpus_running();

	for (unsigned int n = 0; n < mm_nr_nodes; n++) {
		uint64_t present = 0;

		for (int t = 0; t < MM_NR_ZONES; t++)
			present += mm_zones[mm_zone_slot(n, (enum zone_type)t)].present;
		mm_port_log("node %u: %llu MiB RAM, CPUs", n,
			    (unsigned long long)(present >> (20 - MM_PAGE_SHIFT)));
		unsigned int listed = 0;
		for (unsigned int c = 0; c < cpus; c++)
			if (mm_cpu_node[c] == n) {
				mm_port_log(" %u", c);
				listed++;
			}
		if (!listed)
			mm_port_log(" none");
		if (!present && listed)
			mm_port_log(" (no RAM: they allocate from node %u first)",
				    mm_node_nearest_with_ram(n));
		mm_port_log("\n");
	}
	mm_port_log("node distances:");
	for (unsigned int b = 0; b < mm_nr_nodes; b++)
		mm_port_log(" %4u", b);
	mm_port_log("\n");
	for (unsigned int a = 0; a < mm_nr_nodes; a++) {
		mm_port_log("  %4u        ", a);
		for (unsigned int b = 0; b < mm_nr_nodes; b++)
			mm_port_log(" %4u", mm_node_distance[a][b]);
		mm_port_log("\n");
	}
}

/* The frame allocator's part of the boot report. */
void mm_page_report(void)
{
	uint64_t frames = mm_nr_frames ? mm_nr_frames : 1;
	uint64_t meta = mm_memmap_metadata_bytes();

	mm_port_log("mm: %llu frames of RAM (%llu MiB) in %zu regions, "
		    "max order %d, init %llu us\n",
		    (unsigned long long)mm_nr_frames,
		    (unsigned long long)(mm_nr_frames >> (20 - MM_PAGE_SHIFT)),
		    mm_region_count(), MM_MAX_ORDER,
		    (unsigned long long)(mm_init_ns / 1000));
	mm_port_log("mm: metadata %zu bytes per frame (struct page %zu + state "
		    "byte 1) = %llu KiB; in all, with the freemaps, %llu KiB = "
		    "%llu.%02llu bytes per frame\n",
		    sizeof(struct page) + 1, sizeof(struct page),
		    (unsigned long long)((sizeof(struct page) + 1) * mm_nr_frames >> 10),
		    (unsigned long long)(meta >> 10),
		    (unsigned long long)(meta / frames),
		    (unsigned long long)(meta * 100 / frames % 100));
	if (mm_nr_nodes > 1)
		print_nodes();
	mm_zone_print_zones();
	mm_zone_print_buddyinfo();
	mm_page_print_map();
}
