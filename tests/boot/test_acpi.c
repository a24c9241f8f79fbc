/* SPDX-License-Identifier: MIT */
/* ACPI table lookup and MADT parsing (kernel/acpi.c, kernel/madt.c) on
 * tables built in a buffer that stands for physical memory. */
#include <ktest.h>

#include "acpi.h"
#include "kstring.h"
#include "madt.h"

#define FAKE_BASE 0x10000ull /* the physical address of fake_mem[0] */
#define FAKE_SIZE 4096
#define AT_RSDP 0x000
#define AT_ROOT 0x040
#define AT_FACP 0x100
#define AT_MADT 0x200

static uint8_t fake_mem[FAKE_SIZE] __attribute__((aligned(16)));
static unsigned int logged;

static void count_log(const char *fmt, ...)
{
	(void)fmt;
	logged++;
}

static const void *fake_map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa < FAKE_BASE || pa - FAKE_BASE > FAKE_SIZE ||
	    len > FAKE_SIZE - (pa - FAKE_BASE))
		return NULL;
	return fake_mem + (pa - FAKE_BASE);
}

static const struct acpi_reader reader = { fake_map, NULL, count_log };

static void wr32(size_t at, uint32_t v)
{
	memcpy(fake_mem + at, &v, 4);
}

static void wr64(size_t at, uint64_t v)
{
	memcpy(fake_mem + at, &v, 8);
}

static void fix_sum(size_t at, size_t sum_at, size_t len)
{
	fake_mem[sum_at] = 0;
	fake_mem[sum_at] = (uint8_t)(0 - acpi_checksum(fake_mem + at, len));
}

static void header(size_t at, const char *sig, uint32_t len)
{
	memcpy(fake_mem + at, sig, 4);
	wr32(at + 4, len);
	fix_sum(at, at + 9, len);
}

static size_t madt_len;

/* An MADT entry at the end of the table being built. */
static void madt_entry(const uint8_t *bytes, uint8_t size)
{
	memcpy(fake_mem + AT_MADT + madt_len, bytes, size);
	madt_len += size;
}

static void lapic(uint8_t uid, uint8_t id, uint8_t flags)
{
	const uint8_t e[8] = { MADT_TYPE_LAPIC, 8, uid, id, flags, 0, 0, 0 };
	madt_entry(e, sizeof(e));
}

static void x2apic(uint32_t id, uint8_t flags)
{
	uint8_t e[16] = { MADT_TYPE_X2APIC, 16 };
	memcpy(e + 4, &id, 4);
	e[8] = flags;
	madt_entry(e, sizeof(e));
}

/* RSDP (revision 2) -> XSDT -> {FACP, MADT} with 3 enabled CPUs, one online
 * capable, one disabled, an x2APIC CPU and a LAPIC address override. */
static void build_tables(void)
{
	memset(fake_mem, 0, sizeof(fake_mem));
	memcpy(fake_mem + AT_RSDP, "RSD PTR ", 8);
	fake_mem[AT_RSDP + 15] = 2;
	wr32(AT_RSDP + 20, ACPI_RSDP_V2_SIZE);
	wr64(AT_RSDP + 24, FAKE_BASE + AT_ROOT);
	fix_sum(AT_RSDP, AT_RSDP + 8, ACPI_RSDP_V1_SIZE);
	fix_sum(AT_RSDP, AT_RSDP + 32, ACPI_RSDP_V2_SIZE);

	wr64(AT_ROOT + 36, FAKE_BASE + AT_FACP);
	wr64(AT_ROOT + 44, FAKE_BASE + AT_MADT);
	header(AT_ROOT, "XSDT", 52);
	header(AT_FACP, "FACP", 40);

	madt_len = MADT_HEADER_SIZE;
	wr32(AT_MADT + 36, 0xfee00000u);
	lapic(0, 0, MADT_CPU_ENABLED);
	lapic(1, 2, MADT_CPU_ENABLED);
	lapic(2, 4, MADT_CPU_ONLINE_CAPABLE);
	lapic(3, 6, 0);
	const uint8_t over[12] = { MADT_TYPE_LAPIC_OVERRIDE, 12, 0, 0,
				   0x00, 0x10, 0xe0, 0xfe };
	madt_entry(over, sizeof(over));
	x2apic(9, MADT_CPU_ENABLED);
	header(AT_MADT, "APIC", (uint32_t)madt_len);
	logged = 0;
}

