/* SPDX-License-Identifier: MIT */
/*
 * boot_info_parse() as a whole: reservations, mem= and memmap=, totals and
 * the report.
 */
#include <ktest.h>

#include "mb2.h"
#include "mb2_blob.h"

/* 0-640K, 1M-128M, PCI hole, 4G-5G, and TCG's reserved entry at 1012 GiB */
static void qemu_map(struct mb2_blob *b)
{
	static const struct mm_range map[] = {
		{ 0x0, 0x9fc00, MM_RANGE_USABLE },
		{ 0x9fc00, 0x400, MM_RANGE_RESERVED },
		{ 0xf0000, 0x10000, MM_RANGE_RESERVED },
		{ 0x100000, 0x7ee0000, MM_RANGE_USABLE },
		{ 0x7fe0000, 0x20000, MM_RANGE_RESERVED },
		{ 0xfffc0000, 0x40000, MM_RANGE_RESERVED },
		{ 0x100000000ull, 0x40000000, MM_RANGE_USABLE },
		{ 0xfd00000000ull, 0x300000000ull, MM_RANGE_RESERVED },
	};

	blob_mmap(b, 24, map, sizeof(map) / sizeof(map[0]));
}

static bool parse_with_cmdline(const char *cmdline)
{
	struct mb2_blob *b = blob_begin();

	blob_cmdline(b, cmdline);
	qemu_map(b);
	blob_end(b);
	return blob_parse(b);
}

KTEST(bootinfo, reservations_never_usable)
{
	struct mb2_blob *b = blob_begin();

	blob_cmdline(b, "");
	qemu_map(b);
	blob_module(b, 0x500800, 0x512345, "mod0");
	blob_module(b, 0x7fdf000, 0x7fe0800, "mod1 at the end of RAM");
	blob_end(b);
	KT_ASSERT(blob_parse(b));

	/* low 1 MiB, kernel image (unaligned end), page tables, info block */
	KT_EXPECT_EQ(usable_unreserved_in(0, 0x100000), 0);
	KT_EXPECT_EQ(usable_unreserved_in(test_img.kernel_start,
					  test_img.kernel_end), 0);
	KT_EXPECT_EQ(usable_unreserved_in(test_img.page_tables_start,
					  test_img.page_tables_end), 0);
	KT_EXPECT_EQ(usable_unreserved_in(BLOB_PHYS, BLOB_PHYS + b->len), 0);
	/* modules, whole frames around them */
	KT_EXPECT_EQ(usable_unreserved_in(0x500000, 0x513000), 0);
	KT_EXPECT_EQ(usable_unreserved_in(0x7fdf000, 0x7fe1000), 0);
	/* ...and nothing more than that between them */
	KT_EXPECT_EQ(usable_unreserved_in(0x306000, 0x400000), 0xfa000);
	KT_EXPECT_EQ(usable_unreserved_in(0x401000, 0x500000), 0xff000);

	/* the totals agree with the map */
	KT_EXPECT_EQ(test_bi.ram_bytes, 0x9f000 + 0x7ee0000 + 0x40000000ull);
	KT_EXPECT_EQ(test_bi.usable_bytes,
		     usable_unreserved_in(0, UINT64_MAX));
	KT_EXPECT_EQ(test_bi.ram_bytes - test_bi.usable_bytes,
		     test_bi.reserved_bytes);
	KT_EXPECT(boot_info_check(&test_bi, NULL));
}

/* The highest map entry is TCG's reserved one at 0xfd00000000: nothing is
 * sized from it. */
KTEST(bootinfo, usable_end_ignores_high_reserved_entry)
{
	KT_ASSERT(parse_with_cmdline(""));
	KT_EXPECT_EQ(test_bi.usable_end, 0x140000000ull);
	KT_EXPECT_EQ(test_bi.memory_map[test_bi.memory_map_len - 1].start,
		     0xfd00000000ull);
}

KTEST(bootinfo, no_image_given)
{
	struct mb2_blob *b = blob_begin();

	qemu_map(b);
	blob_end(b);
	tlog_reset();
	KT_ASSERT(boot_info_parse_len(MB2_BOOTLOADER_MAGIC, b->buf, b->len,
				      BLOB_PHYS, NULL, &test_bi, NULL));
	KT_EXPECT_EQ(test_bi.reserved_len, 2); /* low 1 MiB, info block */
}

