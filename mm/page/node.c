/* SPDX-License-Identifier: MIT */
/*
 * NUMA nodes. mm_init_numa's node entries say which node each range of
 * physical memory is on, the port says each CPU's node and the distances
 * (ACPI SRAT and SLIT on a PC). Every node has its own three zones (page/zone.h); a request walks
 * the zones of its node, then those of the other nodes nearest first,
 * which is Linux's node-ordered zonelist. A CPU's per-CPU lists hold
 * frames of one node only, its own or, for a CPU of a node without RAM,
 * the nearest node with RAM: frames of other nodes go straight to and
 * from their buddy lists.
 */
#include "build.h"

#include "core.h"
#include "page/node.h"
#include "page/pcp.h"
#include "page/zone.h"

unsigned int mm_nr_nodes;
uint8_t mm_node_order[MM_MAX_NUMNODES][MM_MAX_NUMNODES];
uint8_t mm_node_distance[MM_MAX_NUMNODES][MM_MAX_NUMNODES];
uint8_t mm_cpu_node[MM_MAX_CPUS];
uint8_t mm_cpu_pcp_node[MM_MAX_CPUS];

#define LOCAL_DISTANCE 10

void mm_nodes_reset(void)
{
	mm_nr_nodes = 1;
	__builtin_memset(mm_cpu_node, 0, sizeof(mm_cpu_node));
	__builtin_memset(mm_cpu_pcp_node, 0, sizeof(mm_cpu_pcp_node));
}

void mm_nodes_note(uint32_t node, size_t entry)
{
	if (node >= MM_MAX_NUMNODES)
		mm_panic("mm_init_numa: node entry %zu is on node %u (at most %d nodes: "
			 "MM_MAX_NUMNODES)", entry, node, MM_MAX_NUMNODES);
	if (node + 1 > mm_nr_nodes)
		mm_nr_nodes = node + 1;
}

static unsigned int port_cpu_node(unsigned int cpu)
{
	unsigned int node = mm_port_cpu_node(cpu);

	if (node >= MM_MAX_NUMNODES)
		mm_panic("mm_port_cpu_node: CPU %u is on node %u (at most %d "
			 "nodes: MM_MAX_NUMNODES)", cpu, node, MM_MAX_NUMNODES);
	return node;
}

static bool node_has_ram(unsigned int n)
{
	for (int t = 0; t < MM_NR_ZONES; t++)
		if (mm_zones[mm_zone_slot(n, (enum zone_type)t)].managed)
			return true;
	return false;
}

/* The first node of n's order with RAM (n itself when it has some). */
unsigned int mm_node_nearest_with_ram(unsigned int n)
{
	for (unsigned int k = 0; k < mm_nr_nodes; k++)
		if (node_has_ram(mm_node_order[n][k]))
			return mm_node_order[n][k];
	return n; /* no RAM anywhere: mm_init has panicked already */
}

static void build_orders(void)
{
	for (unsigned int n = 0; n < mm_nr_nodes; n++) {
		uint8_t *o = mm_node_order[n];

		for (unsigned int k = 0; k < mm_nr_nodes; k++)
			o[k] = (uint8_t)k;
		/* insertion sort by distance from n (the node itself first, as
		 * LOCAL_DISTANCE is the smallest), ties by id */
		for (unsigned int i = 1; i < mm_nr_nodes; i++)
			for (unsigned int j = i; j > 0; j--) {
				unsigned int a = o[j - 1], b = o[j];
				unsigned int da = a == n ? 0 : mm_node_distance[n][a];
				unsigned int db = b == n ? 0 : mm_node_distance[n][b];
				if (da < db || (da == db && a < b))
					break;
				o[j - 1] = (uint8_t)b;
				o[j] = (uint8_t)a;
			}
	}
}

