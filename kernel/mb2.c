/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 information parser (layout in mb2.h). It trusts nothing: every
 * tag is bounds-checked against total_size before a byte of it is read, and
 * every string must end inside its tag.
 */
#include "mb2.h"

#include <stddef.h>

static void log_nothing(const char *fmt, ...)
{
	(void)fmt;
}

/* ---- byte-copy loads: no alignment assumptions ---- */

static uint8_t rd8(const uint8_t *p, size_t off)
{
	return p[off];
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	uint64_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Where the tag after one at @off of @size bytes starts. */
static uint64_t next_tag_offset(uint64_t off, uint32_t size)
{
	return (off + size + 7) & ~7ull;
}

/* The string at tag[off..size) if it is NUL-terminated inside, else NULL. */
static const char *tag_string(const uint8_t *tag, uint32_t off, uint32_t size)
{
	for (uint32_t i = off; i < size; i++)
		if (tag[i] == '\0')
			return (const char *)tag + off;
	return NULL;
}

static bool fail(struct boot_info *out, const char *why)
{
	out->error = why;
	return false;
}

/* ---- one function per tag type ---- */

static void parse_string_tag(const uint8_t *tag, uint32_t size, uint64_t off,
			     const char **dst, const char *what,
			     boot_log_fn log)
{
	const char *s = tag_string(tag, sizeof(struct mb2_tag), size);

	if (!s) {
		log("mb2_parse: %s tag at +%llu is not NUL-terminated; "
		    "ignored\n", what, (unsigned long long)off);
		return;
	}
	if (**dst) {
		log("mb2_parse: second %s tag at +%llu; ignored\n", what,
		    (unsigned long long)off);
		return;
	}
	*dst = s;
}

static void parse_module(const uint8_t *tag, uint32_t size, uint64_t off,
			 struct boot_info *out, boot_log_fn log)
{
	struct boot_module *m;

	if (size < sizeof(struct mb2_tag_module)) {
		log("mb2_parse: module tag at +%llu has size %u < 16; "
		    "ignored\n", (unsigned long long)off, size);
		return;
	}
	uint32_t start = rd32(tag, offsetof(struct mb2_tag_module, mod_start));
	uint32_t end = rd32(tag, offsetof(struct mb2_tag_module, mod_end));
	if (end < start) {
		log("mb2_parse: module at +%llu ends (0x%x) before it starts "
		    "(0x%x); ignored\n", (unsigned long long)off, end, start);
		return;
	}
	if (out->modules_len == BOOT_MAX_MODULES) {
		log("mb2_parse: more than %d modules; module [0x%x, 0x%x) "
		    "ignored\n", BOOT_MAX_MODULES, start, end);
		return;
	}
	m = &out->modules[out->modules_len++];
	m->start = start;
	m->end = end;
	m->string = tag_string(tag, sizeof(struct mb2_tag_module), size);
	if (!m->string) {
		log("mb2_parse: module [0x%x, 0x%x): string not "
		    "NUL-terminated; using \"\"\n", start, end);
		m->string = "";
	}
}

static void parse_meminfo(const uint8_t *tag, uint32_t size, uint64_t off,
			  struct boot_info *out, boot_log_fn log)
{
	if (size < sizeof(struct mb2_tag_meminfo)) {
		log("mb2_parse: basic meminfo tag at +%llu has size %u < 16; "
		    "ignored\n", (unsigned long long)off, size);
		return;
	}
	out->has_meminfo = true;
	out->mem_lower_kib =
		rd32(tag, offsetof(struct mb2_tag_meminfo, mem_lower));
	out->mem_upper_kib =
		rd32(tag, offsetof(struct mb2_tag_meminfo, mem_upper));
}

static void parse_mmap(const uint8_t *tag, uint32_t size, uint64_t off,
		       struct boot_info *out, boot_log_fn log)
{
	const size_t hdr = sizeof(struct mb2_tag_mmap);

	if (out->map_source == BOOT_MAP_MMAP) {
		log("mb2_parse: second mmap tag at +%llu; ignored\n",
		    (unsigned long long)off);
		return;
	}
	if (size < hdr) {
		log("mb2_parse: mmap tag at +%llu has size %u < 16; ignored\n",
		    (unsigned long long)off, size);
		return;
	}
	uint32_t es = rd32(tag, offsetof(struct mb2_tag_mmap, entry_size));
	if (es < sizeof(struct mb2_mmap_entry) || es % 8) {
		log("mb2_parse: mmap tag entry_size %u is not a multiple of 8 "
		    ">= 24; ignoring the tag\n", es);
		return;
	}
	uint32_t count = (size - hdr) / es;
	uint32_t extra = (size - hdr) % es;
	if (extra)
		log("mb2_parse: mmap tag ends in %u bytes of a partial entry; "
		    "ignored\n", extra);
	if (count == 0) {
		log("mb2_parse: mmap tag has no entries; ignored\n");
		return;
	}
	if (count > BOOT_MAX_RANGES) {
		log("mb2_parse: mmap tag has %u entries; only the first %d "
		    "kept\n", count, BOOT_MAX_RANGES);
		out->firmware_map_truncated = true;
		count = BOOT_MAX_RANGES;
	}
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = tag + hdr + (size_t)i * es;
		struct mm_range *r = &out->firmware_map[i];

		r->start = rd64(e, offsetof(struct mb2_mmap_entry, base));
		r->length = rd64(e, offsetof(struct mb2_mmap_entry, length));
		r->type = rd32(e, offsetof(struct mb2_mmap_entry, type));
	}
	out->firmware_map_len = count;
	out->map_source = BOOT_MAP_MMAP;
}

