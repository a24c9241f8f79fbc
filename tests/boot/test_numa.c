/* SPDX-License-Identifier: MIT */
/* The NUMA topology from the SRAT and SLIT (kernel/srat.c, kernel/slit.c)
 * on tables built in a buffer: good machines, and every bad table refused
 * or repaired with exactly one message. */
#include <ktest.h>

#include "acpi.h"
#include "kstring.h"
#include "mb2_blob.h" /* tlog */
#include "numa.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)

static uint8_t srat[2048];
static uint32_t srat_len;
static uint8_t slit[256];
static uint32_t slit_len;
static struct numa_info info;

static void wr32(uint8_t *t, size_t at, uint32_t v)
{
	memcpy(t + at, &v, 4);
}

static void wr64(uint8_t *t, size_t at, uint64_t v)
{
	memcpy(t + at, &v, 8);
}

/* Signature, length field and checksum of a table of len bytes. */
static void seal(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	wr32(t, 4, len);
	t[9] = 0;
	t[9] = (uint8_t)(0 - acpi_checksum(t, len));
}

static void srat_begin(void)
{
	memset(srat, 0, sizeof(srat));
	srat_len = SRAT_HEADER_SIZE;
	wr32(srat, 36, 1); /* table revision */
}

static uint8_t *srat_entry(uint8_t type, uint8_t size)
{
	uint8_t *e = srat + srat_len;

	e[0] = type;
	e[1] = size;
	srat_len += size;
	return e;
}

static void cpu(uint8_t apic, uint32_t pd, uint32_t flags)
{
	uint8_t *e = srat_entry(SRAT_TYPE_CPU, SRAT_CPU_SIZE);

	e[2] = (uint8_t)pd;
	e[3] = apic;
	wr32(e, 4, flags);
	e[9] = (uint8_t)(pd >> 8);
	e[10] = (uint8_t)(pd >> 16);
	e[11] = (uint8_t)(pd >> 24);
}

static void x2apic(uint32_t id, uint32_t pd, uint32_t flags)
{
	uint8_t *e = srat_entry(SRAT_TYPE_X2APIC, SRAT_X2APIC_SIZE);

	wr32(e, 4, pd);
	wr32(e, 8, id);
	wr32(e, 12, flags);
}

static void mem(uint64_t base, uint64_t len, uint32_t pd, uint32_t flags)
{
	uint8_t *e = srat_entry(SRAT_TYPE_MEMORY, SRAT_MEMORY_SIZE);

	wr32(e, 2, pd);
	wr64(e, 8, base);
	wr64(e, 16, len);
	wr32(e, 28, flags);
}

static void slit_build(unsigned int n, const uint8_t *matrix)
{
	memset(slit, 0, sizeof(slit));
	wr64(slit, 36, n);
	memcpy(slit + SLIT_HEADER_SIZE, matrix, n * n);
	slit_len = SLIT_HEADER_SIZE + n * n;
	seal(slit, "SLIT", slit_len);
}

/* numa_parse on the tables built; returns the number of messages. */
static unsigned int parse(bool with_slit)
{
	seal(srat, "SRAT", srat_len);
	tlog_reset();
	numa_parse(srat, srat_len, with_slit ? slit : NULL, slit_len, &info,
		   tlog);
	unsigned int lines = 0;
	for (const char *p = tlog_text(); *p; p++)
		lines += *p == '\n';
	return lines;
}

#define E SRAT_ENABLED

/* Two sockets like QEMU's -numa: the low node split around the legacy
 * hole, two CPUs each, QEMU's disabled padding entries at the end. */
static void two_nodes(void)
{
	srat_begin();
	cpu(0, 0, E);
	cpu(1, 0, E);
	cpu(2, 1, E);
	cpu(3, 1, E);
	mem(0, 0xa0000, 0, E);
	mem(0x100000, 2 * GIB - 0x100000, 0, E);
	mem(4 * GIB, 2 * GIB, 1, E);
	mem(0, 0, 0, 0);
	mem(0, 0, 0, 0);
	static const uint8_t d[4] = { 10, 21, 21, 10 };
	slit_build(2, d);
}

