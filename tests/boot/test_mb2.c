/* SPDX-License-Identifier: MIT */
/*
 * The multiboot2 parser on well-formed and malformed information blocks:
 * each class of malformation is logged and either worked around or, when
 * nothing usable is left, refused with a reason.
 */
#include <ktest.h>

#include "mb2.h"
#include "mb2_blob.h"

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool error_is(const char *want)
{
	return test_bi.error && str_eq(test_bi.error, want);
}

static const struct mm_range ram_map[] = {
	{ 0x0, 0x9fc00, MM_RANGE_USABLE },
	{ 0x100000, 0x3f00000, MM_RANGE_USABLE }, /* to 64 MiB */
};

KTEST(mb2, grub_like_block)
{
	struct mb2_blob *b = blob_begin();
	uint32_t base_addr[1] = { 0x100000 };
	size_t rsdp_off;

	blob_tag(b, 21, base_addr, 4); /* load base address: skipped */
	blob_cmdline(b, "test=mb2.* seed=1");
	blob_tag(b, MB2_TAG_LOADER_NAME, "GRUB 2.06", 10);
	blob_meminfo(b, 639, 130048);
	blob_default_map(b);
	rsdp_off = b->len;
	blob_rsdp(b, false);
	blob_end(b);

	KT_ASSERT(blob_parse(b));
	KT_EXPECT(test_bi.error == NULL);
	KT_EXPECT(str_eq(test_bi.cmdline, "test=mb2.* seed=1"));
	KT_EXPECT(str_eq(test_bi.loader_name, "GRUB 2.06"));
	KT_EXPECT_EQ(test_bi.map_source, BOOT_MAP_MMAP);
	KT_EXPECT_EQ(test_bi.firmware_map_len, 6);
	KT_EXPECT_EQ(test_bi.firmware_map[3].start, 0x100000);
	KT_EXPECT_EQ(test_bi.firmware_map[3].length, 0x7ee0000);
	KT_EXPECT(test_bi.has_meminfo);
	KT_EXPECT_EQ(test_bi.mem_upper_kib, 130048);
	KT_EXPECT_EQ(test_bi.rsdp_revision, 0);
	KT_EXPECT_EQ(test_bi.rsdp_phys, BLOB_PHYS + rsdp_off + 8);
	KT_EXPECT(test_bi.rsdp == b->buf + rsdp_off + 8);
	KT_EXPECT_EQ(test_bi.mbi_size, b->len);
	KT_EXPECT_EQ(test_bi.usable_end, 0x7fe0000);
	/* nothing was wrong: nothing logged */
	KT_EXPECT(tlog_text()[0] == '\0');
}

KTEST(mb2, bad_magic)
{
	struct mb2_blob *b = blob_begin();

	blob_default_map(b);
	blob_end(b);
	tlog_reset();
	KT_EXPECT(!boot_info_parse_len(0x2badb002, b->buf, b->len, BLOB_PHYS,
				       &test_img, &test_bi, tlog));
	KT_EXPECT(error_is("bad multiboot2 magic"));
	KT_EXPECT(tlog_has("0x2badb002"));
}

KTEST(mb2, total_size_too_small)
{
	struct mb2_blob *b = blob_begin();

	blob_default_map(b);
	blob_end(b);
	blob_set_total(b, 4);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(error_is("multiboot2 total_size too small"));
	/* and a buffer shorter than the header itself */
	tlog_reset();
	KT_EXPECT(!boot_info_parse_len(MB2_BOOTLOADER_MAGIC, b->buf, 6,
				       BLOB_PHYS, &test_img, &test_bi, tlog));
	KT_EXPECT(error_is("multiboot2 total_size too small"));
}

KTEST(mb2, total_size_larger_than_buffer)
{
	struct mb2_blob *b = blob_begin();

	blob_default_map(b);
	blob_end(b);
	blob_set_total(b, (uint32_t)b->len + 8);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(error_is("multiboot2 total_size too large"));
	blob_set_total(b, 0xffffffff);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(tlog_has("total_size 4294967295"));
}

