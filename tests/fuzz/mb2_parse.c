/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input bytes are a multiboot2 information block.
 * boot_info_parse_len() must never read outside them (ASan), never hit
 * undefined behaviour (UBSan), and on success return a result that keeps
 * every promise of bootinfo.h; a broken promise traps.
 *
 *   make BUILD=build build/fuzz/mb2_parse
 *   build/fuzz/mb2_parse -max_total_time=120 tests/fuzz/mb2_parse.corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootinfo.h"
#include "mb2.h"

/* Where the block "is": the header's reserved word (which the parser
 * ignores) picks an 8-aligned address below 32 GiB, so the fuzzer also moves
 * the block around the map. */
static uint64_t mbi_phys;

static void log_nothing(const char *fmt, ...)
{
	(void)fmt;
}

static const struct boot_image img = {
	.kernel_start = 0x100000,
	.kernel_end = 0x2f0123,
	.page_tables_start = 0x300000,
	.page_tables_end = 0x306000,
};

static struct boot_info bi;

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			__builtin_trap();                                       \
	} while (0)

static bool inside(const void *p, const uint8_t *buf, size_t size)
{
	return (const uint8_t *)p >= buf && (const uint8_t *)p < buf + size;
}

/* A string the parser handed out lies in the block and ends inside it (or
 * is a literal of ours, "" ). */
static void check_string(const char *s, const uint8_t *buf, size_t size)
{
	CHECK(s != NULL);
	if (!inside(s, buf, size)) {
		CHECK(*s == '\0');
		return;
	}
	CHECK(memchr(s, 0, (size_t)(buf + size - (const uint8_t *)s)) != NULL);
}

/* The most restrictive firmware type at p, the slow way (-1: a hole). */
static int firmware_rank_at(uint64_t p)
{
	int best = -1;

	for (size_t i = 0; i < bi.firmware_map_len; i++) {
		const struct mm_range *r = &bi.firmware_map[i];
		uint64_t end;

		if (__builtin_add_overflow(r->start, r->length, &end))
			end = UINT64_MAX;
		if (r->start <= p && p < end &&
		    memmap_type_rank(r->type) > best)
			best = memmap_type_rank(r->type);
	}
	return best;
}

static void check_result(const uint8_t *buf, size_t size)
{
	const char *why;
	uint64_t prev_end = 0;

	CHECK(boot_info_check(&bi, &why));
	CHECK(bi.error == NULL);
	CHECK(bi.usable_bytes > 0);
	/* sorted, non-overlapping, usable frames page-aligned: checked again
	 * here independently of memmap_check() */
	for (size_t i = 0; i < bi.memory_map_len; i++) {
		const struct mm_range *r = &bi.memory_map[i];

		CHECK(r->length > 0);
		CHECK(i == 0 || r->start >= prev_end);
		CHECK(r->start + r->length > r->start);
		if (r->type == MM_RANGE_USABLE) {
			uint64_t last = r->start + r->length - 1;

			CHECK(((r->start | r->length) & 0xfff) == 0);
			/* RAM only where the firmware said RAM and nothing
			 * more restrictive, and below mem= */
			CHECK(firmware_rank_at(r->start) ==
			      memmap_type_rank(MM_RANGE_USABLE));
			CHECK(firmware_rank_at(last) ==
			      memmap_type_rank(MM_RANGE_USABLE));
			CHECK(!bi.mem_limit || last < bi.mem_limit);
		}
		prev_end = r->start + r->length;
	}
	/* the low 1 MiB is never usable-and-unreserved */
	for (uint64_t p = 0; p < (1u << 20); p += 0x1000)
		CHECK(memmap_covered_bytes(p, p + 0x1000, bi.reserved,
					   bi.reserved_len) == 0x1000);
	check_string(bi.cmdline, buf, size);
	check_string(bi.loader_name, buf, size);
	for (size_t i = 0; i < bi.modules_len; i++) {
		check_string(bi.modules[i].string, buf, size);
		CHECK(bi.modules[i].start <= bi.modules[i].end);
	}
	if (bi.rsdp_revision >= 0) {
		CHECK(inside(bi.rsdp, buf, size));
		CHECK(bi.rsdp_phys == mbi_phys +
					      ((const uint8_t *)bi.rsdp - buf));
	}
	if (bi.elf.num)
		CHECK((const uint8_t *)bi.elf.headers +
			      (size_t)bi.elf.num * bi.elf.entsize <=
		      buf + size);
	CHECK(bi.firmware_map_len <= BOOT_MAX_RANGES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: 16-byte aligned, and ASan flags a read one
	 * byte past it. */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	mbi_phys = 0x400000;
	if (size >= 8) {
		uint32_t where;

		memcpy(&where, data + 4, 4);
		if (where)
			mbi_phys = (uint64_t)where << 3;
	}
	if (boot_info_parse_len(MB2_BOOTLOADER_MAGIC, buf, size, mbi_phys,
				&img, &bi, log_nothing)) {
		check_result(buf, size);
		/* the report must cope with anything the parser accepted */
		boot_info_report(&bi, log_nothing);
	} else {
		CHECK(bi.error != NULL);
	}
	free(buf);
	return 0;
}