static void parse_elf(const uint8_t *tag, uint32_t size, uint64_t off,
		      struct boot_info *out, boot_log_fn log)
{
	const size_t hdr = sizeof(struct mb2_tag_elf_sections);

	if (size < hdr) {
		log("mb2_parse: ELF sections tag at +%llu has size %u < 20; "
		    "ignored\n", (unsigned long long)off, size);
		return;
	}
	uint32_t num = rd32(tag, offsetof(struct mb2_tag_elf_sections, num));
	uint32_t entsize =
		rd32(tag, offsetof(struct mb2_tag_elf_sections, entsize));
	uint32_t shndx =
		rd32(tag, offsetof(struct mb2_tag_elf_sections, shndx));
	if ((uint64_t)num * entsize > size - hdr) {
		log("mb2_parse: ELF sections tag: %u headers of %u bytes do "
		    "not fit in %u bytes; ignored\n", num, entsize,
		    (unsigned)(size - hdr));
		return;
	}
	out->elf.num = num;
	out->elf.entsize = entsize;
	out->elf.shndx = shndx;
	out->elf.headers = tag + hdr;
}

static bool rsdp_checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

static void parse_rsdp(const uint8_t *tag, uint32_t size, uint32_t type,
		       uint64_t off, struct boot_info *out, boot_log_fn log)
{
	bool v2 = type == MB2_TAG_ACPI_NEW;
	size_t need = v2 ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;
	const uint8_t *rsdp = tag + sizeof(struct mb2_tag);
	static const char sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

	if (size < sizeof(struct mb2_tag) + need) {
		log("mb2_parse: %s RSDP tag at +%llu has size %u < %u; "
		    "ignored\n", v2 ? "new" : "old", (unsigned long long)off,
		    size, (unsigned)(sizeof(struct mb2_tag) + need));
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (rsdp[i] != (uint8_t)sig[i]) {
			log("mb2_parse: RSDP at +%llu lacks the \"RSD PTR \" "
			    "signature; ignored\n", (unsigned long long)off);
			return;
		}
	}
	if (!rsdp_checksum_ok(rsdp, MB2_RSDP_V1_SIZE) ||
	    (v2 && !rsdp_checksum_ok(rsdp, MB2_RSDP_V2_SIZE))) {
		log("mb2_parse: RSDP at +%llu has a bad checksum; ignored\n",
		    (unsigned long long)off);
		return;
	}
	if (!v2 && out->rsdp_revision >= 2)
		return; /* keep the new one */
	out->rsdp = rsdp;
	out->rsdp_phys = out->mbi_phys + off + sizeof(struct mb2_tag);
	/* The old tag holds only the 20-byte v1 part: use the RSDT. */
	out->rsdp_revision = v2 ? rd8(rsdp, 15) : 0;
}

static void parse_tag(const uint8_t *tag, uint32_t type, uint32_t size,
		      uint64_t off, struct boot_info *out, boot_log_fn log)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		parse_string_tag(tag, size, off, &out->cmdline, "cmdline", log);
		break;
	case MB2_TAG_LOADER_NAME:
		parse_string_tag(tag, size, off, &out->loader_name,
				 "boot loader name", log);
		break;
	case MB2_TAG_MODULE:
		parse_module(tag, size, off, out, log);
		break;
	case MB2_TAG_BASIC_MEMINFO:
		parse_meminfo(tag, size, off, out, log);
		break;
	case MB2_TAG_MMAP:
		parse_mmap(tag, size, off, out, log);
		break;
	case MB2_TAG_ELF_SECTIONS:
		parse_elf(tag, size, off, out, log);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(tag, size, type, off, out, log);
		break;
	default:
		break; /* framebuffer, APM, boot device, ...: not ours */
	}
}

