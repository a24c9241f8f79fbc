/* SPDX-License-Identifier: MIT */
/*
 * boot_move_low_data() (kernel/bootmove.c) on a fake physical memory: an
 * information block and two loaded ELF sections where GRUB puts them, just
 * above 1 MiB, and a kernel at 18 MiB. Host only: the fake memory is 64 MiB.
 */
#define _GNU_SOURCE
#include <ktest.h>
#include <string.h>
#include <sys/mman.h>

#include "bootmove.h"
#include "mb2.h"
#include "../boot/mb2_blob.h"

#define MiB (1ull << 20)
#define ARENA_SIZE (64 * MiB)
#define MBI_AT 0x101000ull
#define SYMTAB_AT 0x102010ull /* not page aligned: the offset must stay */
#define SYMTAB_SIZE 100
#define STRTAB_AT 0x103000ull
#define STRTAB_SIZE 5000      /* two pages */

static const struct boot_image kernel_at_18m = {
	.kernel_start = 18 * MiB,
	.kernel_end = 20 * MiB + 0x123,
	.page_tables_start = 18 * MiB + 0x40000,
	.page_tables_end = 18 * MiB + 0x48000,
};
#define ABOVE_KERNEL (20 * MiB + 0x1000)

static uint8_t *arena;

static uint8_t *phys(uint64_t pa)
{
	if (!arena)
		arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return arena + pa;
}

static void put_shdr(uint8_t *sh, uint32_t type, uint64_t addr, uint64_t size)
{
	memset(sh, 0, MB2_ELF64_SHDR_SIZE);
	memcpy(sh + MB2_SHDR_TYPE, &type, 4);
	memcpy(sh + MB2_SHDR_ADDR, &addr, 8);
	memcpy(sh + MB2_SHDR_SIZE, &size, 8);
}

/* The block at @mbi_at (RAM [1 MiB, ram_end), a module at [mod, mod_end)
 * if mod_end) with the ELF tag for a null section, .symtab at @symtab and
 * .strtab at @strtab, their bytes patterned; parsed into test_bi. */
static void boot_with(uint64_t mbi_at, uint64_t symtab, uint64_t strtab,
		      uint64_t ram_end, uint32_t mod, uint32_t mod_end)
{
	const struct mm_range map[] = {
		{ 0, 0x9f000, MM_RANGE_USABLE },
		{ MiB, ram_end - MiB, MM_RANGE_USABLE },
	};
	uint8_t elf[12 + 3 * MB2_ELF64_SHDR_SIZE];
	uint32_t head[3] = { 3, MB2_ELF64_SHDR_SIZE, 0 };

	memcpy(elf, head, sizeof(head));
	put_shdr(elf + 12, MB2_SHT_NULL, 0, 0);
	put_shdr(elf + 12 + 64, 2 /* SHT_SYMTAB */, symtab, SYMTAB_SIZE);
	put_shdr(elf + 12 + 128, 3 /* SHT_STRTAB */, strtab, STRTAB_SIZE);
	struct mb2_blob *b = blob_begin();
	blob_mmap(b, 24, map, 2);
	if (mod_end)
		blob_module(b, mod, mod_end, "initrd");
	blob_tag(b, MB2_TAG_ELF_SECTIONS, elf, sizeof(elf));
	blob_end(b);
	memset(phys(0), 0, 32 * MiB);
	memcpy(phys(mbi_at), b->buf, b->len);
	for (int i = 0; i < SYMTAB_SIZE; i++)
		phys(symtab)[i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < STRTAB_SIZE; i++)
		phys(strtab)[i] = (uint8_t)(i * 13 + 5);
	tlog_reset();
	KT_ASSERT(boot_info_parse_len(MB2_BOOTLOADER_MAGIC, phys(mbi_at),
				      b->len, mbi_at, &kernel_at_18m, &test_bi,
				      tlog));
}

static bool reparse(uint64_t mbi_at)
{
	return boot_info_parse_len(MB2_BOOTLOADER_MAGIC, phys(mbi_at),
				   test_bi.mbi_size, mbi_at, &kernel_at_18m,
				   &test_bi, NULL);
}

