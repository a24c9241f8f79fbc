/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot information: layout and parser. Facts from the Multiboot2
 * specification (1.6/2.0) and GRUB's multiboot2.h (where the two differ, as
 * in the ELF sections tag, GRUB's layout wins: it is what boots us).
 *
 * The information block (8-byte aligned, little-endian):
 *
 *   +0  u32 total_size   bytes, including this header and the end tag
 *   +4  u32 reserved
 *   +8  tag, tag, ...    each starts 8-byte aligned: next = align8(tag + size)
 *       end tag          type 0, size 8
 *
 *   every tag:   +0 u32 type  +4 u32 size (header included, >= 8)
 *   1  cmdline   +8 char[] NUL-terminated
 *   2  loader    +8 char[] NUL-terminated
 *   3  module    +8 u32 mod_start  +12 u32 mod_end  +16 char[] string
 *   4  meminfo   +8 u32 mem_lower (KiB at 0)  +12 u32 mem_upper (KiB at 1 MiB)
 *   6  mmap      +8 u32 entry_size  +12 u32 entry_version  +16 entries:
 *                  +0 u64 base  +8 u64 length  +16 u32 type  +20 u32 reserved
 *   9  ELF       +8 u32 num  +12 u32 entsize  +16 u32 shndx  +20 headers
 *   14 ACPI old  +8 RSDP v1 copy (20 bytes)
 *   15 ACPI new  +8 RSDP v2 copy (36 bytes)
 *
 * Every field is read with a byte copy, so no access is ever misaligned, and
 * only inside [mbi, mbi + total_size).
 */
#ifndef KERNEL_MB2_H
#define KERNEL_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_MAX_TOTAL_SIZE (1u << 20) /* a sane block is a few KiB */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_header {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_tag_module {
	uint32_t type, size;
	uint32_t mod_start, mod_end;
	/* char string[] */
};

struct mb2_tag_meminfo {
	uint32_t type, size;
	uint32_t mem_lower, mem_upper;
};

struct mb2_tag_mmap {
	uint32_t type, size;
	uint32_t entry_size, entry_version;
	/* entries */
};

struct mb2_mmap_entry {
	uint64_t base, length;
	uint32_t type, reserved;
};

struct mb2_tag_elf_sections {
	uint32_t type, size;
	uint32_t num, entsize, shndx;
	/* section headers */
};

_Static_assert(sizeof(struct mb2_header) == 8, "mb2 header");
_Static_assert(sizeof(struct mb2_tag) == 8, "mb2 tag header");
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2 module tag");
_Static_assert(sizeof(struct mb2_tag_meminfo) == 16, "mb2 meminfo tag");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2 mmap tag");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry");
_Static_assert(sizeof(struct mb2_tag_elf_sections) == 20, "mb2 ELF tag");

/* The ELF64 section header fields mb2_elf_loaded_section() reads. */
#define MB2_ELF64_SHDR_SIZE 64
#define MB2_SHDR_TYPE 4   /* u32 sh_type */
#define MB2_SHDR_FLAGS 8  /* u64 sh_flags */
#define MB2_SHDR_ADDR 16  /* u64 sh_addr */
#define MB2_SHDR_SIZE 32  /* u64 sh_size */
#define MB2_SHT_NULL 0
#define MB2_SHT_NOBITS 8
#define MB2_SHF_ALLOC 0x2

#define MB2_RSDP_V1_SIZE 20
#define MB2_RSDP_V2_SIZE 36

/*
 * mb2_parse - the multiboot2 part of boot_info_parse().
 * Fills mbi_phys, mbi_size, cmdline, loader_name, firmware_map (from the
 * mmap tag, else from basic meminfo), mem_lower/upper, modules, rsdp_* and
 * elf (its headers only; reservations come later) in @out, which the caller
 * has zeroed. Reads at most @max_len bytes at @mbi.
 * Returns false with out->error set (and logged) when the block cannot be
 * used: bad magic, misaligned, total_size < 8 or > max_len, or no memory
 * description at all. Malformed tags are logged and skipped; the walk stops
 * at a tag that is shorter than its header or runs past total_size.
 */
bool mb2_parse(uint32_t magic, const void *mbi, size_t max_len,
	       uint64_t mbi_phys, struct boot_info *out, boot_log_fn log);

/*
 * mb2_elf_loaded_section - whether ELF64 section header @i (of a tag that
 * mb2_parse() accepted) describes a section that GRUB loaded into memory on
 * its own: no SHF_ALLOC, has contents, sh_addr and sh_size non-zero (GRUB
 * sets sh_addr to where it put the bytes). If so, sets [*start, *end)
 * (physical, clamped at 2^64 - 1). False for ELF32 headers (entsize < 64).
 */
bool mb2_elf_loaded_section(const struct boot_elf_sections *elf, uint32_t i,
			    uint64_t *start, uint64_t *end);

#endif
