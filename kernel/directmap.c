/* SPDX-License-Identifier: MIT */
#include "directmap.h"

#include <stdbool.h>

#include "layout.h"
#include "paging.h"
#include "panic.h"

#define BOOT_DIRECT_MAP_END (4ull << 30)

static uint64_t mapped_end = BOOT_DIRECT_MAP_END;

uint64_t directmap_end(void)
{
	return mapped_end;
}

uint64_t directmap_page_size(void)
{
	return paging_has_1g_pages() ? PAGE_1G : PAGE_2M;
}

static bool is_ram(uint32_t type)
{
	return type == MM_RANGE_USABLE || type == MM_RANGE_ACPI_RECLAIMABLE ||
	       type == MM_RANGE_ACPI_NVS;
}

static void map_range(uint64_t start, uint64_t end, uint64_t page,
		      uint64_t flags)
{
	for (uint64_t pa = align_down(start, page); pa < end; pa += page) {
		uint64_t va = DIRECT_MAP_BASE + pa;
		if (paging_translate(va) == pa)
			continue; /* the boot stub's, or a neighbour's */
		if (!paging_map_large(va, pa, page, page, flags))
			panic("directmap_extend: page-table pool exhausted at "
			      "phys 0x%llx (%u of %u tables used: with 2 MiB "
			      "pages that maps about %u GiB above 4 GiB; more "
			      "RAM needs 1 GiB pages or a larger "
			      "PAGING_POOL_PAGES)",
			      (unsigned long long)pa, paging_pool_used(),
			      PAGING_POOL_PAGES, PAGING_POOL_PAGES - 2);
	}
}

void directmap_extend(const struct mm_range *map, size_t n)
{
	uint64_t page = directmap_page_size();
	uint64_t flags = paging_has_nx() ? PTE_NX : 0;
	uint64_t phys_limit = 1ull << paging_phys_bits();

	for (size_t i = 0; i < n; i++) {
		const struct mm_range *r = &map[i];
		if (!is_ram(r->type) || r->length == 0)
			continue;
		uint64_t end = r->start + r->length;
		if (end < r->start || end > DIRECT_MAP_MAX_PHYS ||
		    end > phys_limit)
			panic("directmap_extend: RAM range 0x%llx-0x%llx (type %u) "
			      "lies beyond the direct map (64 TiB) or the CPU's "
			      "%u-bit physical address space",
			      (unsigned long long)r->start,
			      (unsigned long long)end, r->type,
			      paging_phys_bits());
		map_range(r->start, end, page, flags);

		/* Check our own result at both ends of the range. */
		uint64_t last = end - 1;
		if (paging_translate(DIRECT_MAP_BASE + r->start) != r->start ||
		    paging_translate(DIRECT_MAP_BASE + last) != last)
			panic("directmap_extend: range 0x%llx-0x%llx not mapped "
			      "after mapping it",
			      (unsigned long long)r->start,
			      (unsigned long long)end);
		if (align_up(end, page) > mapped_end)
			mapped_end = align_up(end, page);
	}
}