static void expect_one_node(void)
{
	KT_EXPECT_EQ(info.nodes, 1);
	KT_EXPECT(!info.from_srat);
	KT_EXPECT(!info.from_slit);
	KT_EXPECT_EQ(info.nmem, 0);
	KT_EXPECT_EQ(info.ncpus, 0);
	KT_EXPECT_EQ(info.distance[0][0], 10);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 5 * GIB), 0);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 2), 0);
}

static void expect_10_20(void)
{
	for (unsigned int a = 0; a < info.nodes; a++)
		for (unsigned int b = 0; b < info.nodes; b++)
			KT_EXPECT_EQ(info.distance[a][b], a == b ? 10 : 20);
	KT_EXPECT(!info.from_slit);
}

KTEST(numa, two_nodes_with_a_slit)
{
	two_nodes();
	KT_EXPECT_EQ(parse(true), 0);
	KT_EXPECT(info.from_srat);
	KT_EXPECT(info.from_slit);
	KT_EXPECT_EQ(info.nodes, 2);
	KT_ASSERT_EQ(info.nmem, 3);
	KT_EXPECT_EQ(info.mem[0].start, 0);
	KT_EXPECT_EQ(info.mem[1].start, 0x100000);
	KT_EXPECT_EQ(info.mem[2].start, 4 * GIB);
	KT_EXPECT_EQ(info.mem[2].node, 1);
	KT_EXPECT_EQ(numa_node_ram(&info, 0), 2 * GIB - 0x60000);
	KT_EXPECT_EQ(numa_node_ram(&info, 1), 2 * GIB);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 0x1000), 0);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 6 * GIB - 1), 1);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 6 * GIB), 0);     /* no range */
	KT_EXPECT_EQ(numa_node_of_pa(&info, 0xb0000), 0);     /* the hole */
	KT_EXPECT_EQ(numa_node_of_pa(&info, 3 * GIB), 0);     /* PCI hole */
	KT_EXPECT_EQ(info.ncpus, 4);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 1), 0);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 2), 1);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 3), 1);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 99), 0); /* no entry */
	KT_EXPECT_EQ(info.distance[0][1], 21);
	KT_EXPECT_EQ(info.distance[1][0], 21);
	KT_EXPECT_EQ(info.distance[1][1], 10);
	/* Without the SLIT: 10/20, and nothing to say about it. */
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT(info.from_srat);
	expect_10_20();
}

/* Proximity domains 7, 3, 5, 9 become nodes 0..3 in order of first
 * appearance; domain 9 has CPUs but no memory. */
KTEST(numa, four_nodes_one_memoryless)
{
	srat_begin();
	cpu(0, 7, E);
	cpu(1, 3, E);
	cpu(2, 5, E);
	cpu(3, 9, E);
	mem(2 * GIB, GIB, 5, E);
	mem(0, GIB, 7, E);
	mem(GIB, GIB, 3, E);
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT_EQ(info.nodes, 4);
	KT_EXPECT_EQ(info.domain[0], 7);
	KT_EXPECT_EQ(info.domain[3], 9);
	KT_ASSERT_EQ(info.nmem, 3);
	for (unsigned int i = 0; i < 3; i++)
		KT_EXPECT_EQ(info.mem[i].start, i * GIB); /* sorted */
	KT_EXPECT_EQ(numa_node_of_pa(&info, 0), 0);
	KT_EXPECT_EQ(numa_node_of_pa(&info, GIB), 1);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 2 * GIB + 5), 2);
	KT_EXPECT_EQ(numa_node_ram(&info, 3), 0);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 3), 3);
	expect_10_20();
	/* The SLIT is indexed by proximity domain: 10 localities, of which
	 * only the four named are read. */
	uint8_t d[100];
	for (unsigned int i = 0; i < 100; i++)
		d[i] = i / 10 == i % 10 ? 10 : (uint8_t)(20 + i / 10 + i % 10);
	slit_build(10, d);
	KT_EXPECT_EQ(parse(true), 1); /* 10 localities, 4 domains */
	expect_10_20();
	static const uint8_t d4[16] = { 10, 16, 16, 22, 16, 10, 22, 16,
					16, 22, 10, 16, 22, 16, 16, 10 };
	/* Domains 7, 3, 5, 9 are not < 4: refused too. */
	slit_build(4, d4);
	KT_EXPECT_EQ(parse(true), 1);
	KT_EXPECT(tlog_has("no SLIT row"));
	expect_10_20();
}

