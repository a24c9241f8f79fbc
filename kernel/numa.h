/* SPDX-License-Identifier: MIT */
/*
 * NUMA topology from ACPI: which memory and which CPUs belong to which node
 * (the SRAT), and how far the nodes are from each other (the SLIT).
 * Hardware-free and without globals, like acpi.c and madt.c: the host tests
 * and the fuzzer drive numa_parse() on tables built in a buffer.
 *
 *   SRAT ("SRAT"): +36 u32 table revision (1)  +40 8 reserved  +48 entries,
 *   each [type u8][length u8][...]:
 *     type 0  processor local APIC/SAPIC affinity (16 bytes)
 *             +2 proximity domain bits 0..7  +3 APIC id  +4 flags u32
 *             +8 SAPIC EID  +9 proximity domain bits 8..31 (3 bytes)
 *             +12 clock domain u32
 *     type 1  memory affinity (40 bytes)
 *             +2 proximity domain u32  +6 reserved u16  +8 base u64
 *             +16 length u64  +24 reserved u32  +28 flags u32  +32 reserved
 *     type 2  processor local x2APIC affinity (24 bytes)
 *             +2 reserved u16  +4 proximity domain u32  +8 x2APIC id u32
 *             +12 flags u32  +16 clock domain u32  +20 reserved u32
 *   flags bit 0: enabled (a disabled entry is ignored); in type 1, bit 1:
 *   hot pluggable. Other types (GICC, generic initiators, ...) are skipped.
 *
 *   SLIT ("SLIT"): +36 u64 locality count N  +44 N*N distance bytes, row i
 *   = from locality (proximity domain) i. 10 = local (the diagonal), 0xff =
 *   unreachable, anything else is relative to 10.
 *
 * Node ids are dense, 0..nodes-1, given to proximity domains in the order
 * they first appear among the SRAT's enabled entries (CPU or memory).
 *
 * What a bad table costs (each problem is logged once, naming it):
 *   - SRAT: a bad signature, length field or checksum; an entry of length
 *     0 or < 2, shorter than its type needs, or running past the end; more
 *     than NUMA_MAX_NODES proximity domains: the SRAT is not used at all
 *     and the machine is one node (guessing a partial topology would put
 *     memory on the wrong node, which is worse than no NUMA).
 *   - a memory range overlapping one kept before it: dropped (the first in
 *     table order wins); not 4 KiB aligned: rounded inward (dropped when
 *     nothing is left); wrapping past 2^64: dropped; beyond NUMA_MAX_MEM
 *     ranges: dropped. Enabled zero-length ranges are ignored silently.
 *   - a CPU listed twice: the first entry counts; beyond SMP_MAX_CPUS
 *     CPUs: not recorded (those CPUs are on node 0).
 *   - SLIT: a bad signature, length field or checksum; a size other than
 *     44 + N*N; N other than the number of SRAT domains; a domain >= N; a
 *     diagonal entry other than 10; an off-diagonal one below 11 or an
 *     asymmetric matrix: the SLIT is not used and distances are 10 local,
 *     20 remote.
 *   - a SLIT without a usable SRAT: ignored (logged only if there is no
 *     SRAT at all; a refused SRAT already said that there is one node).
 * RAM no range covers, and a CPU no entry names, are on node 0.
 */
#ifndef KERNEL_NUMA_H
#define KERNEL_NUMA_H

#include <stdbool.h>
#include <stdint.h>

#include "madt.h"   /* SMP_MAX_CPUS */
#include "memmap.h" /* boot_log_fn */

#define NUMA_MAX_NODES 8
#define NUMA_MAX_MEM 32
#define NUMA_LOCAL_DISTANCE 10
#define NUMA_REMOTE_DISTANCE 20 /* without a SLIT */
#define NUMA_UNREACHABLE 0xff

#define SRAT_HEADER_SIZE 48
#define SRAT_TYPE_CPU 0
#define SRAT_TYPE_MEMORY 1
#define SRAT_TYPE_X2APIC 2
#define SRAT_CPU_SIZE 16
#define SRAT_MEMORY_SIZE 40
#define SRAT_X2APIC_SIZE 24
#define SRAT_ENABLED (1u << 0)
#define SRAT_HOT_PLUGGABLE (1u << 1)
#define SLIT_HEADER_SIZE 44

struct numa_mem {
	uint64_t start, length; /* 4 KiB aligned, length > 0 */
	unsigned int node;
	bool hotplug; /* may be added or removed at run time */
};

struct numa_info {
	unsigned int nodes; /* 1..NUMA_MAX_NODES; 1 without a usable SRAT */
	uint32_t domain[NUMA_MAX_NODES]; /* each node's proximity domain */
	struct numa_mem mem[NUMA_MAX_MEM]; /* enabled, sorted, disjoint */
	unsigned int nmem;
	uint32_t cpu_apic[SMP_MAX_CPUS]; /* enabled CPUs, in table order */
	unsigned int cpu_node[SMP_MAX_CPUS];
	unsigned int ncpus;
	/* [from][to]: from the SLIT, or 10 local / 20 remote. */
	uint8_t distance[NUMA_MAX_NODES][NUMA_MAX_NODES];
	bool from_srat, from_slit;
};

/*
 * numa_parse - the topology described by an SRAT of srat_len bytes and a
 * SLIT of slit_len bytes; either may be NULL (absent). Each table's own
 * length field must not exceed the bytes given. Always fills *out with a
 * usable topology (one node at least, see above for what bad tables cost).
 * Returns out->from_srat: false when the machine is treated as one node.
 */
bool numa_parse(const uint8_t *srat, uint32_t srat_len, const uint8_t *slit,
		uint32_t slit_len, struct numa_info *out, boot_log_fn log);

/*
 * numa_apply_slit - replaces the 10/20 distances of an SRAT topology
 * (info->from_srat) with the SLIT's. Returns false, with the reason
 * logged and the distances left alone, if the SLIT is unusable.
 */
bool numa_apply_slit(const uint8_t *slit, uint32_t len, struct numa_info *info,
		     boot_log_fn log);

/* The node of physical address pa; 0 where no SRAT range covers it. */
unsigned int numa_node_of_pa(const struct numa_info *info, uint64_t pa);

/* The node of the CPU with this (x2)APIC id; 0 if the SRAT names none. */
unsigned int numa_node_of_apic(const struct numa_info *info, uint32_t apic_id);

/* Bytes of node's ranges that are not hot pluggable (present at boot). */
uint64_t numa_node_ram(const struct numa_info *info, unsigned int node);

/* ---- the kernel's topology (kernel/numa_boot.c) ---- */

struct boot_info;

/* BSP, once, at boot: finds and parses the SRAT and the SLIT. */
void numa_init(const struct boot_info *bi);

/* The topology numa_init() found (one node before it ran). */
const struct numa_info *numa_topology(void);

/* One line per node ("numa: node N: X MiB RAM, CPUs [ids]") and the
 * distance table. */
void numa_report(void);

#endif