KTEST(mb2, total_size_just_the_header)
{
	struct mb2_blob *b = blob_begin();

	blob_set_total(b, 8);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(tlog_has("no end tag"));
	KT_EXPECT(error_is("no memory map from the boot loader"));
}

KTEST(mb2, misaligned_block)
{
	struct mb2_blob *b = blob_begin();

	blob_default_map(b);
	blob_end(b);
	tlog_reset();
	KT_EXPECT(!boot_info_parse_len(MB2_BOOTLOADER_MAGIC, b->buf, b->len,
				       BLOB_PHYS + 4, &test_img, &test_bi,
				       tlog));
	KT_EXPECT(error_is("multiboot2 information misaligned"));
	KT_EXPECT(!boot_info_parse_len(MB2_BOOTLOADER_MAGIC, NULL, 0,
				       BLOB_PHYS, &test_img, &test_bi, tlog));
}

/* Odd tag sizes are legal: the next tag starts at the next 8-byte boundary. */
KTEST(mb2, odd_sized_tags_walk_aligned)
{
	struct mb2_blob *b = blob_begin();

	blob_cmdline(b, "ab");          /* size 11 */
	blob_tag(b, 77, "xyzzy", 5);    /* unknown tag, size 13 */
	blob_mmap(b, 24, ram_map, 2);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(str_eq(test_bi.cmdline, "ab"));
	KT_EXPECT_EQ(test_bi.firmware_map_len, 2);
}

KTEST(mb2, short_tag_stops_the_walk)
{
	struct mb2_blob *b = blob_begin();

	blob_mmap(b, 24, ram_map, 2);
	blob_tag_size(b, MB2_TAG_CMDLINE, 4, "mem=8M", 7); /* size < 8 */
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("has size 4 < 8"));
	KT_EXPECT(str_eq(test_bi.cmdline, "")); /* the walk stopped there */
	KT_EXPECT_EQ(test_bi.firmware_map_len, 2);
	/* size 0 would loop forever if the walker trusted it */
	b = blob_begin();
	blob_mmap(b, 24, ram_map, 2);
	blob_tag_size(b, MB2_TAG_CMDLINE, 0, NULL, 8);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("has size 0 < 8"));
}

KTEST(mb2, tag_running_past_the_end)
{
	struct mb2_blob *b = blob_begin();

	blob_mmap(b, 24, ram_map, 2);
	blob_tag_size(b, MB2_TAG_CMDLINE, 0x1000, "mem=8M", 7);
	blob_set_total(b, (uint32_t)b->len);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("runs past total_size"));
	KT_EXPECT(str_eq(test_bi.cmdline, ""));
	/* an mmap tag running past the end is ignored as a whole */
	b = blob_begin();
	blob_meminfo(b, 639, 65536);
	blob_mmap(b, 24, ram_map, 2);
	blob_set_total(b, (uint32_t)b->len - 8);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.map_source, BOOT_MAP_MEMINFO);
}

KTEST(mb2, mmap_entry_size_16_and_28_rejected)
{
	static const uint32_t bad[] = { 16, 28, 0, 20, 25 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mb2_blob *b = blob_begin();

		blob_meminfo(b, 639, 32768);
		blob_mmap(b, bad[i], ram_map, 2);
		blob_end(b);
		KT_ASSERT(blob_parse(b));
		KT_EXPECT(tlog_has("not a multiple of 8 >= 24"));
		KT_EXPECT_EQ(test_bi.map_source, BOOT_MAP_MEMINFO);
	}
}

KTEST(mb2, mmap_entry_size_32_is_fine)
{
	struct mb2_blob *b = blob_begin();

	blob_mmap(b, 32, ram_map, 2);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.firmware_map_len, 2);
	KT_EXPECT_EQ(test_bi.firmware_map[1].start, 0x100000);
	KT_EXPECT_EQ(test_bi.firmware_map[1].length, 0x3f00000);
}