/* Nodes are numbered by first appearance, the SLIT by domain: node 0 is
 * domain 2, node 1 domain 0, node 2 domain 1. */
KTEST(numa, slit_rows_follow_the_domains)
{
	static const uint8_t d[9] = { 10, 15, 25, 15, 10, 35, 25, 35, 10 };

	srat_begin();
	cpu(0, 2, E);
	cpu(1, 0, E);
	mem(0, GIB, 1, E);
	slit_build(3, d);
	KT_EXPECT_EQ(parse(true), 0);
	KT_EXPECT(info.from_slit);
	KT_EXPECT_EQ(info.distance[0][1], 25); /* domains 2 -> 0 */
	KT_EXPECT_EQ(info.distance[0][2], 35); /* 2 -> 1 */
	KT_EXPECT_EQ(info.distance[1][2], 15); /* 0 -> 1 */
	KT_EXPECT_EQ(info.distance[2][2], 10);
}

KTEST(numa, domains_split_over_the_cpu_entry)
{
	srat_begin();
	cpu(0, 0x01000000u, E); /* bits 24..31: the top high byte */
	cpu(1, 0x00000100u, E); /* bits 8..15 */
	mem(0, GIB, 0x00000100u, E);
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT_EQ(info.nodes, 2);
	KT_EXPECT_EQ(info.domain[0], 0x01000000u);
	KT_EXPECT_EQ(info.domain[1], 0x100u);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 0), 1);
}

KTEST(numa, x2apic_entries)
{
	srat_begin();
	cpu(0, 0, E);
	x2apic(300, 1, E);
	x2apic(0x10000, 1, E);
	x2apic(301, 1, 0); /* disabled */
	mem(0, GIB, 0, E);
	mem(GIB, GIB, 1, E);
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT_EQ(info.ncpus, 3);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 300), 1);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 0x10000), 1);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 301), 0);
	/* An x2APIC entry repeating an xAPIC CPU: the first counts. */
	x2apic(0, 1, E);
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT_EQ(numa_node_of_apic(&info, 0), 0);
}

KTEST(numa, hot_pluggable_and_disabled_ranges)
{
	srat_begin();
	cpu(0, 0, E);
	mem(0, GIB, 0, E);
	mem(GIB, GIB, 1, E | SRAT_HOT_PLUGGABLE);
	mem(2 * GIB, GIB, 2, 0);                  /* disabled: ignored */
	mem(3 * GIB, GIB, 0, SRAT_HOT_PLUGGABLE); /* not enabled either */
	mem(0, GIB, 0, 0); /* a disabled overlap: not even an overlap */
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT_EQ(info.nodes, 2); /* domain 2 only in a disabled entry */
	KT_ASSERT_EQ(info.nmem, 2);
	KT_EXPECT(!info.mem[0].hotplug);
	KT_EXPECT(info.mem[1].hotplug);
	KT_EXPECT_EQ(numa_node_of_pa(&info, GIB), 1);
	KT_EXPECT_EQ(numa_node_ram(&info, 1), 0); /* hot pluggable */
	KT_EXPECT_EQ(numa_node_of_pa(&info, 2 * GIB), 0);
	KT_EXPECT_EQ(info.ncpus, 1);
}

KTEST(numa, no_srat_is_one_node)
{
	tlog_reset();
	KT_EXPECT(!numa_parse(NULL, 0, NULL, 0, &info, tlog));
	KT_EXPECT_EQ(tlog_text()[0], '\0');
	expect_one_node();
	two_nodes();
	KT_EXPECT(!numa_parse(NULL, 0, slit, slit_len, &info, tlog));
	KT_EXPECT(tlog_has("SLIT without an SRAT"));
	expect_one_node();
}

/* The SRAT as built is refused, with one message naming the problem. */
static void expect_srat_refused(const char *why, bool reseal)
{
	if (reseal)
		seal(srat, "SRAT", srat_len);
	tlog_reset();
	KT_EXPECT(!numa_parse(srat, srat_len, slit, slit_len, &info, tlog));
	unsigned int lines = 0;
	for (const char *p = tlog_text(); *p; p++)
		lines += *p == '\n';
	KT_EXPECT_EQ(lines, 1);
	KT_EXPECT(tlog_has(why));
	expect_one_node();
}

