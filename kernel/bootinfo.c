/* SPDX-License-Identifier: MIT */
/*
 * boot_info_parse(): multiboot2 -> sanitized map -> command line ->
 * reservations -> totals, and the boot report. See bootinfo.h.
 */
#include "bootinfo.h"

#include "cmdline.h"
#include "mb2.h"

#define LOW_MEMORY_END (1ull << 20) /* BIOS, IVT, EBDA, VGA, option ROMs */

static void log_nothing(const char *fmt, ...)
{
	(void)fmt;
}

static bool fail(struct boot_info *out, boot_log_fn log, const char *why)
{
	out->error = why;
	log("boot_info_parse: %s\n", why);
	return false;
}

/* ---- command line: mem= and memmap= ---- */

static void apply_mem(struct boot_info *out, boot_log_fn log)
{
	char buf[48];
	size_t len;
	uint64_t v;
	const char *end;

	if (!cmdline_find(out->cmdline, "mem", CMDLINE_LAST, buf, sizeof(buf),
			  &len))
		return;
	if (len >= sizeof(buf) || !cmdline_parse_size(buf, &v, &end) ||
	    *end) {
		log("boot_info_parse: mem=%s is not a size (like 512M); "
		    "ignored\n", buf);
		return;
	}
	if (v <= LOW_MEMORY_END) {
		log("boot_info_parse: mem=%s leaves no RAM above the reserved "
		    "low 1 MiB; ignored\n", buf);
		return;
	}
	out->mem_limit = v;
	out->mem_removed =
		memmap_limit_usable(out->memory_map, &out->memory_map_len, v);
	log("boot_info_parse: mem=%s: ignoring %llu KiB of RAM at or above "
	    "0x%llx\n", buf, (unsigned long long)(out->mem_removed >> 10),
	    (unsigned long long)memmap_page_down(v));
}

/* One SIZE$ADDR item of memmap=. */
static void apply_memmap_item(struct boot_info *out, const char *item,
			      boot_log_fn log)
{
	uint64_t size, addr;
	const char *p;

	if (!cmdline_parse_size(item, &size, &p) ||
	    (*p != '$' && *p != '@' && *p != '#' && *p != '!')) {
		log("boot_info_parse: memmap=%s is not SIZE$ADDR; ignored\n",
		    item);
		return;
	}
	if (*p != '$') {
		log("boot_info_parse: memmap=%s: only SIZE$ADDR (reserve) is "
		    "supported; ignored\n", item);
		return;
	}
	if (!cmdline_parse_size(p + 1, &addr, &p) || *p) {
		log("boot_info_parse: memmap=%s: bad address; ignored\n", item);
		return;
	}
	if (size == 0 || addr >= MEMMAP_PHYS_LIMIT ||
	    size > MEMMAP_PHYS_LIMIT - addr) {
		log("boot_info_parse: memmap=%s: empty or beyond the physical "
		    "address space; ignored\n", item);
		return;
	}
	if (!memmap_set_range(out->memory_map, &out->memory_map_len,
			      BOOT_MAX_RANGES, addr, addr + size,
			      MM_RANGE_RESERVED)) {
		log("boot_info_parse: memmap=%s: memory map full; ignored\n",
		    item);
		return;
	}
	out->memmap_applied++;
	log("boot_info_parse: memmap=%s: reserved [0x%llx, 0x%llx)\n", item,
	    (unsigned long long)addr, (unsigned long long)(addr + size));
}

/* Every memmap= word; each may hold several items separated by commas. */
static void apply_memmap(struct boot_info *out, boot_log_fn log)
{
	size_t words = cmdline_count(out->cmdline, "memmap");

	for (size_t w = 0; w < words; w++) {
		char buf[160];
		size_t len;
		char *item, *p;

		cmdline_find(out->cmdline, "memmap", w, buf, sizeof(buf), &len);
		if (len >= sizeof(buf)) {
			log("boot_info_parse: memmap=%s... is too long; "
			    "ignored\n", buf);
			continue;
		}
		for (item = p = buf;; p++) {
			bool last = *p == '\0';

			if (*p != ',' && !last)
				continue;
			*p = '\0';
			apply_memmap_item(out, item, log);
			if (last)
				break;
			item = p + 1;
		}
	}
}

