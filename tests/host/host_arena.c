/* SPDX-License-Identifier: MIT */
/*
 * "Physical memory" for host builds: one anonymous mapping covering
 * [0, end of the highest usable range). MAP_NORESERVE keeps a 64 GiB map
 * cheap: only frames that are touched are committed.
 */
#define _GNU_SOURCE
#include <mm/init.h>
#include <mm/port.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "host_port.h"

static void *arena;
static size_t arena_size;

void host_mm_init_numa(const struct mm_range *map, size_t map_len,
		       const struct mm_range *reserved, size_t reserved_len,
		       const struct mm_node_range *nodes, size_t nodes_len)
{
	uint64_t end = 0;

	for (size_t i = 0; i < map_len; i++)
		if (map[i].type == MM_RANGE_USABLE &&
		    map[i].start + map[i].length > end)
			end = map[i].start + map[i].length;
	if (arena)
		munmap(arena, arena_size);
	arena_size = end ? (size_t)end : MM_PAGE_SIZE;
	arena = mmap(NULL, arena_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		perror("host_mm_init: mmap");
		exit(2);
	}
	mm_port_direct_map_offset = (uintptr_t)arena;
	mm_init_numa(map, map_len, reserved, reserved_len, nodes, nodes_len);
}

void host_mm_init(const struct mm_range *map, size_t map_len,
		  const struct mm_range *reserved, size_t reserved_len)
{
	host_mm_init_numa(map, map_len, reserved, reserved_len, NULL, 0);
}

void host_mm_default(void)
{
	/* Like a small PC: low RAM, DMA and DMA32 RAM, a PCI hole, then RAM
	 * above 4 GiB. 0.5 GiB of RAM in all. */
	static const struct mm_range map[] = {
		{ 0x0, 0x9f000, MM_RANGE_USABLE },
		{ 0x9f000, 0x61000, MM_RANGE_RESERVED },
		{ 0x100000, 0xff00000, MM_RANGE_USABLE },       /* 1M..256M */
		{ 0xc0000000, 0x40000000, MM_RANGE_RESERVED },  /* PCI hole */
		{ 0x100000000, 0x10000000, MM_RANGE_USABLE },   /* 4G..4.25G */
	};
	static const struct mm_range reserved[] = {
		{ 0x0, 0x100000, MM_RANGE_RESERVED },      /* low 1 MiB */
		{ 0x100000, 0x200000, MM_RANGE_RESERVED }, /* "kernel image" */
	};
	host_mm_init(map, sizeof(map) / sizeof(map[0]), reserved,
		     sizeof(reserved) / sizeof(reserved[0]));
}
