/* SPDX-License-Identifier: MIT */
/*
 * The MADT ("APIC" table): where the local APIC is and which processors
 * exist. Hardware-free, like acpi.c.
 *
 *   +36 u32 local APIC address   +40 u32 flags   +44 entries, each
 *   [type u8][length u8][...]:
 *     type 0  processor local APIC  +2 uid u8  +3 APIC id u8  +4 flags u32
 *     type 5  LAPIC address override            +4 address u64
 *     type 9  processor local x2APIC +4 x2APIC id u32 +8 flags u32 +12 uid
 *   flags bit 0: enabled; bit 1: online capable (may be enabled later; not
 *   started at boot).
 */
#ifndef KERNEL_MADT_H
#define KERNEL_MADT_H

#include <stdbool.h>
#include <stdint.h>

#include "memmap.h" /* boot_log_fn */

/* The most CPUs the kernel runs: mm/'s MM_MAX_CPUS. */
#define SMP_MAX_CPUS 64

#define MADT_HEADER_SIZE 44
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_LAPIC_OVERRIDE 5
#define MADT_TYPE_X2APIC 9
#define MADT_CPU_ENABLED (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)
/* An xAPIC can address APIC ids 0..254 (0xff is the broadcast id). */
#define XAPIC_MAX_ID 0xfe

struct madt_info {
	uint64_t lapic_phys;     /* the override's, if there is one */
	bool lapic_overridden;
	uint32_t apic_ids[SMP_MAX_CPUS]; /* enabled CPUs, in table order */
	unsigned int cpus;
	unsigned int online_capable; /* listed, not enabled: not started */
	unsigned int disabled;       /* neither enabled nor online capable */
	unsigned int unreachable;    /* enabled, APIC id beyond xAPIC's reach */
	unsigned int dropped;        /* enabled beyond SMP_MAX_CPUS */
};

/*
 * madt_parse - the CPUs and the LAPIC address from a MADT of len bytes
 * (already checksummed by acpi_find_table()). A duplicated APIC id is
 * logged and counted once. Returns false, with the reason logged, if the
 * table is malformed: shorter than its header, an entry shorter than 2
 * bytes or than its type needs, or one running past the end. *out is then
 * not to be used.
 */
bool madt_parse(const uint8_t *madt, uint32_t len, struct madt_info *out,
		boot_log_fn log);

#endif
