/* SPDX-License-Identifier: MIT */
/*
 * What node awareness costs the frame allocator, on the host with a fake
 * two-node map (local and remote cost under QEMU are emulated, so they are
 * measured here): the order-0 pair on one node (the same map, no node
 * entries) and on two, alloc_pages_node on this CPU's node, with
 * GFP_THISNODE, and on the other node (its buddy lists: a CPU's per-CPU
 * lists hold its own node's frames), and a fallback to the other node
 * when this one is exhausted. Goal (the NUMA issue): node awareness under
 * 1 ns on the fast path.
 */
#include <mm/mm.h>

#include "bench.h"
#include "host_port.h"

#define GiB (1ull << 30)

static const struct mm_range map2[] = {
	{ 0x100000, 2 * GiB - 0x100000, MM_RANGE_USABLE },
};
static const struct mm_node_range nodes2[] = {
	{ 0, 1 * GiB, 0 },
	{ 1 * GiB, 1 * GiB, 1 },
};

static void init_nodes(size_t nodes)
{
	static const uint8_t cpu_node[2] = { 0, 1 };
	static const uint8_t distance[4] = { 10, 21, 21, 10 };

	host_set_log_quiet(true);
	host_set_cpu_count(2);
	host_set_numa(cpu_node, 2, distance, 2);
	host_mm_init_numa(map2, 1, NULL, 0, nodes2, nodes);
}

struct node_pair {
	int nid;
	gfp_t gfp;
};

static void pair_node(void *arg, uint64_t iters)
{
	const struct node_pair *np = arg;

	for (uint64_t i = 0; i < iters; i++) {
		struct page *p = alloc_pages_node(np->nid, np->gfp, 0);
		bench_keep(p);
		__free_pages(p, 0);
	}
}

BENCH(numa, order0_pairs)
{
	init_nodes(0); /* the same 2 GiB, one node */
	bench_measure_cpu("order-0 pair, one node (alloc_pages)", bench_page_pair,
			  (void *)0, 2000000, 9);
	init_nodes(2);
	bench_measure_cpu("order-0 pair, two nodes (alloc_pages)", bench_page_pair,
			  (void *)0, 2000000, 9);
	struct node_pair local = { 0, GFP_KERNEL };
	bench_measure_cpu("alloc_pages_node(this node) pair", pair_node, &local,
			  2000000, 9);
	struct node_pair thisnode = { 0, GFP_KERNEL | GFP_THISNODE };
	bench_measure_cpu("alloc_pages_node(this node, GFP_THISNODE) pair",
			  pair_node, &thisnode, 2000000, 9);
	struct node_pair remote = { 1, GFP_KERNEL };
	bench_measure_cpu("alloc_pages_node(other node) pair (buddy lists)",
			  pair_node, &remote, 1000000, 9);
	/* node 0 exhausted: every plain request falls back to node 1 */
	struct page *p;
	unsigned long held = 0;
	static struct page *hog[300000];
	while (held < 300000 &&
	       (p = alloc_pages_node(0, GFP_KERNEL | GFP_THISNODE, 0)))
		hog[held++] = p;
	bench_measure_cpu("order-0 pair, this node full: fallback to the other",
			  bench_page_pair, (void *)0, 1000000, 9);
	while (held)
		__free_pages(hog[--held], 0);
	host_set_numa(NULL, 0, NULL, 0);
}