/* ---- reservations ---- */

/* Reserves [start, end) rounded outward to frames; nothing if empty.
 * False (logged) when the table is full. */
static bool reserve(struct boot_info *out, uint64_t start, uint64_t end,
		    const char *what, boot_log_fn log)
{
	if (end > MEMMAP_PHYS_LIMIT)
		end = MEMMAP_PHYS_LIMIT;
	if (start >= end)
		return true;
	start = memmap_page_down(start);
	end = memmap_page_up(end);
	if (out->reserved_len == BOOT_MAX_RANGES) {
		log("boot_info_parse: reservation table full (%d); cannot "
		    "reserve %s [0x%llx, 0x%llx)\n", BOOT_MAX_RANGES, what,
		    (unsigned long long)start, (unsigned long long)end);
		return false;
	}
	out->reserved[out->reserved_len].start = start;
	out->reserved[out->reserved_len].length = end - start;
	out->reserved[out->reserved_len].type = MM_RANGE_RESERVED;
	out->reserved_what[out->reserved_len] = what;
	out->reserved_len++;
	return true;
}

/* The sections GRUB loaded outside the image (.symtab, .strtab, debug info);
 * touching ones share one reservation. */
static void reserve_elf_sections(struct boot_info *out, boot_log_fn log)
{
	static const char what[] = "ELF sections";
	bool all = out->elf.entsize >= MB2_ELF64_SHDR_SIZE;

	for (uint32_t i = 0; i < out->elf.num && all; i++) {
		uint64_t s, e;

		if (!mb2_elf_loaded_section(&out->elf, i, &s, &e))
			continue;
		if (e > MEMMAP_PHYS_LIMIT)
			e = MEMMAP_PHYS_LIMIT;
		if (s >= e)
			continue;
		s = memmap_page_down(s);
		e = memmap_page_up(e);
		if (out->reserved_len > 0 &&
		    out->reserved_what[out->reserved_len - 1] == what) {
			struct mm_range *last =
				&out->reserved[out->reserved_len - 1];

			if (s <= memmap_end(last) && e >= last->start) {
				uint64_t lo = s < last->start ? s : last->start;
				uint64_t hi = e > memmap_end(last) ?
						      e : memmap_end(last);

				last->start = lo;
				last->length = hi - lo;
				continue;
			}
		}
		all = reserve(out, s, e, what, log);
	}
	out->elf.loaded_reserved = all && out->elf.num > 0;
	if (!all && out->elf.num > 0)
		log("boot_info_parse: sections GRUB loaded are not all reserved;"
		    " do not use .symtab/.strtab\n");
}

static bool reserve_all(struct boot_info *out, const struct boot_image *img,
			boot_log_fn log)
{
	bool ok = reserve(out, 0, LOW_MEMORY_END, "low 1 MiB", log);

	if (img) {
		ok = ok && reserve(out, img->kernel_start, img->kernel_end,
				   "kernel image", log);
		ok = ok && reserve(out, img->page_tables_start,
				   img->page_tables_end, "boot page tables",
				   log);
	}
	ok = ok && reserve(out, out->mbi_phys, out->mbi_phys + out->mbi_size,
			   "multiboot2 info", log);
	for (size_t i = 0; ok && i < out->modules_len; i++)
		ok = reserve(out, out->modules[i].start, out->modules[i].end,
			     "module", log);
	if (ok)
		reserve_elf_sections(out, log);
	return ok;
}

/* ---- totals ---- */

static void compute_totals(struct boot_info *out)
{
	out->ram_bytes = 0;
	out->reserved_bytes = 0;
	out->usable_end = 0;
	for (size_t i = 0; i < out->memory_map_len; i++) {
		const struct mm_range *r = &out->memory_map[i];

		if (r->type != MM_RANGE_USABLE)
			continue;
		out->ram_bytes += r->length;
		out->reserved_bytes += memmap_covered_bytes(
			r->start, memmap_end(r), out->reserved,
			out->reserved_len);
		out->usable_end = memmap_end(r);
	}
	out->usable_bytes = out->ram_bytes - out->reserved_bytes;
}