static const uint8_t *find_madt(uint32_t *len)
{
	return acpi_find_table(&reader, fake_mem + AT_RSDP, "APIC", len);
}

KTEST(acpi, finds_the_madt_and_its_cpus)
{
	uint32_t len = 0;
	struct madt_info m;

	build_tables();
	const uint8_t *t = find_madt(&len);
	KT_ASSERT(t == fake_mem + AT_MADT);
	KT_EXPECT_EQ(len, madt_len);
	KT_ASSERT(madt_parse(t, len, &m, count_log));
	KT_EXPECT_EQ(m.cpus, 3);
	KT_EXPECT_EQ(m.apic_ids[0], 0);
	KT_EXPECT_EQ(m.apic_ids[1], 2);
	KT_EXPECT_EQ(m.apic_ids[2], 9);
	KT_EXPECT_EQ(m.online_capable, 1);
	KT_EXPECT_EQ(m.disabled, 1);
	KT_EXPECT(m.lapic_overridden);
	KT_EXPECT_EQ(m.lapic_phys, 0xfee01000u);
	KT_EXPECT_EQ(logged, 0);
}

KTEST(acpi, rsdt_for_revision_0)
{
	uint32_t len = 0;

	build_tables();
	fake_mem[AT_RSDP + 15] = 0;
	wr32(AT_RSDP + 16, FAKE_BASE + AT_ROOT);
	fix_sum(AT_RSDP, AT_RSDP + 8, ACPI_RSDP_V1_SIZE);
	wr32(AT_ROOT + 36, FAKE_BASE + AT_MADT); /* one u32 entry */
	header(AT_ROOT, "RSDT", 40);
	KT_EXPECT(find_madt(&len) == fake_mem + AT_MADT);
	/* An RSDT where the XSDT should be is refused. */
	memcpy(fake_mem + AT_ROOT, "XSDT", 4);
	header(AT_ROOT, "XSDT", 40);
	logged = 0;
	KT_EXPECT(find_madt(&len) == NULL);
	KT_EXPECT(logged > 0);
}

KTEST(acpi, bad_checksums_are_refused)
{
	uint32_t len;

	build_tables();
	fake_mem[AT_MADT + 20] ^= 1;
	KT_EXPECT(find_madt(&len) == NULL);
	KT_EXPECT(logged >= 2); /* the bad table, then "no valid APIC" */

	build_tables();
	fake_mem[AT_FACP + 20] ^= 1; /* another table: reported, MADT found */
	KT_EXPECT(find_madt(&len) == fake_mem + AT_MADT);
	KT_EXPECT_EQ(logged, 1);

	build_tables();
	fake_mem[AT_ROOT + 20] ^= 1;
	KT_EXPECT(find_madt(&len) == NULL);
	KT_EXPECT(logged > 0);
}

KTEST(acpi, lengths_past_readable_memory)
{
	uint32_t len;

	build_tables();
	wr32(AT_MADT + 4, FAKE_SIZE); /* runs off the end of fake_mem */
	KT_EXPECT(find_madt(&len) == NULL);
	build_tables();
	wr32(AT_MADT + 4, 8); /* below the header */
	KT_EXPECT(find_madt(&len) == NULL);
	build_tables();
	wr64(AT_ROOT + 44, 0x12345678000ull); /* points nowhere */
	header(AT_ROOT, "XSDT", 52);
	KT_EXPECT(find_madt(&len) == NULL);
	KT_EXPECT(logged > 0);
}

