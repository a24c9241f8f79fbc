/* SPDX-License-Identifier: MIT */
#include "ksyms.h"

#include "directmap.h"
#include "kstring.h"
#include "layout.h"
#include "mb2.h"
#include "printk.h"

/* ELF64 layouts (only the fields read here). */
#define SHT_SYMTAB 2
#define SHDR_LINK 40    /* u32 sh_link: the string table's index */
#define SHDR_ENTSIZE 56 /* u64 sh_entsize */
#define SYM_SIZE 24
#define SYM_NAME 0   /* u32 st_name */
#define SYM_INFO 4   /* u8 st_info: type in the low 4 bits */
#define SYM_SHNDX 6  /* u16 st_shndx */
#define SYM_VALUE 8  /* u64 st_value */
#define STT_NOTYPE 0
#define STT_FUNC 2
#define SHN_UNDEF 0
#define SHN_ABS 0xfff1

static const uint8_t *symtab;
static uint64_t symtab_count;
static const char *strtab;
static uint64_t strtab_size;
static unsigned usable;

/* A little-endian field of n bytes (1, 2, 4 or 8) at p + off: the ELF
 * data is external and may be unaligned. */
static uint64_t field(const uint8_t *p, size_t off, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p + off, n);
	return v;
}
#define rd32(p, off) ((uint32_t)field(p, off, 4))
#define rd64(p, off) field(p, off, 8)

static const uint8_t *shdr(const struct boot_elf_sections *elf, uint32_t i)
{
	return (const uint8_t *)elf->headers + (size_t)i * elf->entsize;
}

/* A loaded section's bytes through the direct map, or NULL when it is not
 * loaded or not inside the mapped RAM. */
static const void *section_bytes(const struct boot_elf_sections *elf,
				 uint32_t i, uint64_t *size)
{
	uint64_t start, end;

	if (!mb2_elf_loaded_section(elf, i, &start, &end) ||
	    end > directmap_end() || end <= start)
		return NULL;
	*size = end - start;
	return (const void *)(uintptr_t)(DIRECT_MAP_BASE + start);
}

/* A symbol a trace may name: a function or label inside the kernel image. */
static bool symbol_usable(const uint8_t *s)
{
	uint8_t type = s[SYM_INFO] & 0xf;
	uint16_t shndx = (uint16_t)field(s, SYM_SHNDX, 2);
	return (type == STT_FUNC || type == STT_NOTYPE) &&
	       shndx != SHN_UNDEF && shndx != SHN_ABS &&
	       kernel_image_contains(rd64(s, SYM_VALUE)) &&
	       rd32(s, SYM_NAME) != 0 && rd32(s, SYM_NAME) < strtab_size;
}

bool ksyms_init(const struct boot_elf_sections *elf)
{
	symtab = NULL;
	usable = 0;
	if (!elf || !elf->headers || elf->num == 0 ||
	    elf->entsize < MB2_ELF64_SHDR_SIZE || !elf->loaded_reserved) {
		printk("ksyms: no usable ELF sections tag; traces show "
		       "addresses only\n");
		return false;
	}
	for (uint32_t i = 0; i < elf->num; i++) {
		const uint8_t *sh = shdr(elf, i);
		if (rd32(sh, 4) != SHT_SYMTAB)
			continue;
		uint64_t sym_bytes = 0, str_bytes = 0;
		uint32_t link = rd32(sh, SHDR_LINK);
		const void *syms = section_bytes(elf, i, &sym_bytes);
		const void *strs = link < elf->num
					   ? section_bytes(elf, link, &str_bytes)
					   : NULL;
		if (!syms || !strs || rd64(sh, SHDR_ENTSIZE) != SYM_SIZE ||
		    str_bytes == 0 ||
		    ((const char *)strs)[str_bytes - 1] != '\0') {
			printk("ksyms: .symtab (section %u) or its string table "
			       "(section %u) is not loaded or malformed; "
			       "traces show addresses only\n",
			       i, link);
			return false;
		}
		symtab = syms;
		symtab_count = sym_bytes / SYM_SIZE;
		strtab = strs;
		strtab_size = str_bytes;
		for (uint64_t k = 0; k < symtab_count; k++)
			if (symbol_usable(symtab + k * SYM_SIZE))
				usable++;
		return usable > 0;
	}
	printk("ksyms: the kernel has no .symtab; traces show addresses only\n");
	return false;
}

unsigned ksyms_count(void)
{
	return usable;
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	const uint8_t *best = NULL;
	uint64_t best_value = 0;

	if (!symtab || !kernel_image_contains(addr))
		return NULL;
	/* The closest symbol at or below addr. A few hundred symbols: a
	 * linear scan costs nothing next to printing the line. */
	for (uint64_t k = 0; k < symtab_count; k++) {
		const uint8_t *s = symtab + k * SYM_SIZE;
		uint64_t v = rd64(s, SYM_VALUE);
		if (v <= addr && (!best || v > best_value) && symbol_usable(s)) {
			best = s;
			best_value = v;
		}
	}
	if (!best)
		return NULL;
	*offset = addr - best_value;
	return strtab + rd32(best, SYM_NAME);
}
