/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables: from the RSDP to one table by its signature. Hardware-free
 * (firmware memory is read through a callback), so the host tests run it on
 * tables built in a buffer.
 *
 *   RSDP (20 bytes, 36 from revision 2)      SDT header (every table)
 *     +0  "RSD PTR "                           +0  signature[4] ("APIC")
 *     +8  checksum of bytes 0..19              +4  length (header included)
 *     +15 revision (0: ACPI 1.0)               +8  revision
 *     +16 RSDT address (u32)                   +9  checksum of all length bytes
 *     +20 length          } revision >= 2      +10 OEM id[6], table id[8], ...
 *     +24 XSDT address    } (u64)              +36 the table's own fields
 *     +32 extended checksum of all 36 bytes
 *
 * The RSDT holds u32 table addresses after its header, the XSDT u64 ones.
 * Nothing is trusted: every length is checked against what was read, every
 * checksum is verified, and each problem is logged with the table's name.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memmap.h" /* boot_log_fn */

#define ACPI_SDT_HEADER_SIZE 36
#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36
/* More entries in the RSDT/XSDT than this are ignored, logged. */
#define ACPI_MAX_TABLES 64

/* Firmware memory: a pointer to the len bytes at physical pa, or NULL when
 * they are not all readable. */
typedef const void *(*acpi_map_fn)(uint64_t pa, size_t len, void *ctx);

struct acpi_reader {
	acpi_map_fn map;
	void *ctx;
	boot_log_fn log; /* never NULL */
};

/* The sum of n bytes modulo 256: 0 for a valid ACPI checksum. */
uint8_t acpi_checksum(const void *p, size_t n);

/*
 * Scans [start, end) on 16-byte boundaries (where the RSDP must lie) for a
 * signature whose 20-byte checksum (and 36-byte one, for revision >= 2)
 * holds. Returns the RSDP's physical address, or 0 if there is none.
 */
uint64_t acpi_scan_rsdp(const struct acpi_reader *r, uint64_t start,
			uint64_t end);

/*
 * The legacy places to scan when the boot loader gave no RSDP: the first
 * KiB of the EBDA (segment at 0x40e in the BIOS data area) and the BIOS
 * area 0xe0000..0xfffff. Returns the RSDP's physical address or 0.
 */
uint64_t acpi_find_rsdp_legacy(const struct acpi_reader *r);

/*
 * acpi_find_table - the table with signature sig (4 characters).
 * @rsdp: a checksummed RSDP (revision >= 2: its XSDT is used, else the RSDT).
 * Checks the root table (length, checksum) and every table it lists; a
 * table with a bad checksum or a length below its header is logged and
 * skipped. Returns the table (readable for *len bytes), or NULL with the
 * reason logged: no root table, a malformed one, no table named sig.
 */
const uint8_t *acpi_find_table(const struct acpi_reader *r,
			       const uint8_t *rsdp, const char *sig,
			       uint32_t *len);

/*
 * acpi_table_check - the checks a parser of a table handed to it makes:
 * signature sig, a length field from min up to len (the bytes readable at
 * t), a zero checksum over that length. Returns the length field, or 0 with
 * the reason logged ("SRAT: ...").
 */
uint32_t acpi_table_check(const uint8_t *t, uint32_t len, const char *sig,
			  uint32_t min, boot_log_fn log);

/* Little-endian loads at any alignment. */
static inline uint32_t acpi_rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

static inline uint64_t acpi_rd64(const uint8_t *p, size_t off)
{
	uint64_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

#endif
