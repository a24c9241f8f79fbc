/* SPDX-License-Identifier: MIT */
/*
 * Boot information: everything the kernel learns from the boot loader, in
 * one struct, from one call. boot_info_parse() validates the multiboot2
 * information (mb2.c), sanitizes the memory map (memmap.c), applies the
 * command line's mem= and memmap= (cmdline.c) and lists the reservations;
 * the kernel then hands memory_map and reserved to mm_init().
 *
 *   firmware_map   the map exactly as the boot loader gave it (or built from
 *                  basic meminfo), for the report
 *   memory_map     sorted, non-overlapping, all types, usable RAM in whole
 *                  4 KiB frames; mem= and memmap= applied
 *   reserved       frames inside RAM that must never be handed out: the low
 *                  1 MiB, the kernel image, the boot page tables, the
 *                  multiboot2 information block, every module, and the
 *                  ELF sections GRUB loaded (page-rounded outward; may overlap)
 *
 * Pointers in the struct (cmdline, loader_name, module strings, rsdp,
 * elf.headers) point into the information block, which stays reserved.
 * Hardware-free: builds for the kernel and for the host tests and fuzzer.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

#include "memmap.h"

#define BOOT_MAX_RANGES 128 /* per map; more firmware entries are dropped, logged */
#define BOOT_MAX_MODULES 32 /* more modules are ignored, logged */

/* Where the kernel is, in physical addresses (end exclusive). */
struct boot_image {
	uint64_t kernel_start, kernel_end;
	uint64_t page_tables_start, page_tables_end;
};

struct boot_module {
	uint64_t start, end;  /* physical, end exclusive */
	const char *string;   /* never NULL; "" if none or malformed */
};

/* The kernel's ELF section headers (multiboot2 tag 9). */
struct boot_elf_sections {
	uint32_t num, entsize, shndx; /* 0 sections: no tag or a bad one */
	const void *headers;          /* num * entsize bytes, inside the mbi */
	/* Sections without SHF_ALLOC that GRUB loaded (.symtab, .strtab, ...)
	 * were all reserved, so their sh_addr contents may be used. */
	bool loaded_reserved;
};

enum boot_map_source {
	BOOT_MAP_NONE,
	BOOT_MAP_MMAP,    /* multiboot2 memory map tag */
	BOOT_MAP_MEMINFO, /* fallback: basic meminfo (lower/upper memory) */
};

struct boot_info {
	const char *error; /* why boot_info_parse() failed, else NULL */

	uint64_t mbi_phys;
	uint32_t mbi_size;       /* total_size */
	const char *cmdline;     /* never NULL after parsing; "" if none */
	const char *loader_name; /* never NULL after parsing; "" if none */

	struct mm_range firmware_map[BOOT_MAX_RANGES];
	size_t firmware_map_len;
	bool firmware_map_truncated;
	enum boot_map_source map_source;
	bool has_meminfo;
	uint32_t mem_lower_kib, mem_upper_kib;

	struct mm_range memory_map[BOOT_MAX_RANGES];
	size_t memory_map_len;
	bool memory_map_truncated;

	struct mm_range reserved[BOOT_MAX_RANGES];
	const char *reserved_what[BOOT_MAX_RANGES]; /* "kernel image", ... */
	size_t reserved_len;

	uint64_t rsdp_phys;  /* the RSDP copy inside the mbi; 0 if none */
	const void *rsdp;    /* the same copy, through the mbi pointer */
	int rsdp_revision;   /* 0 = ACPI 1.0 (RSDT), >= 2 (XSDT); -1 if none */

	struct boot_module modules[BOOT_MAX_MODULES];
	size_t modules_len;

	struct boot_elf_sections elf;

	uint64_t mem_limit;    /* from mem=, else 0 */
	uint64_t mem_removed;  /* bytes of RAM mem= took away */
	size_t memmap_applied; /* memmap= ranges applied */

	/* Totals over memory_map (never from the highest address in it). */
	uint64_t ram_bytes;      /* all USABLE ranges */
	uint64_t reserved_bytes; /* of those, covered by reservations */
	uint64_t usable_bytes;   /* ram_bytes - reserved_bytes: the allocator's */
	uint64_t usable_end;     /* end of the highest USABLE range: the direct
				  * map must cover [0, usable_end) */
};

/*
 * boot_info_parse - everything from the multiboot2 information block.
 * @magic:    EAX at entry; must be MB2_BOOTLOADER_MAGIC.
 * @mbi:      the information block, readable (through any mapping).
 * @mbi_phys: its physical address (for the reservation and rsdp_phys).
 * @img:      where the kernel and boot page tables are; NULL: none.
 * @out:      filled in (large: give it static storage, not a stack).
 * @log:      receives a line for each thing that was wrong and the fallback
 *            taken, in printk's format subset; NULL: silent.
 * Returns true on success. Returns false, with out->error naming the reason
 * (also logged), on a bad magic, a bad total_size, a misaligned block, no
 * memory description, or no usable memory left; the caller panics with it.
 * Every other problem is logged and worked around. Never crashes on any
 * input: the block is read only inside [mbi, mbi + total_size).
 */
bool boot_info_parse(uint32_t magic, const void *mbi, uint64_t mbi_phys,
		     const struct boot_image *img, struct boot_info *out,
		     boot_log_fn log);

/* The same, reading at most @max_len bytes at @mbi (a total_size above it is
 * rejected): for the fuzzer and tests, whose buffers are exactly that big.
 * boot_info_parse() uses MB2_MAX_TOTAL_SIZE. */
bool boot_info_parse_len(uint32_t magic, const void *mbi, size_t max_len,
			 uint64_t mbi_phys, const struct boot_image *img,
			 struct boot_info *out, boot_log_fn log);

/* Prints the firmware map and the sanitized map (type, start, end, size),
 * the reservations, the modules, ACPI and the totals. */
void boot_info_report(const struct boot_info *bi, boot_log_fn log);

/* Checks what boot_info_parse() promises about a successful result: both
 * maps sanitized, reservations covering the low 1 MiB, the info block and
 * every module, and the totals consistent. False sets *why. */
bool boot_info_check(const struct boot_info *bi, const char **why);

#endif
