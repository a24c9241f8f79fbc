/* SPDX-License-Identifier: MIT */
/*
 * What boot_info hands to mm_init(): the kernel image, the boot page
 * tables and stack, the multiboot2 information block and the low 1 MiB are
 * never inside "usable minus reserved".
 */
#include <ktest.h>

#include "kernel.h"
#include "layout.h"

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