/* No mmap tag: RAM is [0, mem_lower KiB) and [1 MiB, 1 MiB + mem_upper KiB). */
static void meminfo_fallback(struct boot_info *out, boot_log_fn log)
{
	log("mb2_parse: no usable mmap tag; using basic meminfo (lower %u "
	    "KiB, upper %u KiB)\n", out->mem_lower_kib, out->mem_upper_kib);
	out->firmware_map[0].start = 0;
	out->firmware_map[0].length = (uint64_t)out->mem_lower_kib * 1024;
	out->firmware_map[0].type = MM_RANGE_USABLE;
	out->firmware_map[1].start = 1ull << 20;
	out->firmware_map[1].length = (uint64_t)out->mem_upper_kib * 1024;
	out->firmware_map[1].type = MM_RANGE_USABLE;
	out->firmware_map_len = 2;
	out->map_source = BOOT_MAP_MEMINFO;
}

bool mb2_parse(uint32_t magic, const void *mbi, size_t max_len,
	       uint64_t mbi_phys, struct boot_info *out, boot_log_fn log)
{
	const uint8_t *base = mbi;
	uint64_t off, total;
	bool ended = false;

	if (!log)
		log = log_nothing;
	out->cmdline = "";
	out->loader_name = "";
	out->rsdp_revision = -1;
	out->mbi_phys = mbi_phys;

	if (magic != MB2_BOOTLOADER_MAGIC) {
		log("mb2_parse: bad magic (0x%x, want 0x%x)\n", magic,
		    MB2_BOOTLOADER_MAGIC);
		return fail(out, "bad multiboot2 magic");
	}
	if (!mbi || (((uintptr_t)mbi | mbi_phys) & 7)) {
		log("mb2_parse: information block at %p (phys 0x%llx) is not "
		    "8-byte aligned\n", mbi, (unsigned long long)mbi_phys);
		return fail(out, "multiboot2 information misaligned");
	}
	if (max_len < sizeof(struct mb2_header)) {
		log("mb2_parse: only %zu bytes of information block\n",
		    max_len);
		return fail(out, "multiboot2 total_size too small");
	}
	total = rd32(base, offsetof(struct mb2_header, total_size));
	if (total < sizeof(struct mb2_header)) {
		log("mb2_parse: total_size %llu < 8\n",
		    (unsigned long long)total);
		return fail(out, "multiboot2 total_size too small");
	}
	if (total > max_len) {
		log("mb2_parse: total_size %llu > %zu, the most we read\n",
		    (unsigned long long)total, max_len);
		return fail(out, "multiboot2 total_size too large");
	}
	out->mbi_size = (uint32_t)total;

	for (off = sizeof(struct mb2_header);
	     off + sizeof(struct mb2_tag) <= total;) {
		const uint8_t *tag = base + off;
		uint32_t type = rd32(tag, offsetof(struct mb2_tag, type));
		uint32_t size = rd32(tag, offsetof(struct mb2_tag, size));

		if (size < sizeof(struct mb2_tag)) {
			log("mb2_parse: tag type %u at +%llu has size %u < 8; "
			    "ignoring it and the rest\n", type,
			    (unsigned long long)off, size);
			break;
		}
		if (size > total - off) {
			log("mb2_parse: tag type %u at +%llu (size %u) runs "
			    "past total_size %llu; ignoring it and the rest\n",
			    type, (unsigned long long)off, size,
			    (unsigned long long)total);
			break;
		}
		if (type == MB2_TAG_END) {
			ended = true;
			break;
		}
		parse_tag(tag, type, size, off, out, log);
		off = next_tag_offset(off, size);
	}
	if (!ended)
		log("mb2_parse: no end tag; using the tags before +%llu\n",
		    (unsigned long long)off);

	if (out->map_source != BOOT_MAP_MMAP) {
		if (!out->has_meminfo) {
			log("mb2_parse: neither an mmap nor a basic meminfo "
			    "tag\n");
			return fail(out, "no memory map from the boot loader");
		}
		meminfo_fallback(out, log);
	}
	return true;
}

bool mb2_elf_loaded_section(const struct boot_elf_sections *elf, uint32_t i,
			    uint64_t *start, uint64_t *end)
{
	const uint8_t *sh;
	uint64_t addr, size;
	uint32_t type;

	if (!elf->headers || i >= elf->num ||
	    elf->entsize < MB2_ELF64_SHDR_SIZE)
		return false;
	sh = (const uint8_t *)elf->headers + (size_t)i * elf->entsize;
	type = rd32(sh, MB2_SHDR_TYPE);
	addr = rd64(sh, MB2_SHDR_ADDR);
	size = rd64(sh, MB2_SHDR_SIZE);
	if ((rd64(sh, MB2_SHDR_FLAGS) & MB2_SHF_ALLOC) ||
	    type == MB2_SHT_NULL || type == MB2_SHT_NOBITS || !addr || !size)
		return false;
	*start = addr;
	if (__builtin_add_overflow(addr, size, end))
		*end = UINT64_MAX;
	return true;
}