KTEST(mb2, mmap_partial_entry_ignored)
{
	struct mb2_blob *b = blob_begin();
	const struct mm_range three[] = {
		ram_map[0], ram_map[1], { 0x4000000, 0x4000000, MM_RANGE_USABLE }
	};

	blob_mmap(b, 24, three, 3);
	/* claim 2.5 entries: the third must not be read */
	uint32_t size = 16 + 24 * 2 + 12;
	__builtin_memcpy(b->buf + 8 + 4, &size, 4);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("12 bytes of a partial entry"));
	KT_EXPECT_EQ(test_bi.firmware_map_len, 2);
	KT_EXPECT_EQ(test_bi.usable_end, 0x4000000);
}

KTEST(mb2, mmap_more_entries_than_we_keep)
{
	static struct mm_range many[BOOT_MAX_RANGES + 10];
	struct mb2_blob *b = blob_begin();

	for (size_t i = 0; i < BOOT_MAX_RANGES + 10; i++) {
		many[i].start = 0x1000000 + i * 0x2000;
		many[i].length = 0x1000;
		many[i].type = MM_RANGE_USABLE;
	}
	blob_mmap(b, 24, many, BOOT_MAX_RANGES + 10);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(test_bi.firmware_map_truncated);
	KT_EXPECT_EQ(test_bi.firmware_map_len, BOOT_MAX_RANGES);
	KT_EXPECT(tlog_has("only the first 128 kept"));
	/* exactly BOOT_MAX_RANGES is not truncated */
	b = blob_begin();
	blob_mmap(b, 24, many, BOOT_MAX_RANGES);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(!test_bi.firmware_map_truncated);
	KT_EXPECT_EQ(test_bi.memory_map_len, BOOT_MAX_RANGES);
}

KTEST(mb2, cmdline_not_nul_terminated)
{
	struct mb2_blob *b = blob_begin();

	blob_tag(b, MB2_TAG_CMDLINE, "mem=8M", 6); /* no NUL */
	blob_mmap(b, 24, ram_map, 2);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("cmdline tag at +8 is not NUL-terminated"));
	KT_EXPECT(str_eq(test_bi.cmdline, ""));
	KT_EXPECT_EQ(test_bi.mem_limit, 0);
}

KTEST(mb2, missing_end_tag)
{
	struct mb2_blob *b = blob_begin();

	blob_cmdline(b, "x=1");
	blob_mmap(b, 24, ram_map, 2);
	blob_set_total(b, (uint32_t)b->len);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("no end tag"));
	KT_EXPECT(str_eq(test_bi.cmdline, "x=1"));
	KT_EXPECT_EQ(test_bi.firmware_map_len, 2);
}

KTEST(mb2, tags_after_the_end_tag_ignored)
{
	struct mb2_blob *b = blob_begin();

	blob_mmap(b, 24, ram_map, 2);
	blob_tag(b, MB2_TAG_END, NULL, 0);
	blob_cmdline(b, "late=1");
	blob_set_total(b, (uint32_t)b->len);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(str_eq(test_bi.cmdline, ""));
}

KTEST(mb2, no_mmap_falls_back_to_meminfo)
{
	struct mb2_blob *b = blob_begin();

	blob_meminfo(b, 639, 64512); /* 63 MiB above 1 MiB */
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(tlog_has("using basic meminfo"));
	KT_EXPECT_EQ(test_bi.map_source, BOOT_MAP_MEMINFO);
	KT_ASSERT_EQ(test_bi.memory_map_len, 2);
	KT_EXPECT_EQ(test_bi.memory_map[0].start, 0);
	KT_EXPECT_EQ(test_bi.memory_map[0].length, 0x9f000);
	KT_EXPECT_EQ(test_bi.memory_map[1].start, 0x100000);
	KT_EXPECT_EQ(test_bi.memory_map[1].length, 64512ull << 10);
	KT_EXPECT_EQ(test_bi.usable_end, 64ull << 20);
}

