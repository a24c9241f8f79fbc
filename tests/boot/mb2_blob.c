/* SPDX-License-Identifier: MIT */
/* Synthetic multiboot2 blocks for the boot tests (see mb2_blob.h). */
#include "mb2_blob.h"

#include <ktest.h>
#include <stdarg.h>

#include "ktest_env.h"
#include "mb2.h"

struct boot_info test_bi;
const struct boot_image test_img = {
	.kernel_start = 0x100000,
	.kernel_end = 0x2f0123, /* unaligned on purpose */
	.page_tables_start = 0x300000,
	.page_tables_end = 0x306000,
};

static uint8_t blob_buf[BLOB_CAP] __attribute__((aligned(8)));
static struct mb2_blob blob;
static char log_buf[8192];
static size_t log_len;

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(struct mb2_blob *b, const void *p, size_t n)
{
	if (b->len + n > BLOB_CAP) {
		ktest_printf("# mb2_blob: BLOB_CAP exceeded\n");
		ktest_abort_test();
	}
	if (p)
		__builtin_memcpy(b->buf + b->len, p, n);
	else
		__builtin_memset(b->buf + b->len, 0, n);
	b->len += n;
}

static void put32(struct mb2_blob *b, uint32_t v)
{
	put(b, &v, 4);
}

static void pad8(struct mb2_blob *b)
{
	while (b->len & 7)
		put(b, NULL, 1);
}

struct mb2_blob *blob_begin(void)
{
	__builtin_memset(blob_buf, 0xa5, sizeof(blob_buf));
	blob.buf = blob_buf;
	blob.len = 0;
	put32(&blob, 0); /* total_size, set by blob_end */
	put32(&blob, 0);
	return &blob;
}

void blob_tag_size(struct mb2_blob *b, uint32_t type, uint32_t size_field,
		   const void *payload, size_t len)
{
	put32(b, type);
	put32(b, size_field);
	put(b, payload, len);
	pad8(b);
}

void blob_tag(struct mb2_blob *b, uint32_t type, const void *payload,
	      size_t len)
{
	blob_tag_size(b, type, (uint32_t)(8 + len), payload, len);
}

void blob_cmdline(struct mb2_blob *b, const char *s)
{
	blob_tag(b, MB2_TAG_CMDLINE, s, slen(s) + 1);
}

void blob_meminfo(struct mb2_blob *b, uint32_t lower_kib, uint32_t upper_kib)
{
	uint32_t p[2] = { lower_kib, upper_kib };

	blob_tag(b, MB2_TAG_BASIC_MEMINFO, p, sizeof(p));
}

void blob_module(struct mb2_blob *b, uint32_t start, uint32_t end,
		 const char *s)
{
	size_t n = slen(s) + 1;

	put32(b, MB2_TAG_MODULE);
	put32(b, (uint32_t)(16 + n));
	put32(b, start);
	put32(b, end);
	put(b, s, n);
	pad8(b);
}

void blob_mmap(struct mb2_blob *b, uint32_t entry_size,
	       const struct mm_range *map, size_t n)
{
	put32(b, MB2_TAG_MMAP);
	put32(b, (uint32_t)(16 + n * entry_size));
	put32(b, entry_size);
	put32(b, 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t e[64] = { 0 };

		__builtin_memcpy(e, &map[i].start, 8);
		__builtin_memcpy(e + 8, &map[i].length, 8);
		__builtin_memcpy(e + 16, &map[i].type, 4);
		put(b, e, entry_size <= sizeof(e) ? entry_size : sizeof(e));
	}
	pad8(b);
}

void blob_rsdp(struct mb2_blob *b, bool v2)
{
	uint8_t r[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	uint8_t sum = 0;

	r[9] = 'T';	      /* OEM id */
	r[15] = v2 ? 2 : 0;   /* revision */
	r[16] = 0x40;	      /* RSDT address 0x7fe0040 */
	r[17] = 0x00;
	r[18] = 0xfe;
	r[19] = 0x07;
	for (int i = 0; i < 20; i++)
		sum += r[i];
	r[8] = (uint8_t)-sum;
	if (v2) {
		r[20] = 36; /* length */
		sum = 0;
		for (int i = 0; i < 36; i++)
			sum += r[i];
		r[32] = (uint8_t)-sum;
	}
	blob_tag(b, v2 ? MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD, r, v2 ? 36 : 20);
}

void blob_set_total(struct mb2_blob *b, uint32_t total)
{
	__builtin_memcpy(b->buf, &total, 4);
}

void blob_end(struct mb2_blob *b)
{
	put32(b, MB2_TAG_END);
	put32(b, 8);
	blob_set_total(b, (uint32_t)b->len);
}

void blob_default_map(struct mb2_blob *b)
{
	static const struct mm_range map[] = {
		{ 0x0, 0x9fc00, MM_RANGE_USABLE },
		{ 0x9fc00, 0x400, MM_RANGE_RESERVED },
		{ 0xf0000, 0x10000, MM_RANGE_RESERVED },
		{ 0x100000, 0x7ee0000, MM_RANGE_USABLE },
		{ 0x7fe0000, 0x20000, MM_RANGE_RESERVED },
		{ 0xfffc0000, 0x40000, MM_RANGE_RESERVED },
	};

	blob_mmap(b, 24, map, sizeof(map) / sizeof(map[0]));
}

bool blob_parse(const struct mb2_blob *b)
{
	tlog_reset();
	return boot_info_parse_len(MB2_BOOTLOADER_MAGIC, b->buf, b->len,
				   BLOB_PHYS, &test_img, &test_bi, tlog);
}

void tlog(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ktest_env_vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len,
				fmt, ap);
	va_end(ap);
	if (n > 0) {
		log_len += (size_t)n;
		if (log_len >= sizeof(log_buf))
			log_len = sizeof(log_buf) - 1;
	}
}

void tlog_reset(void)
{
	log_len = 0;
	log_buf[0] = '\0';
}

bool tlog_has(const char *needle)
{
	for (const char *h = log_buf; *h; h++) {
		const char *a = h, *n = needle;

		while (*a && *n && *a == *n)
			a++, n++;
		if (!*n)
			return true;
	}
	return !*needle;
}

const char *tlog_text(void)
{
	return log_buf;
}

uint64_t usable_unreserved_in(uint64_t start, uint64_t end)
{
	uint64_t total = 0;

	for (size_t i = 0; i < test_bi.memory_map_len; i++) {
		const struct mm_range *r = &test_bi.memory_map[i];
		uint64_t s = r->start, e = r->start + r->length;

		if (r->type != MM_RANGE_USABLE)
			continue;
		if (s < start)
			s = start;
		if (e > end)
			e = end;
		if (s >= e)
			continue;
		total += (e - s) - memmap_covered_bytes(s, e, test_bi.reserved,
							test_bi.reserved_len);
	}
	return total;
}
