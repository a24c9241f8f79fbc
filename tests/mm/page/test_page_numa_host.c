/* SPDX-License-Identifier: MIT */
/*
 * NUMA nodes in the frame allocator (mm/page/node.c): frames placed on the
 * node asked for, the fallback in distance order, GFP_THISNODE failing
 * exactly when its node is exhausted without touching the others, a node
 * with CPUs and no RAM, the per-CPU lists holding one node's frames, and
 * the bad input mm_init_numa refuses (host only: each test builds its own
 * machine).
 */
#include <string.h>
#include <ktest.h>
#include <mm/mm.h>

#include "host_numa.h"
#include "host_port.h"
#include "page/node.h"
#include "page/pcp.h"
#include "page/report.h"
#include "page/zone.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* Up to four nodes of RAM: node n's RAM is [base[n], base[n] + size[n]). */
struct machine {
	unsigned int nodes, cpus;
	uint8_t cpu_node[8];
	uint8_t distance[16];
	uint64_t base[4], size[4];
};

static void boot(const struct machine *m)
{
	struct mm_range map[5];
	struct mm_node_range nodes[4];
	size_t nmap = 0, nn = 0;
	static const struct mm_range reserved[] = {
		{ 0x0, 0x100000, MM_RANGE_RESERVED },
	};

	for (unsigned int n = 0; n < m->nodes; n++) {
		if (!m->size[n])
			continue; /* a node with CPUs only */
		map[nmap++] = (struct mm_range){ m->base[n], m->size[n], MM_RANGE_USABLE };
		nodes[nn++] = (struct mm_node_range){ m->base[n], m->size[n], n };
	}
	host_set_cpu_count(m->cpus);
	host_set_numa(m->cpu_node, m->cpus, m->distance, m->nodes);
	host_mm_init_numa(map, nmap, reserved, 1, nodes, nn);
}

KTEST(numa_host, zones_per_node_from_the_node_entries)
{
	host_boot_two_nodes();
	KT_EXPECT_EQ(num_online_nodes(), 2);
	KT_EXPECT(mm_zones[mm_zone_slot(0, ZONE_DMA)].managed > 0);
	KT_EXPECT(mm_zones[mm_zone_slot(0, ZONE_DMA32)].managed > 0);
	KT_EXPECT_EQ(mm_zones[mm_zone_slot(0, ZONE_NORMAL)].present, 0);
	KT_EXPECT_EQ(mm_zones[mm_zone_slot(1, ZONE_DMA)].present, 0);
	KT_EXPECT_EQ(mm_zones[mm_zone_slot(1, ZONE_DMA32)].present, (1 * GiB) >> 12);
	KT_EXPECT_EQ(mm_zones[mm_zone_slot(1, ZONE_NORMAL)].present, (512 * MiB) >> 12);
	KT_EXPECT_EQ(mm_node_order[0][1], 1);
	KT_EXPECT_EQ(mm_node_order[1][0], 1);
	KT_EXPECT_EQ(mm_node_distance[0][1], 21);
	for (unsigned int c = 0; c < 4; c++) {
		host_set_cpu(c);
		KT_EXPECT_EQ(numa_node_id(), host_two_nodes_cpu_node[c]);
	}
	KT_EXPECT_EQ(nr_free_pages_node(0) + nr_free_pages_node(1), nr_free_pages());
	mm_check_invariants();
	host_back_to_one_node();
}

/* alloc_pages_node places every order on the node asked for, from any CPU;
 * alloc_pages takes the calling CPU's node. */
KTEST(numa_host, frames_come_from_the_node_asked_for)
{
	static const unsigned int orders[] = { 0, 1, 3, 9 };

	host_boot_two_nodes();
	unsigned long before = nr_free_pages();
	for (unsigned int c = 0; c < 4; c++) {
		host_set_cpu(c);
		for (int nid = 0; nid < 2; nid++)
			for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
				struct page *p = alloc_pages_node(nid, GFP_KERNEL, orders[i]);
				KT_ASSERT(p != NULL);
				KT_EXPECT_EQ(page_to_nid(p), nid);
				__free_pages(p, orders[i]);
				p = alloc_pages_node(nid, GFP_KERNEL | GFP_THISNODE, orders[i]);
				KT_ASSERT(p != NULL);
				KT_EXPECT_EQ(page_to_nid(p), nid);
				__free_pages(p, orders[i]);
			}
		struct page *p = alloc_pages(GFP_KERNEL, 0);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(page_to_nid(p), host_two_nodes_cpu_node[c]);
		__free_pages(p, 0);
		p = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL | __GFP_ZERO, 2);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(page_to_nid(p), host_two_nodes_cpu_node[c]);
		__free_pages(p, 2);
		/* DMA exists on node 0 only: node 1's DMA request falls back,
		 * and with GFP_THISNODE it fails */
		p = alloc_pages_node(1, GFP_KERNEL | GFP_DMA, 0);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(page_to_nid(p), 0);
		__free_pages(p, 0);
		KT_EXPECT(alloc_pages_node(1, GFP_KERNEL | GFP_DMA | GFP_THISNODE, 0) == NULL);
	}
	host_set_cpu(0);
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	host_back_to_one_node();
}