KTEST(mb2, no_memory_at_all)
{
	struct mb2_blob *b = blob_begin();
	const struct mm_range reserved_only[] = {
		{ 0x0, 0x10000000, MM_RANGE_RESERVED }
	};
	const struct mm_range low_only[] = {
		{ 0x0, 0x9fc00, MM_RANGE_USABLE }
	};

	blob_cmdline(b, "nothing");
	blob_end(b);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(error_is("no memory map from the boot loader"));
	KT_EXPECT(tlog_has("neither an mmap nor a basic meminfo tag"));

	b = blob_begin();
	blob_mmap(b, 24, reserved_only, 1);
	blob_end(b);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(error_is("no usable memory"));

	/* RAM only below 1 MiB: all of it reserved */
	b = blob_begin();
	blob_mmap(b, 24, low_only, 1);
	blob_end(b);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(error_is("no usable memory"));
	KT_EXPECT(tlog_has("boot_info_parse: no usable memory"));

	/* meminfo saying zero */
	b = blob_begin();
	blob_meminfo(b, 0, 0);
	blob_end(b);
	KT_EXPECT(!blob_parse(b));
	KT_EXPECT(error_is("no usable memory"));
}

KTEST(mb2, rsdp_new_preferred_and_validated)
{
	struct mb2_blob *b = blob_begin();
	size_t new_off;

	blob_mmap(b, 24, ram_map, 2);
	new_off = b->len;
	blob_rsdp(b, true);
	blob_rsdp(b, false); /* after the new one: must not replace it */
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.rsdp_revision, 2);
	KT_EXPECT_EQ(test_bi.rsdp_phys, BLOB_PHYS + new_off + 8);

	/* a bad checksum and a short tag are ignored */
	b = blob_begin();
	blob_mmap(b, 24, ram_map, 2);
	size_t off = b->len;
	blob_rsdp(b, false);
	b->buf[off + 8 + 9] ^= 1;
	blob_tag(b, MB2_TAG_ACPI_NEW, "RSD PTR ", 8);
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.rsdp_revision, -1);
	KT_EXPECT_EQ(test_bi.rsdp_phys, 0);
	KT_EXPECT(tlog_has("bad checksum"));
	KT_EXPECT(tlog_has("new RSDP tag"));
}

KTEST(mb2, modules)
{
	struct mb2_blob *b = blob_begin();

	blob_mmap(b, 24, ram_map, 2);
	blob_module(b, 0x500000, 0x512345, "initrd arg=1");
	blob_module(b, 0x600000, 0x5ff000, "backwards");
	blob_tag(b, MB2_TAG_MODULE, "\x00\x00\x70\x00\x00\x10\x70\x00xy", 10);
	blob_tag(b, MB2_TAG_MODULE, "\x00\x00\x70\x00", 4); /* too short */
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_ASSERT_EQ(test_bi.modules_len, 2);
	KT_EXPECT_EQ(test_bi.modules[0].start, 0x500000);
	KT_EXPECT_EQ(test_bi.modules[0].end, 0x512345);
	KT_EXPECT(str_eq(test_bi.modules[0].string, "initrd arg=1"));
	KT_EXPECT_EQ(test_bi.modules[1].start, 0x700000);
	KT_EXPECT_EQ(test_bi.modules[1].end, 0x701000);
	KT_EXPECT(str_eq(test_bi.modules[1].string, ""));
	KT_EXPECT(tlog_has("ends (0x5ff000) before it starts"));
	KT_EXPECT(tlog_has("string not NUL-terminated"));
	KT_EXPECT(tlog_has("module tag at"));
}

/* An ELF64 section header with the fields mb2.c reads. */
static void shdr(uint8_t *h, uint32_t type, uint64_t flags, uint64_t addr,
		 uint64_t size)
{
	__builtin_memset(h, 0, 64);
	__builtin_memcpy(h + 4, &type, 4);
	__builtin_memcpy(h + 8, &flags, 8);
	__builtin_memcpy(h + 16, &addr, 8);
	__builtin_memcpy(h + 32, &size, 8);
}

