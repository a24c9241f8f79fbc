/* SPDX-License-Identifier: MIT */
/*
 * Test helper: builds synthetic multiboot2 information blocks tag by tag,
 * parses them, and captures the log so a test can check what was said.
 *
 *   struct mb2_blob *b = blob_begin();
 *   blob_cmdline(b, "mem=64M");
 *   blob_mmap(b, 24, map, 3);
 *   blob_end(b);
 *   KT_ASSERT(blob_parse(b));            // result in test_bi, log in tlog
 *
 * Everything lives in static storage (struct boot_info is ~10 KiB): tests
 * run one at a time, and the kernel stack is small.
 */
#ifndef TESTS_BOOT_MB2_BLOB_H
#define TESTS_BOOT_MB2_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

#define BLOB_CAP 16384
#define BLOB_PHYS 0x400000ull /* where the "boot loader" put the block */

struct mb2_blob {
	uint8_t *buf;
	size_t len; /* bytes written so far */
};

extern struct boot_info test_bi;
extern const struct boot_image test_img; /* kernel [1M, 3M), tables after */

struct mb2_blob *blob_begin(void);
/* A tag of 8 + len bytes; the next one starts 8-aligned. */
void blob_tag(struct mb2_blob *b, uint32_t type, const void *payload,
	      size_t len);
/* The same with a size field that may lie about the payload. */
void blob_tag_size(struct mb2_blob *b, uint32_t type, uint32_t size_field,
		   const void *payload, size_t len);
void blob_cmdline(struct mb2_blob *b, const char *s);
void blob_meminfo(struct mb2_blob *b, uint32_t lower_kib, uint32_t upper_kib);
void blob_module(struct mb2_blob *b, uint32_t start, uint32_t end,
		 const char *s);
/* An mmap tag; each entry padded to entry_size (>= 24 for real entries;
 * smaller sizes write truncated entries). */
void blob_mmap(struct mb2_blob *b, uint32_t entry_size,
	       const struct mm_range *map, size_t n);
/* A valid RSDP copy (old tag 14 or new tag 15). */
void blob_rsdp(struct mb2_blob *b, bool v2);
/* End tag, then total_size = everything written. */
void blob_end(struct mb2_blob *b);
void blob_set_total(struct mb2_blob *b, uint32_t total);

/* A typical GRUB-on-QEMU map (-m 128M) with 3 entries plus the PCI hole. */
void blob_default_map(struct mb2_blob *b);

/* boot_info_parse_len() over exactly b->len bytes, into test_bi, log to
 * tlog (cleared first). */
bool blob_parse(const struct mb2_blob *b);

/* ---- captured log ---- */
void tlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tlog_reset(void);
bool tlog_has(const char *needle);
const char *tlog_text(void);

/* bytes of usable RAM in test_bi.memory_map that are not reserved */
uint64_t usable_unreserved_in(uint64_t start, uint64_t end);

#endif