KTEST(numa, bad_srat_headers)
{
	two_nodes();
	seal(srat, "SRAT", srat_len);
	srat[20] ^= 1;
	expect_srat_refused("bad checksum", false);
	two_nodes();
	seal(srat, "SRAT", srat_len);
	wr32(srat, 4, srat_len + 1); /* longer than the bytes given */
	expect_srat_refused("length field", false);
	seal(srat, "SRAT", 40); /* shorter than the SRAT's header */
	expect_srat_refused("length field", false);
	seal(srat, "SLIT", srat_len);
	expect_srat_refused("not a SRAT", false);
	tlog_reset();
	KT_EXPECT(!numa_parse(srat, 10, NULL, 0, &info, tlog));
	KT_EXPECT(tlog_has("not a SRAT"));
	srat_begin(); /* a header and nothing else */
	expect_srat_refused("no enabled entry", true);
}

KTEST(numa, bad_srat_entries)
{
	two_nodes();
	uint8_t *first = srat + SRAT_HEADER_SIZE;
	first[1] = 0; /* length 0: the walk would never move */
	expect_srat_refused("length 0", true);
	first[1] = 1;
	expect_srat_refused("too short", true);
	first[1] = 8; /* shorter than a CPU entry */
	expect_srat_refused("too short", true);
	first[1] = SRAT_CPU_SIZE;
	uint8_t *last = srat + srat_len - SRAT_MEMORY_SIZE;
	last[1] = SRAT_MEMORY_SIZE + 1; /* past the end */
	expect_srat_refused("past the end", true);
	last[1] = SRAT_MEMORY_SIZE;
	/* The last memory entry cut short by the table's end. */
	srat_len -= 1;
	expect_srat_refused("past the end", true);
	srat_len = SRAT_HEADER_SIZE + 1; /* a 1-byte fragment */
	expect_srat_refused("length 0", true);
	/* A memory entry of a CPU entry's size. */
	srat_begin();
	cpu(0, 0, E);
	srat_entry(SRAT_TYPE_MEMORY, SRAT_CPU_SIZE);
	expect_srat_refused("too short", true);
	/* Unknown types of any length >= 2 are walked over. */
	srat_begin();
	cpu(0, 0, E);
	srat_entry(3, 2);
	srat_entry(5, 32);
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT(info.from_srat);
}

KTEST(numa, more_domains_than_nodes)
{
	srat_begin();
	for (unsigned int i = 0; i <= NUMA_MAX_NODES; i++)
		mem(i * GIB, GIB, i, E);
	expect_srat_refused("more proximity domains", true);
	/* Exactly NUMA_MAX_NODES: kept. */
	srat_len -= SRAT_MEMORY_SIZE;
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT_EQ(info.nodes, NUMA_MAX_NODES);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 7 * GIB), 7);
	/* Disabled entries of other domains do not count. */
	x2apic(1, 99, 0);
	mem(100 * GIB, GIB, 98, 0);
	KT_EXPECT_EQ(parse(false), 0);
	KT_EXPECT_EQ(info.nodes, NUMA_MAX_NODES);
}

KTEST(numa, overlapping_ranges_keep_the_first)
{
	srat_begin();
	cpu(0, 0, E);
	mem(GIB, GIB, 0, E);
	mem(GIB + 4 * MIB, GIB, 1, E); /* overlaps the end of the first */
	mem(0, GIB, 1, E);             /* touches it: fine */
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT(tlog_has("overlaps"));
	KT_EXPECT_EQ(info.nodes, 2); /* the domain stays */
	KT_ASSERT_EQ(info.nmem, 2);
	KT_EXPECT_EQ(info.mem[0].start, 0);
	KT_EXPECT_EQ(info.mem[1].start, GIB);
	KT_EXPECT_EQ(info.mem[1].node, 0);
	KT_EXPECT_EQ(numa_node_of_pa(&info, 2 * GIB + MIB), 0);
	/* The same range twice. */
	srat_begin();
	mem(0, GIB, 0, E);
	mem(0, GIB, 0, E);
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT_EQ(info.nmem, 1);
}