/* Section @i's address now, and whether its bytes are the pattern. */
static uint64_t section_at(uint32_t i, bool *intact)
{
	uint64_t s = 0, e = 0;

	*intact = false;
	if (!mb2_elf_loaded_section(&test_bi.elf, i, &s, &e))
		return 0;
	*intact = true;
	for (uint64_t k = 0; k < e - s; k++)
		if (phys(s)[k] != (uint8_t)(k * (i == 1 ? 7 : 13) +
					    (i == 1 ? 1 : 5)))
			*intact = false;
	return s;
}

static uint64_t reserved_in_low_zone(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < test_bi.reserved_len; i++) {
		const struct mm_range *r = &test_bi.reserved[i];
		uint64_t s = r->start > BOOT_DMA_START ? r->start : BOOT_DMA_START;
		uint64_t e = r->start + r->length < BOOT_DMA_END
				     ? r->start + r->length : BOOT_DMA_END;
		if (s < e)
			n += e - s;
	}
	return n;
}

KTEST(bootmove_host, low_block_and_sections_move_above_the_kernel)
{
	bool intact;

	/* A module right above the kernel: the copies go past it. */
	boot_with(MBI_AT, SYMTAB_AT, STRTAB_AT, 32 * MiB, ABOVE_KERNEL,
		  ABOVE_KERNEL + 0x5000);
	KT_EXPECT(reserved_in_low_zone() > 0);
	uint64_t mbi = boot_move_low_data(&test_bi, &kernel_at_18m,
					  (uintptr_t)phys(0), ARENA_SIZE, tlog);

	KT_EXPECT(tlog_has("moved 3 piece(s)"));
	KT_EXPECT_EQ(mbi, ABOVE_KERNEL + 0x5000); /* lowest free, page kept */
	KT_ASSERT(reparse(mbi));
	KT_EXPECT_EQ(reserved_in_low_zone(), 0);
	KT_EXPECT(test_bi.elf.loaded_reserved);
	uint64_t sym = section_at(1, &intact);
	KT_EXPECT(intact);
	KT_EXPECT(sym > mbi);
	KT_EXPECT_EQ(sym % 4096, SYMTAB_AT % 4096);
	uint64_t str = section_at(2, &intact);
	KT_EXPECT(intact);
	KT_EXPECT(str > sym);
	KT_EXPECT_EQ(str % 4096, 0);
	KT_EXPECT(str + STRTAB_SIZE <= mbi + 5 * 4096);
	KT_EXPECT_EQ(test_bi.modules_len, 1); /* modules stay */
	KT_EXPECT_EQ(test_bi.modules[0].start, ABOVE_KERNEL);
}

KTEST(bootmove_host, nothing_low_nothing_moved)
{
	bool intact;

	boot_with(24 * MiB, 25 * MiB + 0x10, 26 * MiB, 32 * MiB, 0, 0);
	KT_EXPECT_EQ(boot_move_low_data(&test_bi, &kernel_at_18m,
					(uintptr_t)phys(0), ARENA_SIZE, tlog),
		     24 * MiB);
	KT_EXPECT_EQ(section_at(1, &intact), 25 * MiB + 0x10);
	KT_EXPECT(intact);
	KT_EXPECT(!tlog_has("moved"));
}

/* RAM ends two pages above the kernel: no room for four pages of data. It
 * all stays where it was, headers unchanged, and the log says why. */
KTEST(bootmove_host, no_room_leaves_everything_in_place)
{
	bool intact;

	boot_with(MBI_AT, SYMTAB_AT, STRTAB_AT, ABOVE_KERNEL + 0x2000, 0, 0);
	KT_EXPECT_EQ(boot_move_low_data(&test_bi, &kernel_at_18m,
					(uintptr_t)phys(0), ARENA_SIZE, tlog),
		     MBI_AT);
	KT_EXPECT(tlog_has("no room"));
	KT_EXPECT(tlog_has("it stays there"));
	KT_EXPECT_EQ(section_at(1, &intact), SYMTAB_AT);
	KT_EXPECT(intact);
	KT_EXPECT_EQ(section_at(2, &intact), STRTAB_AT);
	KT_EXPECT(intact);
	KT_EXPECT(reserved_in_low_zone() > 0);
	/* The limit counts too: all RAM, but only 16 KiB of it below it. */
	boot_with(MBI_AT, SYMTAB_AT, STRTAB_AT, 32 * MiB, 0, 0);
	KT_EXPECT_EQ(boot_move_low_data(&test_bi, &kernel_at_18m,
					(uintptr_t)phys(0), ABOVE_KERNEL + 0x3000,
					tlog),
		     MBI_AT);
}