void mm_nodes_init(void)
{
	unsigned int cpus = mm_cpus_running();

	for (unsigned int c = 0; c < cpus; c++) {
		unsigned int node = port_cpu_node(c);

		mm_cpu_node[c] = (uint8_t)node;
		if (node + 1 > mm_nr_nodes)
			mm_nr_nodes = node + 1;
	}
	for (unsigned int a = 0; a < mm_nr_nodes; a++)
		for (unsigned int b = 0; b < mm_nr_nodes; b++) {
			unsigned int d = a == b ? LOCAL_DISTANCE
						: mm_port_node_distance(a, b);
			/* a distance the port cannot give (0, or past a byte)
			 * sorts last: the node is still reachable */
			mm_node_distance[a][b] = (uint8_t)(d == 0 || d > 255 ? 255 : d);
		}
	build_orders();
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		__atomic_store_n(&mm_cpu_pcp_node[c],
				 (uint8_t)mm_node_nearest_with_ram(mm_cpu_node[c]),
				 __ATOMIC_RELAXED);
}

void mm_node_cpu_online(unsigned int cpu)
{
	unsigned int node = port_cpu_node(cpu);

	if (node >= mm_nr_nodes)
		mm_panic("mm_cpu_online: CPU %u is on node %u, which mm_init did "
			 "not know (%u nodes)", cpu, node, mm_nr_nodes);
	unsigned int pcp = mm_node_nearest_with_ram(node);

	/* the lists hold frames of their node: they may change node only
	 * while empty (a CPU that never allocated, or one mm_cpu_dead gave
	 * back) */
	if (pcp != mm_pcp_node(cpu))
		for (int t = 0; t < MM_NR_ZONES; t++)
			if (__atomic_load_n(&mm_pcp[cpu].list[t].count, __ATOMIC_RELAXED))
				mm_panic("mm_cpu_online: CPU %u moves from node %u "
					 "to node %u with frames on its per-CPU lists "
					 "(announce a CPU before it allocates)",
					 cpu, mm_pcp_node(cpu), pcp);
	__atomic_store_n(&mm_cpu_node[cpu], (uint8_t)node, __ATOMIC_RELAXED);
	__atomic_store_n(&mm_cpu_pcp_node[cpu], (uint8_t)pcp, __ATOMIC_RELAXED);
	mm_pcp_set_node(cpu, pcp, pcp == node);
}

void mm_nodes_set_pcp(void)
{
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		mm_pcp_set_node(c, mm_pcp_node(c), mm_pcp_node(c) == mm_cpu_node[c]);
}

unsigned int mm_request_node(int nid, const char *fn)
{
	if (nid == NUMA_NO_NODE)
		return __atomic_load_n(&mm_cpu_node[mm_this_cpu()], __ATOMIC_RELAXED);
	if (nid < 0 || nid >= MM_MAX_NUMNODES)
		mm_panic("%s: node %d out of range (NUMA_NO_NODE or 0..%d)", fn, nid,
			 MM_MAX_NUMNODES - 1);
	return (unsigned int)nid;
}

int numa_node_id(void)
{
	return __atomic_load_n(&mm_cpu_node[mm_this_cpu()], __ATOMIC_RELAXED);
}

unsigned int num_online_nodes(void)
{
	return mm_nr_nodes;
}

unsigned int mm_zonelist(unsigned int node, gfp_t gfp, uint16_t *out)
{
	enum zone_type c = gfp_classzone(gfp);
	bool thisnode = gfp & __GFP_THISNODE;
	/* a node this machine does not have: no zones, node 0's fallback */
	const uint8_t *order = mm_node_order[node < mm_nr_nodes ? node : 0];
	unsigned int nodes = thisnode ? 1 : mm_nr_nodes, n = 0;

	for (unsigned int k = 0; k < nodes; k++) {
		unsigned int nd = thisnode ? node : order[k];

		if (nd >= mm_nr_nodes)
			continue;
		for (int t = (int)c; t >= 0; t--) {
			unsigned int z = mm_zone_slot(nd, (enum zone_type)t);

			if (mm_zones[z].managed)
				out[n++] = (uint16_t)z;
		}
	}
	return n;
}

bool mm_node_short(unsigned int node)
{
	for (int t = 0; t < MM_NR_ZONES; t++) {
		const struct zone *z = &mm_zones[mm_zone_slot(node, (enum zone_type)t)];

		if (z->managed && zone_free_frames(z) > z->wmark[WMARK_HIGH])
			return false;
	}
	return true;
}
