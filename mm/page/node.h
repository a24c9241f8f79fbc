/* SPDX-License-Identifier: MIT */
/*
 * NUMA nodes (mm/page/node.c): which node each CPU is on, which node's
 * frames its per-CPU lists hold, and the order in which a node's requests
 * fall back to the other nodes. Written by mm_init and mm_cpu_online only;
 * read on every allocation.
 */
#ifndef MM_PAGE_NODE_H
#define MM_PAGE_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/gfp.h>
#include <mm/page_alloc.h>
#include <mm/port.h>

/* 1 + the highest node id of the node entries and the CPUs. */
extern unsigned int mm_nr_nodes;
/* Node n's zonelist order: n, then the others nearest first (distance,
 * then id); mm_nr_nodes entries. */
extern uint8_t mm_node_order[MM_MAX_NUMNODES][MM_MAX_NUMNODES];
extern uint8_t mm_node_distance[MM_MAX_NUMNODES][MM_MAX_NUMNODES];
/* The port's node of each CPU, and the node whose frames the CPU's per-CPU
 * lists hold: its own, or the nearest with RAM when its own has none (a
 * memoryless node). Relaxed atomics: mm_cpu_online writes while others
 * read. */
extern uint8_t mm_cpu_node[MM_MAX_CPUS];
extern uint8_t mm_cpu_pcp_node[MM_MAX_CPUS];

void mm_nodes_reset(void);
/* A node entry's node (mm_init_numa): panics, naming the entry, beyond
 * MM_MAX_NUMNODES. */
void mm_nodes_note(uint32_t node, size_t entry);
/* After the zones are sized: the CPUs' nodes, the distances, the orders. */
void mm_nodes_init(void);
/* Every CPU's per-CPU list fields for its node (mm_init, once the zones'
 * first zones are known). */
void mm_nodes_set_pcp(void);
/* A CPU that came online: its node again (the port may have learnt it). */
void mm_node_cpu_online(unsigned int cpu);

/* The first node of n's order with RAM (n itself when it has some). */
unsigned int mm_node_nearest_with_ram(unsigned int n);

static inline unsigned int mm_pcp_node(unsigned int cpu)
{
	return __atomic_load_n(&mm_cpu_pcp_node[cpu], __ATOMIC_RELAXED);
}

/* The zones a request of gfp preferring node may use, in the order it
 * tries them (node's, then the other nodes' nearest first; node's only
 * with __GFP_THISNODE), each node's from gfp's classzone down to DMA, only
 * zones with RAM. out holds MM_NR_ZONE_SLOTS; returns the count. */
unsigned int mm_zonelist(unsigned int node, gfp_t gfp, uint16_t *out);

/* No zone of node is above its high watermark (a node without RAM is
 * always short): callers that could use another node's memory should. */
bool mm_node_short(unsigned int node);

/* The node of a request: nid, or this CPU's for NUMA_NO_NODE; panics,
 * naming fn and nid, outside 0 .. MM_MAX_NUMNODES - 1. */
unsigned int mm_request_node(int nid, const char *fn);

#endif
