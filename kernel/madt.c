/* SPDX-License-Identifier: MIT */
/* MADT parsing (layout in madt.h). */
#include "madt.h"

#include "acpi.h"

#define MADT_LAPIC_ADDR 36
#define ENTRY_MIN 2
#define LAPIC_ENTRY_SIZE 8
#define OVERRIDE_ENTRY_SIZE 12
#define X2APIC_ENTRY_SIZE 16
#define XAPIC_INVALID_ID 0xff
#define X2APIC_INVALID_ID 0xffffffffu

static bool listed(const struct madt_info *m, uint32_t id)
{
	for (unsigned int i = 0; i < m->cpus; i++)
		if (m->apic_ids[i] == id)
			return true;
	return false;
}

static void add_cpu(struct madt_info *m, uint32_t id, uint32_t flags,
		    uint32_t off, boot_log_fn log)
{
	if (!(flags & MADT_CPU_ENABLED)) {
		if (flags & MADT_CPU_ONLINE_CAPABLE)
			m->online_capable++;
		else
			m->disabled++;
		return;
	}
	if (listed(m, id)) {
		log("madt: APIC id %u listed twice (entry at +%u); counted "
		    "once\n", id, off);
		return;
	}
	if (id > XAPIC_MAX_ID) {
		log("madt: CPU with APIC id %u needs x2APIC mode, which this "
		    "kernel does not use; not started\n", id);
		m->unreachable++;
		return;
	}
	if (m->cpus == SMP_MAX_CPUS) {
		m->dropped++;
		return;
	}
	m->apic_ids[m->cpus++] = id;
}

/* The size entry type t needs, or 0 for types the kernel does not read. */
static uint32_t needed_size(uint8_t t)
{
	switch (t) {
	case MADT_TYPE_LAPIC:
		return LAPIC_ENTRY_SIZE;
	case MADT_TYPE_LAPIC_OVERRIDE:
		return OVERRIDE_ENTRY_SIZE;
	case MADT_TYPE_X2APIC:
		return X2APIC_ENTRY_SIZE;
	default:
		return 0;
	}
}

bool madt_parse(const uint8_t *madt, uint32_t len, struct madt_info *out,
		boot_log_fn log)
{
	*out = (struct madt_info){ 0 };
	if (len < MADT_HEADER_SIZE) {
		log("madt: the table is %u bytes, shorter than its %d-byte "
		    "header\n", len, MADT_HEADER_SIZE);
		return false;
	}
	out->lapic_phys = acpi_rd32(madt, MADT_LAPIC_ADDR);
	for (uint32_t off = MADT_HEADER_SIZE; off < len;) {
		if (len - off < ENTRY_MIN) {
			log("madt: a 1-byte entry fragment at +%u ends the "
			    "table\n", off);
			return false;
		}
		uint8_t type = madt[off], size = madt[off + 1];
		if (size < ENTRY_MIN) {
			log("madt: entry at +%u (type %u) has length %u; a "
			    "table walk cannot go on\n", off, type, size);
			return false;
		}
		if (size > len - off) {
			log("madt: entry at +%u (type %u, length %u) runs past "
			    "the end of the %u-byte table\n", off, type, size,
			    len);
			return false;
		}
		if (size < needed_size(type)) {
			log("madt: entry at +%u (type %u) has length %u, less "
			    "than the %u its type needs\n", off, type, size,
			    needed_size(type));
			return false;
		}
		const uint8_t *e = madt + off;
		switch (type) {
		case MADT_TYPE_LAPIC:
			if (e[3] != XAPIC_INVALID_ID)
				add_cpu(out, e[3], acpi_rd32(e, 4), off, log);
			break;
		case MADT_TYPE_LAPIC_OVERRIDE:
			out->lapic_phys = acpi_rd64(e, 4);
			out->lapic_overridden = true;
			break;
		case MADT_TYPE_X2APIC:
			if (acpi_rd32(e, 4) != X2APIC_INVALID_ID)
				add_cpu(out, acpi_rd32(e, 4), acpi_rd32(e, 8),
					off, log);
			break;
		default:
			break; /* I/O APICs, overrides, NMI sources: not used */
		}
		off += size;
	}
	if (out->dropped)
		log("madt: %u more enabled CPUs than the %d this kernel runs; "
		    "not started\n", out->dropped, SMP_MAX_CPUS);
	return true;
}