/* A frame freed on a CPU of the other node goes back to its own node's
 * buddy lists, never onto that CPU's lists. */
KTEST(numa_host, per_cpu_lists_hold_their_node_only)
{
	host_boot_two_nodes();
	host_set_cpu(0);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(page_to_nid(p), 0);
	host_set_cpu(2);
	uint64_t cpu2_before = mm_pcp_count_all();
	unsigned long node0_before = nr_free_pages_node(0);
	__free_pages(p, 0);
	KT_EXPECT_EQ(nr_free_pages_node(0), node0_before + 1);
	KT_EXPECT_EQ(mm_pcp_count_all(), cpu2_before); /* not on CPU 2's list */
	for (int t = 0; t < MM_NR_ZONES; t++)
		KT_EXPECT_EQ(mm_pcp[2].list[t].count == 0 ||
			     mm_pcp_node(2) == 1, 1);
	host_set_cpu(0);
	drain_all_pages();
	mm_check_invariants();
	host_back_to_one_node();
}

/* GFP_THISNODE on node 1 takes node 1's frames down to its reserve and
 * then fails; node 0 is not touched. Without the flag the next request
 * falls back to node 0. */
KTEST(numa_host, thisnode_fails_exactly_when_its_node_is_exhausted)
{
	enum { MAX = 600000 };
	static struct page *got[MAX];
	unsigned long n = 0;

	host_boot_two_nodes();
	host_set_cpu(2);
	unsigned long before = nr_free_pages(), node0 = nr_free_pages_node(0);
	struct buddyinfo bi0, bi1;
	mm_buddyinfo_snapshot(&bi0);
	while (n < MAX && (got[n] = alloc_pages_node(1, GFP_KERNEL | GFP_THISNODE, 0)))
		KT_EXPECT_EQ(page_to_nid(got[n++]), 1);
	KT_ASSERT(n < MAX);
	KT_EXPECT(n > ((1 * GiB + 400 * MiB) >> 12)); /* most of node 1 */
	KT_EXPECT_EQ(nr_free_pages_node(0), node0);
	mm_buddyinfo_snapshot(&bi1);
	for (int t = 0; t < MM_NR_ZONES; t++)
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			KT_EXPECT_EQ(bi1.nr[mm_zone_slot(0, (enum zone_type)t)][o],
				     bi0.nr[mm_zone_slot(0, (enum zone_type)t)][o]);
	KT_EXPECT(alloc_pages_node(1, GFP_KERNEL | GFP_THISNODE, 0) == NULL);
	struct page *fb = alloc_pages_node(1, GFP_KERNEL, 0);
	KT_ASSERT(fb != NULL);
	KT_EXPECT_EQ(page_to_nid(fb), 0);
	__free_pages(fb, 0);
	for (unsigned long i = 0; i < n; i++)
		__free_pages(got[i], 0);
	host_set_cpu(0);
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	host_back_to_one_node();
}

/* Three nodes in a line, 0 - 2 - 1 (0 to 2: 20, 0 to 1: 40): node 0's
 * requests fall back to node 2 before node 1. Node 3 has a CPU and no
 * RAM: that CPU allocates from its nearest node (1), GFP_THISNODE on node
 * 3 fails, and the report says so. */
