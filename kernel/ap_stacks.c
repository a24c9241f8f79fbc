/* SPDX-License-Identifier: MIT */
#include "ap_stacks.h"

#include "layout.h"
#include "paging.h"
#include "panic.h"
#include "printk.h"

static struct ap_stacks *block;
static unsigned int reserved_aps;

/* A reservation overlapping [s, e), or NULL. */
static const struct mm_range *overlap(const struct boot_info *bi, uint64_t s,
				      uint64_t e)
{
	for (size_t i = 0; i < bi->reserved_len; i++) {
		const struct mm_range *r = &bi->reserved[i];
		if (r->start < e && s < r->start + r->length)
			return r;
	}
	return NULL;
}

/* The highest page-aligned [s, s + size) in usable range r, above the
 * floor and free of reservations; 0 if there is none. */
static uint64_t fit_in(const struct boot_info *bi, const struct mm_range *r,
		       uint64_t size)
{
	uint64_t lo = r->start > AP_STACKS_MIN_PHYS ? r->start
						    : AP_STACKS_MIN_PHYS;
	uint64_t end = r->start + r->length;

	if (end < lo + size)
		return 0;
	uint64_t s = align_down(end - size, PAGE_4K);
	while (s >= lo) {
		const struct mm_range *busy = overlap(bi, s, s + size);
		if (!busy)
			return s;
		if (busy->start < lo + size)
			return 0;
		s = align_down(busy->start - size, PAGE_4K); /* just below */
	}
	return 0;
}

unsigned int ap_stacks_reserve(struct boot_info *bi, unsigned int n)
{
	uint64_t size = align_up((uint64_t)n * sizeof(struct ap_stacks),
				 PAGE_4K);
	uint64_t pa = 0;

	if (n == 0)
		return 0;
	if (bi->reserved_len == BOOT_MAX_RANGES) {
		printk("smp: no room to record the AP stacks' reservation\n");
		return 0;
	}
	for (size_t i = bi->memory_map_len; i-- > 0 && !pa;)
		if (bi->memory_map[i].type == MM_RANGE_USABLE)
			pa = fit_in(bi, &bi->memory_map[i], size);
	if (!pa) {
		printk("smp: no free %llu KiB of RAM above 16 MiB for %u AP "
		       "stacks\n", (unsigned long long)(size >> 10), n);
		return 0;
	}
	bi->reserved[bi->reserved_len] = (struct mm_range){
		.start = pa, .length = size, .type = MM_RANGE_RESERVED };
	bi->reserved_what[bi->reserved_len++] = "AP stacks";
	block = (struct ap_stacks *)(uintptr_t)(DIRECT_MAP_BASE + pa);
	reserved_aps = n;
	printk("smp: stacks for %u APs at 0x%llx-0x%llx (reserved)\n", n,
	       (unsigned long long)pa, (unsigned long long)(pa + size));
	return n;
}

struct ap_stacks *ap_stacks_of(unsigned int cpu)
{
	if (cpu == 0 || cpu > reserved_aps)
		panic("ap_stacks_of: cpu %u has no stacks (%u reserved)", cpu,
		      reserved_aps);
	return &block[cpu - 1];
}

bool ap_stacks_contain(uint64_t va)
{
	uint64_t start = (uint64_t)(uintptr_t)block;

	return block && va >= start &&
	       va - start < reserved_aps * sizeof(struct ap_stacks);
}