KTEST(bootinfo, inverted_image_refused)
{
	struct mb2_blob *b = blob_begin();
	struct boot_image img = test_img;

	qemu_map(b);
	blob_end(b);
	img.kernel_end = img.kernel_start - 1;
	tlog_reset();
	KT_EXPECT(!boot_info_parse_len(MB2_BOOTLOADER_MAGIC, b->buf, b->len,
				       BLOB_PHYS, &img, &test_bi, tlog));
	KT_EXPECT(tlog_has("kernel image bounds inverted"));
}

KTEST(bootinfo, mem_limits_ram)
{
	KT_ASSERT(parse_with_cmdline("quiet mem=64M"));
	KT_EXPECT_EQ(test_bi.mem_limit, 64ull << 20);
	KT_EXPECT_EQ(test_bi.usable_end, 64ull << 20);
	KT_EXPECT_EQ(test_bi.ram_bytes, 0x9f000 + (63ull << 20));
	KT_EXPECT_EQ(test_bi.mem_removed,
		     0x7ee0000 + 0x40000000ull - (63ull << 20));
	KT_EXPECT_EQ(usable_unreserved_in(64ull << 20, UINT64_MAX), 0);
	KT_EXPECT(tlog_has("mem=64M: ignoring"));
	/* reserved entries above the limit stay in the map */
	KT_EXPECT_EQ(test_bi.memory_map[test_bi.memory_map_len - 1].start,
		     0xfd00000000ull);

	/* a limit in the PCI hole keeps all RAM below 4 GiB */
	KT_ASSERT(parse_with_cmdline("mem=3G"));
	KT_EXPECT_EQ(test_bi.usable_end, 0x7fe0000);
	/* unaligned: rounds down to a frame */
	KT_ASSERT(parse_with_cmdline("mem=0x2000fff"));
	KT_EXPECT_EQ(test_bi.usable_end, 0x2000000);
}

KTEST(bootinfo, mem_bad_values_ignored)
{
	static const char *const bad[] = {
		"mem=", "mem=abc", "mem=64Q", "mem=0", "mem=512K", "mem=1M",
		"mem=99999999999999999999999", "mem=-5M", "mem",
		"mem=0x123456789abcdef0123456789abcdef0123456789abcdef",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_ASSERT(parse_with_cmdline(bad[i]));
		KT_EXPECT_EQ(test_bi.mem_limit, 0);
		KT_EXPECT_EQ(test_bi.usable_end, 0x140000000ull);
		KT_EXPECT(tlog_has("ignored"));
	}
}

KTEST(bootinfo, memmap_reserves_ranges)
{
	uint64_t before;

	KT_ASSERT(parse_with_cmdline(""));
	before = test_bi.ram_bytes;
	KT_ASSERT(parse_with_cmdline(
		"memmap=16M$0x2000000 memmap=4K$0x100000000,0x1000$0x100002000"));
	KT_EXPECT_EQ(test_bi.memmap_applied, 3);
	KT_EXPECT_EQ(test_bi.ram_bytes, before - (16 << 20) - 0x2000);
	KT_EXPECT_EQ(usable_unreserved_in(0x2000000, 0x3000000), 0);
	KT_EXPECT_EQ(usable_unreserved_in(0x100000000ull, 0x100003000ull),
		     0x1000);
	KT_EXPECT(tlog_has("reserved [0x2000000, 0x3000000)"));
	/* the range shows as reserved in the sanitized map */
	bool found = false;
	for (size_t i = 0; i < test_bi.memory_map_len; i++)
		if (test_bi.memory_map[i].start == 0x2000000 &&
		    test_bi.memory_map[i].length == 16 << 20 &&
		    test_bi.memory_map[i].type == MM_RANGE_RESERVED)
			found = true;
	KT_EXPECT(found);
	KT_EXPECT(boot_info_check(&test_bi, NULL));
}

KTEST(bootinfo, memmap_and_mem_together)
{
	KT_ASSERT(parse_with_cmdline("mem=32M memmap=1M$0x1800000"));
	KT_EXPECT_EQ(test_bi.usable_end, 32ull << 20);
	KT_EXPECT_EQ(test_bi.ram_bytes, 0x9f000 + (30ull << 20));
}