bool boot_info_parse_len(uint32_t magic, const void *mbi, size_t max_len,
			 uint64_t mbi_phys, const struct boot_image *img,
			 struct boot_info *out, boot_log_fn log)
{
	const char *why;

	if (!log)
		log = log_nothing;
	__builtin_memset(out, 0, sizeof(*out));
	if (!mb2_parse(magic, mbi, max_len, mbi_phys, out, log))
		return fail(out, log, out->error);

	out->memory_map_len = memmap_sanitize(
		out->firmware_map, out->firmware_map_len, out->memory_map,
		BOOT_MAX_RANGES, &out->memory_map_truncated, log);
	apply_mem(out, log);
	apply_memmap(out, log);
	if (img && (img->kernel_end < img->kernel_start ||
		    img->page_tables_end < img->page_tables_start))
		return fail(out, log, "kernel image bounds inverted");
	if (!reserve_all(out, img, log))
		return fail(out, log, "too many reservations");
	compute_totals(out);
	if (out->usable_bytes == 0)
		return fail(out, log, "no usable memory");
	if (!boot_info_check(out, &why)) {
		log("boot_info_parse: result fails its own check: %s\n", why);
		return fail(out, log, "internal error");
	}
	return true;
}

bool boot_info_parse(uint32_t magic, const void *mbi, uint64_t mbi_phys,
		     const struct boot_image *img, struct boot_info *out,
		     boot_log_fn log)
{
	return boot_info_parse_len(magic, mbi, MB2_MAX_TOTAL_SIZE, mbi_phys,
				   img, out, log);
}

/* ---- checking our own result ---- */

static bool covered(const struct boot_info *bi, uint64_t start, uint64_t end)
{
	if (end > MEMMAP_PHYS_LIMIT)
		end = MEMMAP_PHYS_LIMIT;
	if (start >= end)
		return true;
	return memmap_covered_bytes(start, end, bi->reserved,
				    bi->reserved_len) == end - start;
}

bool boot_info_check(const struct boot_info *bi, const char **why)
{
	const char *bad = NULL;
	uint64_t ram = 0, res = 0, top = 0;

	if (bi->memory_map_len > BOOT_MAX_RANGES ||
	    bi->reserved_len > BOOT_MAX_RANGES ||
	    bi->firmware_map_len > BOOT_MAX_RANGES ||
	    bi->modules_len > BOOT_MAX_MODULES)
		bad = "a length is past its array";
	else if (!memmap_check(bi->memory_map, bi->memory_map_len, &bad))
		; /* bad set */
	else if (!bi->cmdline || !bi->loader_name)
		bad = "NULL string";
	for (size_t i = 0; !bad && i < bi->reserved_len; i++)
		if ((bi->reserved[i].start | bi->reserved[i].length) &
		    (MM_PAGE_SIZE - 1))
			bad = "reservation not frame-aligned";
	if (!bad && !covered(bi, 0, LOW_MEMORY_END))
		bad = "low 1 MiB not reserved";
	if (!bad && !covered(bi, bi->mbi_phys, bi->mbi_phys + bi->mbi_size))
		bad = "information block not reserved";
	for (size_t i = 0; !bad && i < bi->modules_len; i++)
		if (!bi->modules[i].string ||
		    !covered(bi, bi->modules[i].start, bi->modules[i].end))
			bad = "module not reserved";
	for (size_t i = 0; !bad && i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];

		if (r->type != MM_RANGE_USABLE)
			continue;
		ram += r->length;
		res += memmap_covered_bytes(r->start, memmap_end(r),
					    bi->reserved, bi->reserved_len);
		top = memmap_end(r);
	}
	if (!bad && (ram != bi->ram_bytes || res != bi->reserved_bytes ||
		     bi->usable_bytes != ram - res || top != bi->usable_end))
		bad = "totals inconsistent";
	if (!bad && bi->usable_bytes == 0)
		bad = "no usable memory";
	if (bad && why)
		*why = bad;
	return !bad;
}

/* ---- the report ---- */