KTEST(numa, unaligned_ranges_are_rounded_inward)
{
	srat_begin();
	mem(0x1800, 0x4000, 0, E); /* 0x1800-0x5800 -> 0x2000-0x5000 */
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT(tlog_has("rounded inward"));
	KT_ASSERT_EQ(info.nmem, 1);
	KT_EXPECT_EQ(info.mem[0].start, 0x2000);
	KT_EXPECT_EQ(info.mem[0].length, 0x3000);
	srat_begin();
	mem(0x1800, 0x1000, 0, E); /* no whole page inside */
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT(tlog_has("no whole page"));
	KT_EXPECT_EQ(info.nmem, 0);
	KT_EXPECT_EQ(info.nodes, 1);
	KT_EXPECT(info.from_srat);
	srat_begin();
	mem(UINT64_MAX - 0x800, 0x400, 0, E); /* in the last page of 2^64 */
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT_EQ(info.nmem, 0);
	srat_begin();
	mem(UINT64_MAX - 0xfff, 0x2000, 0, E); /* wraps */
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT(tlog_has("wraps"));
	KT_EXPECT_EQ(info.nmem, 0);
}

KTEST(numa, too_many_ranges_and_cpus)
{
	srat_begin();
	for (unsigned int i = 0; i < NUMA_MAX_MEM + 2; i++)
		mem((uint64_t)i * 2 * MIB, MIB, 0, E);
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT(tlog_has("more memory ranges"));
	KT_EXPECT_EQ(info.nmem, NUMA_MAX_MEM);
	srat_begin();
	for (unsigned int i = 0; i < SMP_MAX_CPUS + 3; i++)
		x2apic(i, i >= SMP_MAX_CPUS, E);
	KT_EXPECT_EQ(parse(false), 1);
	KT_EXPECT(tlog_has("more CPUs"));
	KT_EXPECT_EQ(info.ncpus, SMP_MAX_CPUS);
	KT_EXPECT_EQ(numa_node_of_apic(&info, SMP_MAX_CPUS + 1), 0);
}

/* The SLIT as built is refused with one message; the SRAT still holds. */
static void expect_slit_refused(const char *why)
{
	KT_EXPECT_EQ(parse(true), 1);
	KT_EXPECT(tlog_has(why));
	KT_EXPECT(info.from_srat);
	KT_EXPECT_EQ(info.nodes, 2);
	expect_10_20();
}

KTEST(numa, bad_slits)
{
	static const uint8_t sym[4] = { 10, 21, 21, 10 };
	static const uint8_t asym[4] = { 10, 21, 22, 10 };
	static const uint8_t diag[4] = { 10, 21, 21, 11 };
	static const uint8_t local[4] = { 10, 10, 10, 10 };
	static const uint8_t low[4] = { 10, 5, 5, 10 };
	static const uint8_t unreach[4] = { 10, 0xff, 0xff, 10 };
	static const uint8_t three[9] = { 10, 20, 20, 20, 10, 20, 20, 20, 10 };

	two_nodes();
	slit_build(2, asym);
	expect_slit_refused("not symmetric");
	slit_build(2, diag);
	expect_slit_refused("local distance");
	slit_build(2, local);
	expect_slit_refused("10 or less");
	slit_build(2, low);
	expect_slit_refused("10 or less");
	slit_build(3, three);
	expect_slit_refused("3 localities");
	slit_build(2, sym);
	slit[20] ^= 1;
	expect_slit_refused("bad checksum");
	slit_build(2, sym);
	wr64(slit, 36, 3); /* the count does not match the size */
	seal(slit, "SLIT", slit_len);
	expect_slit_refused("matrix its count");
	wr64(slit, 36, 1ull << 32); /* N*N would wrap */
	seal(slit, "SLIT", slit_len);
	expect_slit_refused("matrix its count");
	slit_build(2, sym);
	slit_len = 40; /* shorter than its header */
	expect_slit_refused("length field");
	slit_build(2, unreach); /* 0xff: unreachable, kept */
	KT_EXPECT_EQ(parse(true), 0);
	KT_EXPECT(info.from_slit);
	KT_EXPECT_EQ(info.distance[1][0], NUMA_UNREACHABLE);
	/* A refused SRAT takes the SLIT with it, said once. */
	slit_build(2, sym);
	srat[SRAT_HEADER_SIZE + 1] = 0;
	expect_srat_refused("length 0", true);
}