KTEST(bootinfo, memmap_bad_values_ignored)
{
	static const char *const bad[] = {
		"memmap=", "memmap=16M", "memmap=16M@0x1000000",
		"memmap=16M#0x1000000", "memmap=16M!0x1000000",
		"memmap=exactmap", "memmap=0$0x1000000", "memmap=16M$",
		"memmap=16M$zz", "memmap=16M$0x1000000junk",
		"memmap=1M$0xfffffffffff00000", "memmap=4T$0xfffff00000000",
		"memmap=99999999999999999999$0",
	};

	KT_ASSERT(parse_with_cmdline(""));
	uint64_t ram = test_bi.ram_bytes;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_ASSERT(parse_with_cmdline(bad[i]));
		KT_EXPECT_EQ(test_bi.memmap_applied, 0);
		KT_EXPECT_EQ(test_bi.ram_bytes, ram);
		KT_EXPECT(tlog_has("ignored"));
	}
	/* a good item next to a bad one still applies */
	KT_ASSERT(parse_with_cmdline("memmap=1M@0,1M$0x1000000"));
	KT_EXPECT_EQ(test_bi.memmap_applied, 1);
	KT_EXPECT_EQ(test_bi.ram_bytes, ram - (1 << 20));
}

KTEST(bootinfo, memmap_over_everything_leaves_nothing)
{
	KT_EXPECT(!parse_with_cmdline("memmap=8G$0"));
	KT_EXPECT(test_bi.error != NULL);
	KT_EXPECT(tlog_has("no usable memory"));
}

KTEST(bootinfo, report_lists_maps_and_totals)
{
	struct mb2_blob *b = blob_begin();

	blob_cmdline(b, "mem=1G memmap=1M$0x1000000");
	blob_tag(b, MB2_TAG_LOADER_NAME, "GRUB 2.06", 10);
	qemu_map(b);
	blob_module(b, 0x500000, 0x501000, "mod");
	blob_rsdp(b, false);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	tlog_reset();
	boot_info_report(&test_bi, tlog);
	KT_EXPECT(tlog_has("firmware memory map (mmap tag, 8 entries)"));
	KT_EXPECT(tlog_has("usable           0x0000000000100000 - "
			   "0x0000000007fe0000  126.8 MiB"));
	KT_EXPECT(tlog_has("sanitized memory map"));
	KT_EXPECT(tlog_has("reserved         0x000000fd00000000 - "
			   "0x0000010000000000  12 GiB"));
	KT_EXPECT(tlog_has("kernel image     0x0000000000100000 - "
			   "0x00000000002f1000"));
	KT_EXPECT(tlog_has("low 1 MiB"));
	KT_EXPECT(tlog_has("multiboot2 info"));
	KT_EXPECT(tlog_has("module 0: 0x500000 - 0x501000 \"mod\""));
	KT_EXPECT(tlog_has("ACPI RSDP revision 0"));
	KT_EXPECT(tlog_has("\"GRUB 2.06\""));
	KT_EXPECT(tlog_has("highest usable address 0x7fe0000"));
	KT_EXPECT(tlog_has("available"));
}

KTEST(bootinfo, memmap_when_the_map_is_full)
{
	static struct mm_range many[BOOT_MAX_RANGES];
	static char cl[200];
	struct mb2_blob *b = blob_begin();
	const char *word = "memmap=4K$0x1001000 memmap=4K$0x1000000";

	/* 128 separate frames of RAM: the sanitized map is full */
	for (size_t i = 0; i < BOOT_MAX_RANGES; i++) {
		many[i].start = 0x1000000 + i * 0x2000;
		many[i].length = 0x1000;
		many[i].type = MM_RANGE_USABLE;
	}
	blob_cmdline(b, word);
	blob_mmap(b, 24, many, BOOT_MAX_RANGES);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	/* the hole at 0x1001000 would need a new entry: refused; the frame at
	 * 0x1000000 is replaced in place: applied */
	KT_EXPECT(tlog_has("memmap=4K$0x1001000: memory map full; ignored"));
	KT_EXPECT_EQ(test_bi.memmap_applied, 1);
	KT_EXPECT_EQ(test_bi.memory_map_len, BOOT_MAX_RANGES);
	KT_EXPECT_EQ(usable_unreserved_in(0x1000000, 0x1001000), 0);

	/* a memmap= value longer than we read */
	size_t n = 0;
	for (const char *p = "memmap="; *p; p++)
		cl[n++] = *p;
	while (n < 190)
		cl[n++] = '1';
	cl[n] = '\0';
	KT_ASSERT(parse_with_cmdline(cl));
	KT_EXPECT(tlog_has("is too long; ignored"));
	KT_EXPECT_EQ(test_bi.memmap_applied, 0);
}