KTEST(acpi, no_madt)
{
	uint32_t len;

	build_tables();
	header(AT_ROOT, "XSDT", 44); /* lists only the FACP */
	KT_EXPECT(find_madt(&len) == NULL);
	KT_EXPECT_EQ(logged, 1);
}

/* Each malformed table is refused with exactly one message. */
static void expect_refused(uint32_t len)
{
	struct madt_info m;

	logged = 0;
	KT_EXPECT(!madt_parse(fake_mem + AT_MADT, len, &m, count_log));
	KT_EXPECT_EQ(logged, 1);
}

KTEST(acpi, malformed_madt_entries)
{
	uint8_t *first = fake_mem + AT_MADT + MADT_HEADER_SIZE;

	build_tables();
	first[1] = 0; /* length 0: the walk would never move */
	expect_refused((uint32_t)madt_len);
	first[1] = 200; /* past the end */
	expect_refused((uint32_t)madt_len);
	first[1] = 4; /* shorter than a LAPIC entry */
	expect_refused((uint32_t)madt_len);
	first[1] = 8;
	expect_refused(40); /* shorter than the MADT header */
	expect_refused(MADT_HEADER_SIZE + 1); /* a 1-byte entry */
}

KTEST(acpi, duplicate_and_unreachable_ids)
{
	struct madt_info m;

	build_tables();
	madt_len = MADT_HEADER_SIZE;
	lapic(0, 0, MADT_CPU_ENABLED);
	x2apic(0, MADT_CPU_ENABLED);   /* the same CPU again */
	x2apic(300, MADT_CPU_ENABLED); /* needs x2APIC mode */
	lapic(1, 0xff, MADT_CPU_ENABLED); /* not a CPU */
	KT_ASSERT(madt_parse(fake_mem + AT_MADT, (uint32_t)madt_len, &m,
			     count_log));
	KT_EXPECT_EQ(m.cpus, 1);
	KT_EXPECT_EQ(m.unreachable, 1);
	KT_EXPECT_EQ(logged, 2);
}

KTEST(acpi, too_many_cpus_are_capped)
{
	struct madt_info m;

	build_tables();
	madt_len = MADT_HEADER_SIZE;
	for (int i = 0; i < SMP_MAX_CPUS + 3; i++)
		lapic((uint8_t)i, (uint8_t)i, MADT_CPU_ENABLED);
	KT_ASSERT(madt_parse(fake_mem + AT_MADT, (uint32_t)madt_len, &m,
			     count_log));
	KT_EXPECT_EQ(m.cpus, SMP_MAX_CPUS);
	KT_EXPECT_EQ(m.dropped, 3);
	KT_EXPECT_EQ(logged, 1);
}

KTEST(acpi, rsdp_scan)
{
	build_tables();
	KT_EXPECT_EQ(acpi_scan_rsdp(&reader, FAKE_BASE, FAKE_BASE + FAKE_SIZE),
		     FAKE_BASE + AT_RSDP);
	/* Moved to a 16-byte boundary further on: still found. */
	memmove(fake_mem + 0x30, fake_mem + AT_RSDP, ACPI_RSDP_V2_SIZE);
	memset(fake_mem + AT_RSDP, 0, 0x30);
	KT_EXPECT_EQ(acpi_scan_rsdp(&reader, FAKE_BASE, FAKE_BASE + FAKE_SIZE),
		     FAKE_BASE + 0x30);
	/* A signature with a bad checksum is reported and passed over. */
	fake_mem[0x30 + 9] ^= 1;
	KT_EXPECT_EQ(acpi_scan_rsdp(&reader, FAKE_BASE, FAKE_BASE + FAKE_SIZE),
		     0);
	KT_EXPECT_EQ(logged, 1);
}
