/* SPDX-License-Identifier: MIT */
/*
 * What boot_info hands to mm_init(): the kernel image, the boot page
 * tables and stack, the multiboot2 information block and the low 1 MiB are
 * never inside "usable minus reserved"; and none of it but the low 1 MiB
 * lies in ZONE_DMA, which is left to devices.
 */
#include <ktest.h>

#include "kernel.h"
#include "layout.h"

#define LOW_1M (1ull << 20)
#define LOW_16M (16ull << 20)

static bool frame_reserved(const struct boot_info *bi, uint64_t pa)
{
	for (size_t i = 0; i < bi->reserved_len; i++)
		if (pa >= bi->reserved[i].start &&
		    pa - bi->reserved[i].start < bi->reserved[i].length)
			return true;
	return false;
}

static bool frame_usable(const struct boot_info *bi, uint64_t pa)
{
	for (size_t i = 0; i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];
		if (r->type == MM_RANGE_USABLE && pa >= r->start &&
		    pa - r->start < r->length)
			return true;
	}
	return false;
}

/* Number of frames of [start, end) that the allocator could hand out. */
static uint64_t frames_available(const struct boot_info *bi, uint64_t start,
				 uint64_t end)
{
	uint64_t n = 0;

	for (uint64_t pa = start & ~(MM_PAGE_SIZE - 1); pa < end;
	     pa += MM_PAGE_SIZE)
		if (frame_usable(bi, pa) && !frame_reserved(bi, pa)) {
			if (n == 0)
				ktest_printf("#   frame 0x%llx is available\n",
					     (unsigned long long)pa);
			n++;
		}
	return n;
}

KTEST(reservations, low_1m_never_available)
{
	const struct boot_info *bi = kernel_boot_info();

	KT_ASSERT(bi != NULL);
	KT_EXPECT_EQ(frames_available(bi, 0, 1ull << 20), 0);
}

KTEST(reservations, kernel_image_never_available)
{
	const struct boot_info *bi = kernel_boot_info();

	KT_ASSERT(bi != NULL);
	KT_EXPECT_EQ(frames_available(bi, kernel_phys_start(),
				      kernel_phys_end()),
		     0);
	KT_EXPECT_EQ(frames_available(bi,
				      kernel_image_phys(boot_page_tables_start),
				      kernel_image_phys(boot_page_tables_end)),
		     0);
	KT_EXPECT_EQ(frames_available(bi, kernel_image_phys(boot_stack_guard),
				      kernel_image_phys(boot_stack_top)),
		     0);
}

KTEST(reservations, multiboot_info_never_available)
{
	const struct boot_info *bi = kernel_boot_info();

	KT_ASSERT(bi != NULL);
	KT_ASSERT(bi->mbi_size >= 16);
	KT_EXPECT_EQ(frames_available(bi, bi->mbi_phys,
				      bi->mbi_phys + bi->mbi_size),
		     0);
	/* The command line we were booted with lives there too. */
	KT_EXPECT(bi->cmdline != NULL);
}

KTEST(reservations, usable_ranges_are_whole_frames)
{
	const struct boot_info *bi = kernel_boot_info();

	KT_ASSERT(bi != NULL);
	for (size_t i = 0; i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];
		if (r->type != MM_RANGE_USABLE)
			continue;
		KT_EXPECT_EQ(r->start % MM_PAGE_SIZE, 0);
		KT_EXPECT_EQ(r->length % MM_PAGE_SIZE, 0);
	}
}

/* The kernel image, its ELF sections, the information block and modules all
 * lie at or above 16 MiB: every usable frame of [1 MiB, 16 MiB) is free for
 * ISA-style DMA (GFP_DMA, contigmalloc with a low high). */
KTEST(reservations, nothing_of_the_boot_in_low_16m)
{
	const struct boot_info *bi = kernel_boot_info();

	KT_ASSERT(bi != NULL);
	KT_EXPECT(kernel_phys_start() >= LOW_16M);
	KT_EXPECT(bi->mbi_phys >= LOW_16M);
	for (size_t i = 0; i < bi->reserved_len; i++) {
		const struct mm_range *r = &bi->reserved[i];
		uint64_t s = r->start > LOW_1M ? r->start : LOW_1M;
		uint64_t e = r->start + r->length < LOW_16M ?
				     r->start + r->length : LOW_16M;

		if (s >= e)
			continue;
		ktest_printf("#   %s [0x%llx, 0x%llx) lies in [1 MiB, 16 MiB)\n",
			     bi->reserved_what[i], (unsigned long long)r->start,
			     (unsigned long long)(r->start + r->length));
		KT_EXPECT(!"a boot reservation in [1 MiB, 16 MiB)");
	}
}
