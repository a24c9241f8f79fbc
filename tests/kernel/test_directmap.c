/* SPDX-License-Identifier: MIT */
/*
 * The direct map covers all RAM in the sanitized map: the first and the
 * last frame of every usable range can be written and read back through
 * mm_port_phys_to_virt() (in the 8 GiB configuration the last one lies
 * above 4 GiB, which the C side mapped). Frames are restored afterwards:
 * some are in use (the kernel image starts a usable range).
 */
#include <ktest.h>
#include <mm/port.h>

#include "directmap.h"
#include "kernel.h"
#include "layout.h"
#include "paging.h"

#define WORDS (MM_PAGE_SIZE / sizeof(uint64_t))

static uint64_t saved[WORDS];

/* Writes a pattern over the frame at pa, checks it, restores the frame. */
static bool frame_round_trip(uint64_t pa)
{
	volatile uint64_t *f = mm_port_phys_to_virt(pa);
	bool ok = true;

	for (size_t i = 0; i < WORDS; i++)
		saved[i] = f[i];
	for (size_t i = 0; i < WORDS; i++)
		f[i] = pa ^ (i * 0x9e3779b97f4a7c15ull);
	for (size_t i = 0; i < WORDS; i++)
		if (f[i] != (pa ^ (i * 0x9e3779b97f4a7c15ull)))
			ok = false;
	for (size_t i = 0; i < WORDS; i++)
		f[i] = saved[i];
	return ok;
}

KTEST(directmap, first_and_last_frame_of_every_usable_range)
{
	const struct boot_info *bi = kernel_boot_info();
	int ranges = 0;

	KT_ASSERT(bi != NULL);
	for (size_t i = 0; i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];
		if (r->type != MM_RANGE_USABLE || r->length < MM_PAGE_SIZE)
			continue;
		uint64_t first = r->start;
		uint64_t last = r->start + r->length - MM_PAGE_SIZE;
		KT_EXPECT_EQ(paging_translate(DIRECT_MAP_BASE + first), first);
		KT_EXPECT_EQ(paging_translate(DIRECT_MAP_BASE + last +
					      MM_PAGE_SIZE - 1),
			     last + MM_PAGE_SIZE - 1);
		KT_EXPECT(frame_round_trip(first));
		KT_EXPECT(frame_round_trip(last));
		ktest_printf("#   ok 0x%llx and 0x%llx\n",
			     (unsigned long long)first,
			     (unsigned long long)last);
		ranges++;
	}
	KT_EXPECT(ranges > 0);
}

KTEST(directmap, ram_above_4g_is_mapped)
{
	const struct boot_info *bi = kernel_boot_info();
	uint64_t highest = 0;

	KT_ASSERT(bi != NULL);
	for (size_t i = 0; i < bi->memory_map_len; i++)
		if (bi->memory_map[i].type == MM_RANGE_USABLE)
			highest = bi->memory_map[i].start +
				  bi->memory_map[i].length;
	if (highest <= (4ull << 30))
		KT_SKIP("no usable RAM above 4 GiB in this configuration");
	/* The last byte of RAM, through the direct map. */
	volatile uint8_t *p = mm_port_phys_to_virt(highest - 1);
	uint8_t old = *p;
	*p = (uint8_t)~old;
	KT_EXPECT_EQ(*p, (uint8_t)~old);
	*p = old;
	KT_EXPECT(directmap_end() >= highest);
}

KTEST(directmap, reserved_space_is_not_mapped)
{
	const struct boot_info *bi = kernel_boot_info();
	uint64_t ram_end = 0;

	KT_ASSERT(bi != NULL);
	for (size_t i = 0; i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];
		if (r->type == MM_RANGE_USABLE ||
		    r->type == MM_RANGE_ACPI_RECLAIMABLE ||
		    r->type == MM_RANGE_ACPI_NVS)
			ram_end = r->start + r->length;
	}
	/* Never sized from the highest address in the map (TCG reports a
	 * reserved range at 0xfd00000000): nothing mapped past RAM's end. */
	uint64_t past = align_up(ram_end, directmap_page_size());
	if (past < (4ull << 30))
		past = 4ull << 30; /* the boot stub maps 4 GiB regardless */
	KT_EXPECT_EQ(directmap_end(), past);
	KT_EXPECT_EQ(paging_translate(DIRECT_MAP_BASE + past), ~0ull);
	KT_EXPECT_EQ(paging_translate(DIRECT_MAP_BASE + 0xfd00000000ull), ~0ull);
}

KTEST(directmap, kernel_window_and_direct_map_alias)
{
	/* The same byte through the kernel window and the direct map. */
	static volatile uint64_t probe = 0x1122334455667788ull;
	uint64_t pa = kernel_image_phys((const void *)&probe);
	volatile uint64_t *alias = mm_port_phys_to_virt(pa);

	KT_EXPECT_EQ(paging_translate((uint64_t)(uintptr_t)&probe), pa);
	KT_EXPECT_EQ(*alias, 0x1122334455667788ull);
	*alias = 42;
	KT_EXPECT_EQ(probe, 42);
	KT_EXPECT_EQ(mm_port_virt_to_phys((const void *)alias), pa);
}
