/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input bytes are an SRAT and a SLIT. numa_parse()
 * must never read outside them (ASan), never hit undefined behaviour
 * (UBSan), and always return a topology that keeps every promise of
 * numa.h; a broken promise traps.
 *
 *   input: [control u8][SRAT size u16 LE][SRAT bytes][SLIT bytes]
 *   control bit 0: seal the SRAT (signature, length field, checksum) so
 *   that the fuzzer reaches the entries; bit 1: seal the SLIT likewise;
 *   bit 2: no SLIT at all.
 *
 *   make BUILD=build build/fuzz/acpi_numa
 *   cp -r tests/fuzz/acpi_numa.corpus /tmp/c && build/fuzz/acpi_numa /tmp/c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "numa.h"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			__builtin_trap();                                       \
	} while (0)

#define SEAL_SRAT 1u
#define SEAL_SLIT 2u
#define NO_SLIT 4u
#define PREFIX 3

static unsigned int messages;

static void count_log(const char *fmt, ...)
{
	(void)fmt;
	messages++;
}

static void seal(uint8_t *t, size_t len, const char *sig)
{
	if (len < ACPI_SDT_HEADER_SIZE)
		return;
	uint32_t n = (uint32_t)len;
	memcpy(t, sig, 4);
	memcpy(t + 4, &n, 4);
	t[9] = 0;
	t[9] = (uint8_t)(0 - acpi_checksum(t, len));
}

static void check(const struct numa_info *t, bool used)
{
	CHECK(used == t->from_srat);
	CHECK(t->nodes >= 1 && t->nodes <= NUMA_MAX_NODES);
	CHECK(t->nmem <= NUMA_MAX_MEM && t->ncpus <= SMP_MAX_CPUS);
	CHECK(!t->from_slit || t->from_srat);
	if (!t->from_srat)
		CHECK(t->nodes == 1 && t->nmem == 0 && t->ncpus == 0);
	for (unsigned int i = 0; i < t->nmem; i++) {
		const struct numa_mem *m = &t->mem[i];
		uint64_t end;
		CHECK(m->node < t->nodes && m->length > 0);
		CHECK(((m->start | m->length) & 0xfff) == 0);
		CHECK(!__builtin_add_overflow(m->start, m->length, &end));
		CHECK(i == 0 || t->mem[i - 1].start + t->mem[i - 1].length <=
					m->start);
		CHECK(numa_node_of_pa(t, m->start) == m->node);
		CHECK(numa_node_of_pa(t, end - 1) == m->node);
	}
	for (unsigned int i = 0; i < t->ncpus; i++) {
		CHECK(t->cpu_node[i] < t->nodes);
		for (unsigned int j = 0; j < i; j++)
			CHECK(t->cpu_apic[j] != t->cpu_apic[i]);
		CHECK(numa_node_of_apic(t, t->cpu_apic[i]) == t->cpu_node[i]);
	}
	for (unsigned int a = 0; a < t->nodes; a++) {
		for (unsigned int b = 0; b < a; b++)
			CHECK(t->domain[a] != t->domain[b]);
		for (unsigned int b = 0; b < t->nodes; b++) {
			uint8_t d = t->distance[a][b];
			CHECK(d == t->distance[b][a]);
			CHECK(a == b ? d == NUMA_LOCAL_DISTANCE :
				       d > NUMA_LOCAL_DISTANCE);
			if (!t->from_slit && a != b)
				CHECK(d == NUMA_REMOTE_DISTANCE);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct numa_info info;

	if (size < PREFIX)
		return 0;
	uint8_t control = data[0];
	size_t srat_len = (size_t)data[1] | (size_t)data[2] << 8;
	data += PREFIX;
	size -= PREFIX;
	if (srat_len > size)
		srat_len = size;
	size_t slit_len = size - srat_len;
	/* Copies exactly as long as the tables, so ASan sees any overread. */
	uint8_t *srat = malloc(srat_len ? srat_len : 1);
	uint8_t *slit = malloc(slit_len ? slit_len : 1);
	CHECK(srat && slit);
	memcpy(srat, data, srat_len);
	memcpy(slit, data + srat_len, slit_len);
	if (control & SEAL_SRAT)
		seal(srat, srat_len, "SRAT");
	if (control & SEAL_SLIT)
		seal(slit, slit_len, "SLIT");

	messages = 0;
	bool used = numa_parse(srat, (uint32_t)srat_len,
			       control & NO_SLIT ? NULL : slit,
			       (uint32_t)slit_len, &info, count_log);
	check(&info, used);
	/* An unused SRAT is said to be unused, once. */
	if (!used && !(srat_len == 0 && (control & NO_SLIT)))
		CHECK(messages >= 1);
	free(srat);
	free(slit);
	return 0;
}
