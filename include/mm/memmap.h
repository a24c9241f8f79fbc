/* SPDX-License-Identifier: MIT */
/*
 * Physical ranges: how a kernel describes memory to mm_init(). The type
 * numbers are multiboot2's (and the e820's), so a firmware map converts
 * without a table.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include <stdint.h>

enum mm_range_type {
	MM_RANGE_USABLE = 1,           /* RAM the allocator may hand out */
	MM_RANGE_RESERVED = 2,         /* firmware or device; never touched */
	MM_RANGE_ACPI_RECLAIMABLE = 3, /* ACPI tables; RAM once parsed */
	MM_RANGE_ACPI_NVS = 4,         /* preserved across sleep */
	MM_RANGE_BAD = 5,              /* defective RAM */
};

struct mm_range {
	uint64_t start;  /* physical address */
	uint64_t length; /* bytes */
	uint32_t type;   /* enum mm_range_type */
};

/* Which NUMA node a range of physical memory is on (an ACPI SRAT memory
 * affinity entry): for mm_init_numa(). */
struct mm_node_range {
	uint64_t start;  /* physical address */
	uint64_t length; /* bytes */
	uint32_t node;   /* 0 .. MM_MAX_NUMNODES - 1 */
};

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE (1ull << MM_PAGE_SHIFT)

#endif