/* "639 KiB", "255.8 MiB": binary units, one decimal when not whole. */
static const char *fmt_size(char buf[24], uint64_t bytes)
{
	static const char units[][4] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	char digits[24];
	int nd = 0, n = 0;

	while (u < 4 && bytes >> (10 * (u + 1)))
		u++;
	uint64_t whole = bytes >> (10 * u);
	uint64_t tenth = ((bytes & ((1ull << (10 * u)) - 1)) * 10) >> (10 * u);

	do
		digits[nd++] = (char)('0' + whole % 10);
	while ((whole /= 10) != 0);
	while (nd)
		buf[n++] = digits[--nd];
	if (tenth) {
		buf[n++] = '.';
		buf[n++] = (char)('0' + tenth);
	}
	buf[n++] = ' ';
	for (const char *p = units[u]; *p; p++)
		buf[n++] = *p;
	buf[n] = '\0';
	return buf;
}

static void report_range(const struct mm_range *r, const char *name,
			 boot_log_fn log)
{
	char sz[24];
	uint64_t end;

	if (__builtin_add_overflow(r->start, r->length, &end))
		end = UINT64_MAX;
	log("boot:   %-16s 0x%016llx - 0x%016llx  %s\n", name,
	    (unsigned long long)r->start, (unsigned long long)end,
	    fmt_size(sz, r->length));
}

void boot_info_report(const struct boot_info *bi, boot_log_fn log)
{
	static const char *const sources[] = { "none", "mmap tag",
					       "basic meminfo" };
	char a[24], b[24], c[24];

	log("boot: multiboot2 information at 0x%llx (%u bytes) from \"%s\"\n",
	    (unsigned long long)bi->mbi_phys, bi->mbi_size, bi->loader_name);
	log("boot: command line \"%s\"\n", bi->cmdline);

	log("boot: firmware memory map (%s, %zu entries%s):\n",
	    sources[bi->map_source <= BOOT_MAP_MEMINFO ? bi->map_source : 0],
	    bi->firmware_map_len,
	    bi->firmware_map_truncated ? ", truncated" : "");
	for (size_t i = 0; i < bi->firmware_map_len; i++) {
		const struct mm_range *r = &bi->firmware_map[i];
		const char *name = memmap_type_name(r->type);

		if (r->type < MM_RANGE_USABLE || r->type > MM_RANGE_BAD)
			name = "unknown type";
		report_range(r, name, log);
	}

	log("boot: sanitized memory map (%zu ranges%s):\n",
	    bi->memory_map_len, bi->memory_map_truncated ? ", truncated" : "");
	for (size_t i = 0; i < bi->memory_map_len; i++)
		report_range(&bi->memory_map[i],
			     memmap_type_name(bi->memory_map[i].type), log);

	log("boot: reservations (%zu):\n", bi->reserved_len);
	for (size_t i = 0; i < bi->reserved_len; i++)
		report_range(&bi->reserved[i], bi->reserved_what[i], log);

	for (size_t i = 0; i < bi->modules_len; i++)
		log("boot: module %zu: 0x%llx - 0x%llx \"%s\"\n", i,
		    (unsigned long long)bi->modules[i].start,
		    (unsigned long long)bi->modules[i].end,
		    bi->modules[i].string);
	if (bi->rsdp_revision >= 0)
		log("boot: ACPI RSDP revision %d, copy at 0x%llx\n",
		    bi->rsdp_revision, (unsigned long long)bi->rsdp_phys);
	else
		log("boot: no ACPI RSDP from the boot loader\n");
	if (bi->elf.num)
		log("boot: ELF: %u section headers of %u bytes; loaded "
		    "sections %s\n", bi->elf.num, bi->elf.entsize,
		    bi->elf.loaded_reserved ? "reserved" : "not reserved");
	if (bi->mem_limit)
		log("boot: mem=0x%llx removed %s of RAM\n",
		    (unsigned long long)bi->mem_limit,
		    fmt_size(a, bi->mem_removed));
	if (bi->memmap_applied)
		log("boot: memmap= reserved %zu range(s)\n",
		    bi->memmap_applied);
	log("boot: RAM %s, reserved in RAM %s, available %s (%llu frames); "
	    "highest usable address 0x%llx\n",
	    fmt_size(a, bi->ram_bytes), fmt_size(b, bi->reserved_bytes),
	    fmt_size(c, bi->usable_bytes),
	    (unsigned long long)(bi->usable_bytes >> MM_PAGE_SHIFT),
	    (unsigned long long)bi->usable_end);
}