KTEST(numa_host, fallback_follows_distance_and_a_memoryless_node_works)
{
	static const struct machine m = {
		.nodes = 4, .cpus = 4,
		.cpu_node = { 0, 1, 2, 3 },
		.distance = { 10, 40, 20, 50,
			      40, 10, 20, 15,
			      20, 20, 10, 30,
			      50, 15, 30, 10 },
		.base = { 0, 256 * MiB, 512 * MiB, 0 },
		.size = { 256 * MiB, 256 * MiB, 256 * MiB, 0 },
	};
	enum { MAX = 100000 };
	static struct page *got[MAX];
	unsigned long n = 0;

	boot(&m);
	KT_EXPECT_EQ(num_online_nodes(), 4);
	KT_EXPECT_EQ(mm_node_order[0][1], 2);
	KT_EXPECT_EQ(mm_node_order[0][2], 1);
	KT_EXPECT_EQ(mm_node_order[3][1], 1);
	unsigned long before = nr_free_pages();
	host_set_cpu(0);
	while (n < MAX && (got[n] = alloc_pages_node(0, GFP_KERNEL | GFP_THISNODE, 0)))
		n++;
	unsigned long node1 = nr_free_pages_node(1);
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_NORETRY, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(page_to_nid(p), 2); /* the nearer node */
	KT_EXPECT_EQ(nr_free_pages_node(1), node1);
	__free_pages(p, 0);
	for (unsigned long i = 0; i < n; i++)
		__free_pages(got[i], 0);

	host_set_cpu(3);
	KT_EXPECT_EQ(numa_node_id(), 3);
	KT_EXPECT_EQ(mm_pcp_node(3), 1);
	p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(page_to_nid(p), 1);
	__free_pages(p, 0);
	p = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 4);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(page_to_nid(p), 1);
	__free_pages(p, 4);
	KT_EXPECT(alloc_pages_node(3, GFP_KERNEL | GFP_THISNODE, 0) == NULL);
	KT_EXPECT(alloc_pages(GFP_KERNEL | GFP_THISNODE, 0) == NULL);
	KT_EXPECT_EQ(nr_free_pages_node(3), 0);

	char log[8192];
	host_log_capture(log, sizeof(log));
	mm_report();
	host_log_capture(NULL, 0);
	KT_EXPECT(strstr(log, "node 3: 0 MiB RAM, CPUs 3 (no RAM: they allocate "
			 "from node 1 first)") != NULL);
	KT_EXPECT(strstr(log, "node 0: 256 MiB RAM, CPUs 0") != NULL);
	KT_EXPECT(strstr(log, "node distances:") != NULL);
	host_set_cpu(0);
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	host_back_to_one_node();
}

KTEST(numa_host, bad_node_input_panics_naming_it)
{
	static const struct mm_range map[] = {
		{ 0, 64 * MiB, MM_RANGE_USABLE },
	};
	static const struct mm_node_range too_big[] = {
		{ 0, 64 * MiB, MM_MAX_NUMNODES },
	};
	static const struct mm_node_range overlap[] = {
		{ 0, 40 * MiB, 0 },
		{ 32 * MiB, 32 * MiB, 1 },
	};
	static const struct mm_node_range wraps[] = {
		{ 32 * MiB, UINT64_MAX, 1 },
	};

	KT_EXPECT_PANIC_MSG(host_mm_init_numa(map, 1, NULL, 0, too_big, 1),
			    "node entry 0 is on node 8");
	KT_EXPECT_PANIC_MSG(host_mm_init_numa(map, 1, NULL, 0, overlap, 2),
			    "node entries 0 (node 0) and 1 (node 1) overlap at 0x2000000");
	KT_EXPECT_PANIC_MSG(host_mm_init_numa(map, 1, NULL, 0, wraps, 1),
			    "node entry 0 wraps around");
	static const uint8_t far[2] = { 0, 9 };
	host_set_cpu_count(2);
	host_set_numa(far, 2, NULL, 0);
	KT_EXPECT_PANIC_MSG(host_mm_init_numa(map, 1, NULL, 0, NULL, 0),
			    "CPU 1 is on node 9");
	host_back_to_one_node();
	KT_EXPECT_PANIC_MSG(alloc_pages_node(MM_MAX_NUMNODES, GFP_KERNEL, 0),
			    "node 8 out of range");
	KT_EXPECT_PANIC_MSG(alloc_pages_node(-2, GFP_KERNEL, 0),
			    "node -2 out of range");
	/* a node this machine does not have: empty, so THISNODE fails and a
	 * plain request falls back to node 0 */
	KT_EXPECT(alloc_pages_node(5, GFP_KERNEL | GFP_THISNODE, 0) == NULL);
	struct page *p = alloc_pages_node(5, GFP_KERNEL, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(page_to_nid(p), 0);
	__free_pages(p, 0);
	host_back_to_one_node();
}