KTEST(mb2, elf_sections_loaded_ones_reserved)
{
	static uint8_t tag[12 + 5 * 64];
	uint32_t hdr[3] = { 5, 64, 4 };
	struct mb2_blob *b = blob_begin();

	__builtin_memcpy(tag, hdr, 12);
	shdr(tag + 12 + 0 * 64, 0, 0, 0, 0);                     /* NULL */
	shdr(tag + 12 + 1 * 64, 1, 0x6, 0xffffffff80100000ull, 0x5000); /* .text */
	shdr(tag + 12 + 2 * 64, 2, 0, 0x800000, 0x1800);         /* .symtab */
	shdr(tag + 12 + 3 * 64, 3, 0, 0x801800, 0x900);          /* .strtab */
	shdr(tag + 12 + 4 * 64, 8, 0, 0x900000, 0x1000);         /* NOBITS */
	blob_mmap(b, 24, ram_map, 2);
	blob_tag(b, MB2_TAG_ELF_SECTIONS, tag, sizeof(tag));
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.elf.num, 5);
	KT_EXPECT_EQ(test_bi.elf.entsize, 64);
	KT_EXPECT_EQ(test_bi.elf.shndx, 4);
	KT_EXPECT(test_bi.elf.loaded_reserved);
	/* .symtab and .strtab are reserved (one merged range), NOBITS not */
	KT_EXPECT_EQ(usable_unreserved_in(0x800000, 0x803000), 0);
	KT_EXPECT_EQ(usable_unreserved_in(0x900000, 0x901000), 0x1000);

	/* headers that do not fit the tag: ignored */
	b = blob_begin();
	hdr[0] = 6;
	__builtin_memcpy(tag, hdr, 12);
	blob_mmap(b, 24, ram_map, 2);
	blob_tag(b, MB2_TAG_ELF_SECTIONS, tag, sizeof(tag));
	blob_tag(b, MB2_TAG_ELF_SECTIONS, tag, 8); /* shorter than 20 */
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.elf.num, 0);
	KT_EXPECT(tlog_has("6 headers of 64 bytes do not fit"));
	KT_EXPECT(tlog_has("ELF sections tag at"));
}

KTEST(mb2, more_modules_than_we_keep)
{
	struct mb2_blob *b = blob_begin();

	blob_mmap(b, 24, ram_map, 2);
	for (uint32_t i = 0; i < BOOT_MAX_MODULES + 3; i++)
		blob_module(b, 0x1000000 + i * 0x10000,
			    0x1000000 + i * 0x10000 + 0x800, "m");
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT_EQ(test_bi.modules_len, BOOT_MAX_MODULES);
	KT_EXPECT(tlog_has("more than 32 modules"));
	/* every kept module is reserved */
	for (size_t i = 0; i < test_bi.modules_len; i++)
		KT_EXPECT_EQ(usable_unreserved_in(test_bi.modules[i].start,
						  test_bi.modules[i].end), 0);
}

/* More loaded ELF sections than reservation slots: the boot goes on, but
 * the kernel is told not to trust their contents. */
KTEST(mb2, elf_sections_overflowing_the_reservations)
{
	enum { NSEC = BOOT_MAX_RANGES + 8 };
	static uint8_t tag[12 + NSEC * 64];
	uint32_t hdr[3] = { NSEC, 64, 0 };
	struct mb2_blob *b = blob_begin();

	__builtin_memcpy(tag, hdr, 12);
	for (int i = 0; i < NSEC; i++) /* one frame each, never touching */
		shdr(tag + 12 + i * 64, 1, 0, 0x1000000 + i * 0x2000, 0x10);
	blob_mmap(b, 24, ram_map, 2);
	blob_tag(b, MB2_TAG_ELF_SECTIONS, tag, sizeof(tag));
	blob_end(b);
	KT_ASSERT(blob_parse(b));
	KT_EXPECT(!test_bi.elf.loaded_reserved);
	KT_EXPECT_EQ(test_bi.reserved_len, BOOT_MAX_RANGES);
	KT_EXPECT(tlog_has("reservation table full"));
	KT_EXPECT(tlog_has("do not use .symtab/.strtab"));
	KT_EXPECT(boot_info_check(&test_bi, NULL));
}
