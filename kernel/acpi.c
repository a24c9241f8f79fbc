/* SPDX-License-Identifier: MIT */
/* ACPI table lookup (layout in acpi.h). */
#include "acpi.h"

#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define SDT_LENGTH 4
#define RSDP_ALIGN 16

#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_SCAN_BYTES 1024
#define BIOS_AREA_START 0xe0000
#define BIOS_AREA_END 0x100000

uint8_t acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

static bool same4(const uint8_t *p, const char *s)
{
	return p[0] == (uint8_t)s[0] && p[1] == (uint8_t)s[1] &&
	       p[2] == (uint8_t)s[2] && p[3] == (uint8_t)s[3];
}

static bool rsdp_valid(const uint8_t *p)
{
	if (!same4(p, RSDP_SIGNATURE) || !same4(p + 4, &RSDP_SIGNATURE[4]) ||
	    acpi_checksum(p, ACPI_RSDP_V1_SIZE) != 0)
		return false;
	return p[RSDP_REVISION] < 2 ||
	       acpi_checksum(p, ACPI_RSDP_V2_SIZE) == 0;
}

uint64_t acpi_scan_rsdp(const struct acpi_reader *r, uint64_t start,
			uint64_t end)
{
	start = (start + RSDP_ALIGN - 1) & ~(uint64_t)(RSDP_ALIGN - 1);
	for (uint64_t pa = start; pa + ACPI_RSDP_V1_SIZE <= end;
	     pa += RSDP_ALIGN) {
		const uint8_t *p = r->map(pa, ACPI_RSDP_V1_SIZE, r->ctx);
		if (!p || !same4(p, RSDP_SIGNATURE))
			continue;
		if (p[RSDP_REVISION] >= 2 &&
		    !r->map(pa, ACPI_RSDP_V2_SIZE, r->ctx))
			continue;
		if (rsdp_valid(p))
			return pa;
		r->log("acpi: \"RSD PTR \" at 0x%llx has a bad checksum; "
		       "ignored\n", (unsigned long long)pa);
	}
	return 0;
}

uint64_t acpi_find_rsdp_legacy(const struct acpi_reader *r)
{
	const uint8_t *bda = r->map(BDA_EBDA_SEGMENT, 2, r->ctx);
	uint64_t pa = 0;

	if (bda) {
		uint64_t ebda = (uint64_t)(bda[0] | bda[1] << 8) << 4;
		if (ebda)
			pa = acpi_scan_rsdp(r, ebda, ebda + EBDA_SCAN_BYTES);
	}
	return pa ? pa : acpi_scan_rsdp(r, BIOS_AREA_START, BIOS_AREA_END);
}

/* Names a table in messages: "the XSDT" or "table 3 of the XSDT". */
struct table_name {
	const char *root;
	int index; /* -1: the root table itself */
};

/* t: the table's bytes when they could be read (named in the message). */
static void log_table(const struct acpi_reader *r, struct table_name n,
		      uint64_t pa, const uint8_t *t, const char *what)
{
	if (n.index < 0)
		r->log("acpi: the %s at 0x%llx %s%.4s%s %s\n", n.root,
		       (unsigned long long)pa, t ? "(\"" : "",
		       t ? (const char *)t : "", t ? "\")" : "", what);
	else
		r->log("acpi: table %d of the %s, at 0x%llx %s%.4s%s, %s\n",
		       n.index, n.root, (unsigned long long)pa, t ? "(\"" : "",
		       t ? (const char *)t : "", t ? "\")" : "", what);
}

/* The table at pa, checked: readable, long enough, checksum 0. NULL (the
 * reason logged) otherwise. */
static const uint8_t *map_table(const struct acpi_reader *r, uint64_t pa,
				struct table_name name, uint32_t *len)
{
	const uint8_t *h = r->map(pa, ACPI_SDT_HEADER_SIZE, r->ctx);

	if (!h) {
		log_table(r, name, pa, NULL, "is not readable; ignored");
		return NULL;
	}
	uint32_t n = acpi_rd32(h, SDT_LENGTH);
	if (n < ACPI_SDT_HEADER_SIZE) {
		log_table(r, name, pa, h, "has a length below its 36-byte header; "
			  "ignored");
		return NULL;
	}
	const uint8_t *t = r->map(pa, n, r->ctx);
	if (!t) {
		log_table(r, name, pa, h, "has a length that runs past readable "
			  "memory; ignored");
		return NULL;
	}
	if (acpi_checksum(t, n) != 0) {
		log_table(r, name, pa, t, "has a bad checksum; ignored");
		return NULL;
	}
	*len = n;
	return t;
}

const uint8_t *acpi_find_table(const struct acpi_reader *r,
			       const uint8_t *rsdp, const char *sig,
			       uint32_t *len)
{
	bool xsdt = rsdp[RSDP_REVISION] >= 2 && acpi_rd64(rsdp, RSDP_XSDT);
	uint64_t root_pa = xsdt ? acpi_rd64(rsdp, RSDP_XSDT)
				: acpi_rd32(rsdp, RSDP_RSDT);
	const char *root_name = xsdt ? "XSDT" : "RSDT";
	uint32_t root_len, entry = xsdt ? 8 : 4;
	const uint8_t *root = map_table(
		r, root_pa, (struct table_name){ root_name, -1 }, &root_len);

	if (!root)
		return NULL;
	if (!same4(root, xsdt ? "XSDT" : "RSDT")) {
		r->log("acpi: the %s at 0x%llx is signed \"%.4s\"; ignored\n",
		       root_name, (unsigned long long)root_pa,
		       (const char *)root);
		return NULL;
	}
	uint32_t n = (root_len - ACPI_SDT_HEADER_SIZE) / entry;
	if (n > ACPI_MAX_TABLES) {
		r->log("acpi: the %s lists %u tables; only the first %d are "
		       "read\n", root_name, n, ACPI_MAX_TABLES);
		n = ACPI_MAX_TABLES;
	}
	const uint8_t *found = NULL;
	for (uint32_t i = 0; i < n; i++) {
		size_t off = ACPI_SDT_HEADER_SIZE + (size_t)i * entry;
		uint64_t pa = xsdt ? acpi_rd64(root, off) : acpi_rd32(root, off);
		uint32_t tlen;
		const uint8_t *t = map_table(
			r, pa, (struct table_name){ root_name, (int)i }, &tlen);
		/* Every table is checked, not only up to the one wanted: a
		 * bad one is reported even when it is not the MADT. */
		if (t && !found && same4(t, sig)) {
			found = t;
			*len = tlen;
		}
	}
	if (!found)
		r->log("acpi: no valid \"%.4s\" table among the %u the %s "
		       "lists\n", sig, n, root_name);
	return found;
}

uint32_t acpi_table_check(const uint8_t *t, uint32_t len, const char *sig,
			  uint32_t min, boot_log_fn log)
{
	if (len < ACPI_SDT_HEADER_SIZE || !same4(t, sig)) {
		log("%s: not a %s table (%u bytes)\n", sig, sig, len);
		return 0;
	}
	uint32_t n = acpi_rd32(t, SDT_LENGTH);
	if (n < min || n > len) {
		log("%s: length field %u is outside %u..%u (the header .. the "
		    "bytes given)\n", sig, n, min, len);
		return 0;
	}
	if (acpi_checksum(t, n) != 0) {
		log("%s: bad checksum\n", sig);
		return 0;
	}
	return n;
}
