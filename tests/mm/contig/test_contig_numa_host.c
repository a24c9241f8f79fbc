/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc_domainset and plain contigmalloc on NUMA machines (host
 * only: each test builds its own machine, then goes back to the default):
 * DOMAINSET_FIXED placing every byte on its node and failing on a full
 * node without touching the others, DOMAINSET_PREF falling back in
 * distance order, plain contigmalloc preferring this CPU's node, both
 * complete against the oracle restricted per node, runs that never
 * straddle a node edge, a memoryless node, DOMAINSET_RR, bad policies.
 */
#include <ktest.h>
#include <mm/contig.h>
#include <mm/mm.h>

#include "host_port.h"
#include "page/node.h"
#include "page/report.h"
#include "contig_oracle.h"

#define MiB (1ull << 20)

static const struct mm_range cn_reserved[] = {
	{ 0x0, 0x100000, MM_RANGE_RESERVED },
};

/* Two nodes: node 0 [0, 64 MiB), node 1 [64, 128 MiB), one map entry
 * across the edge (RAM contiguous there). CPUs 0-1 on node 0, 2-3 on
 * node 1; distance 21. */
static void boot_two(void)
{
	static const struct mm_range map[] = {
		{ 0, 128 * MiB, MM_RANGE_USABLE },
	};
	static const struct mm_node_range nodes[] = {
		{ 64 * MiB, 64 * MiB, 1 },
		{ 0, 64 * MiB, 0 },
	};
	static const uint8_t cpu_node[] = { 0, 0, 1, 1 };
	static const uint8_t distance[] = { 10, 21, 21, 10 };

	host_set_cpu(0);
	host_set_cpu_count(4);
	host_set_numa(cpu_node, 4, distance, 2);
	host_mm_init_numa(map, 1, cn_reserved, 1, nodes, 2);
}

/* Four nodes: node 0 [0, 32 MiB), node 1 [32, 64 MiB), node 2
 * [64, 96 MiB), node 3 CPUs only (CPU i on node i). The orders by
 * distance (not by address): 0: 0 2 1 3; 1: 1 3 2 0; 2: 2 0 1 3;
 * 3: 3 1 2 0. */
static void boot_four(void)
{
	static const struct mm_range map[] = {
		{ 0, 96 * MiB, MM_RANGE_USABLE },
	};
	static const struct mm_node_range nodes[] = {
		{ 0, 32 * MiB, 0 },
		{ 32 * MiB, 32 * MiB, 1 },
		{ 64 * MiB, 32 * MiB, 2 },
	};
	static const uint8_t cpu_node[] = { 0, 1, 2, 3 };
	static const uint8_t distance[] = { 10, 40, 20, 50,
					    40, 10, 20, 15,
					    20, 20, 10, 30,
					    50, 15, 30, 10 };

	host_set_cpu(0);
	host_set_cpu_count(4);
	host_set_numa(cpu_node, 4, distance, 4);
	host_mm_init_numa(map, 1, cn_reserved, 1, nodes, 3);
}

static void back_to_one_node(void)
{
	host_set_numa(NULL, 0, NULL, 0);
	host_set_cpu(0);
	host_set_cpu_count(2);
	host_mm_default();
}

static int nid_of(const void *va)
{
	return page_to_nid(phys_to_page(vtophys(va)));
}

/* Whether every frame of [va, va + bytes) is on node nid. */
static bool all_on_node(const void *va, uint64_t bytes, int nid)
{
	uint64_t pa = vtophys(va);

	for (uint64_t off = 0; off < bytes; off += MM_PAGE_SIZE)
		if (page_to_nid(phys_to_page(pa + off)) != nid)
			return false;
	return true;
}

/* Takes runs of `size` from node nid with DOMAINSET_FIXED until it
 * fails; returns how many (kept in cn_held[]). */
#define CN_MAX 4096
static void *cn_held[CN_MAX];
static unsigned long cn_size[CN_MAX];
static int cn_nheld;

static int fill_node(int nid, unsigned long size)
{
	int n = 0;
	void *p;

	while (cn_nheld < CN_MAX &&
	       (p = contigmalloc_domainset(size, M_CONTIGTEST,
					   DOMAINSET_FIXED(nid), M_NOWAIT, 0,
					   ~0ull, 4096, 0))) {
		KT_ASSERT(all_on_node(p, size, nid));
		cn_held[cn_nheld] = p;
		cn_size[cn_nheld++] = size;
		n++;
	}
	return n;
}

/* Fills node nid completely (1 MiB runs, then pages). */
static void fill_node_full(int nid)
{
	fill_node(nid, MiB);
	fill_node(nid, MM_PAGE_SIZE);
	KT_ASSERT(cn_nheld < CN_MAX);
}

static void free_held(void)
{
	while (cn_nheld) {
		cn_nheld--;
		contigfree(cn_held[cn_nheld], cn_size[cn_nheld], M_CONTIGTEST);
	}
}

KTEST(contig_numa_host, fixed_places_every_byte_on_its_node)
{
	static const unsigned long sizes[] = { 4096, 5000, 64 * 1024, 3 * MiB };
	struct ct_snapshot snap;

	boot_two();
	ct_begin(&snap);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		host_set_cpu(cpu);
		for (int nid = 0; nid < 2; nid++)
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				unsigned long align = 1ul << (12 + i * 3);
				uint64_t want = ct_oracle_node(sizes[i], 0, ~0ull,
							       align, 0, nid);
				void *p = contigmalloc_domainset(
					sizes[i], M_CONTIGTEST, DOMAINSET_FIXED(nid),
					M_ZERO, 0, ~0ull, align, 0);
				uint64_t bytes = (sizes[i] + 4095) & ~4095ul;

				KT_ASSERT(p != NULL);
				KT_EXPECT(all_on_node(p, bytes, nid));
				KT_EXPECT(ct_all_zero(p, bytes));
				KT_EXPECT(ct_frames_claimed(vtophys(p), bytes));
				KT_EXPECT_EQ(vtophys(p), want);
				contigfree(p, sizes[i], M_CONTIGTEST);
			}
	}
	host_set_cpu(0);
	ct_end(&snap);
	mm_check_invariants();
	back_to_one_node();
}

/* Node 0 full: FIXED(0) is NULL (M_NOWAIT and M_WAITOK) while node 1 has
 * room, and node 1's free count does not move; PREF(0) and plain
 * contigmalloc on CPU 0 fall back to node 1. */
KTEST(contig_numa_host, fixed_on_a_full_node_is_null_others_untouched)
{
	struct ct_snapshot snap;

	boot_two();
	ct_begin(&snap);
	fill_node_full(0);
	drain_all_pages();
	unsigned long node1 = nr_free_pages_node(1);

	KT_EXPECT(node1 > 8192);
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(0),
					  M_NOWAIT, 0, ~0ull, 4096, 0));
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(0),
					  M_WAITOK, 0, ~0ull, 4096, 0));
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages_node(1), node1);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		host_set_cpu(cpu);
		void *p = contigmalloc_domainset(2 * MiB, M_CONTIGTEST,
						 DOMAINSET_PREF(0), M_NOWAIT, 0,
						 ~0ull, 4096, 0);
		void *q = contigmalloc(2 * MiB, M_CONTIGTEST, M_NOWAIT, 0, ~0ull,
				       4096, 0);

		KT_ASSERT(p && q);
		KT_EXPECT(all_on_node(p, 2 * MiB, 1));
		KT_EXPECT(all_on_node(q, 2 * MiB, 1));
		contigfree(q, 2 * MiB, M_CONTIGTEST);
		contigfree(p, 2 * MiB, M_CONTIGTEST);
	}
	host_set_cpu(0);
	free_held();
	ct_end(&snap);
	mm_check_invariants();
	back_to_one_node();
}

/* Four nodes from CPU 0: PREF(0) takes node 0, then node 2 (nearer,
 * though above node 1), then node 1, then NULL; the memoryless node 3:
 * FIXED NULL, PREF and plain contigmalloc on its CPU go to node 1. */
KTEST(contig_numa_host, pref_falls_back_in_distance_order)
{
	static const int fallback[] = { 0, 2, 1 };
	struct ct_snapshot snap;

	boot_four();
	KT_ASSERT(mm_node_order[0][1] == 2 && mm_node_order[0][2] == 1);
	ct_begin(&snap);
	for (int k = 0; k < 3; k++) {
		void *p = contigmalloc_domainset(MiB, M_CONTIGTEST,
						 DOMAINSET_PREF(0), M_NOWAIT, 0,
						 ~0ull, 4096, 0);
		void *q = contigmalloc(MiB, M_CONTIGTEST, M_NOWAIT, 0, ~0ull,
				       4096, 0);

		KT_ASSERT(p && q);
		KT_EXPECT_EQ(nid_of(p), fallback[k]);
		KT_EXPECT(all_on_node(p, MiB, fallback[k]));
		KT_EXPECT_EQ(nid_of(q), fallback[k]);
		contigfree(q, MiB, M_CONTIGTEST);
		contigfree(p, MiB, M_CONTIGTEST);
		fill_node_full(fallback[k]);
	}
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_PREF(0),
					  M_WAITOK, 0, ~0ull, 4096, 0));
	KT_EXPECT(!contigmalloc(4096, M_CONTIGTEST, M_WAITOK, 0, ~0ull, 4096, 0));
	free_held();

	/* the memoryless node */
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(3),
					  M_NOWAIT, 0, ~0ull, 4096, 0));
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(3),
					  M_WAITOK, 0, ~0ull, 4096, 0));
	void *p = contigmalloc_domainset(MiB, M_CONTIGTEST, DOMAINSET_PREF(3),
					 M_NOWAIT, 0, ~0ull, 4096, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(nid_of(p), 1);
	contigfree(p, MiB, M_CONTIGTEST);
	host_set_cpu(3);
	p = contigmalloc(MiB, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 4096, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(nid_of(p), 1);
	contigfree(p, MiB, M_CONTIGTEST);
	host_set_cpu(0);
	ct_end(&snap);
	mm_check_invariants();
	back_to_one_node();
}

/* Plain contigmalloc takes this CPU's node first even when a lower
 * address fits on another node (the old search took the lowest). */
KTEST(contig_numa_host, plain_contigmalloc_prefers_this_cpus_node)
{
	struct ct_snapshot snap;

	boot_four();
	ct_begin(&snap);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		host_set_cpu(cpu);
		int want = mm_node_nearest_with_ram((unsigned int)numa_node_id());
		uint64_t pa = ct_oracle_node(64 * 1024, 0, ~0ull, 64 * 1024, 0,
					     want);
		void *p = contigmalloc(64 * 1024, M_CONTIGTEST, M_NOWAIT, 0, ~0ull,
				       64 * 1024, 0);

		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(nid_of(p), want);
		KT_EXPECT_EQ(vtophys(p), pa);
		contigfree(p, 64 * 1024, M_CONTIGTEST);
	}
	host_set_cpu(0);
	boot_two();
	host_set_cpu(2);
	void *p = contigmalloc(4096, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 4096, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(vtophys(p), 64 * MiB);
	contigfree(p, 4096, M_CONTIGTEST);
	host_set_cpu(0);
	mm_check_invariants();
	back_to_one_node();
}

/* The frames at 64 MiB are contiguous RAM but two nodes' regions: no run
 * straddles the edge under any policy; alignment and boundary pick the
 * run on the right side of it. */
KTEST(contig_numa_host, runs_never_straddle_a_node_edge)
{
	const uint64_t edge = 64 * MiB;
	struct ct_snapshot snap;

	boot_two();
	ct_begin(&snap);
	struct domainset *all[] = { DOMAINSET_FIXED(0), DOMAINSET_FIXED(1),
				    DOMAINSET_PREF(0), DOMAINSET_PREF(1),
				    DOMAINSET_RR() };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		/* 2 MiB in [63, 65) MiB: only across the edge */
		KT_EXPECT(!contigmalloc_domainset(2 * MiB, M_CONTIGTEST, all[i],
						  M_NOWAIT, edge - MiB, edge + MiB,
						  4096, 0));
		/* 4 MiB not crossing a 64 MiB line in [62, 66) MiB */
		KT_EXPECT(!contigmalloc_domainset(4 * MiB, M_CONTIGTEST, all[i],
						  M_NOWAIT, edge - 2 * MiB,
						  edge + 2 * MiB, 4096, 64 * MiB));
	}
	KT_EXPECT(!contigmalloc(2 * MiB, M_CONTIGTEST, M_NOWAIT, edge - MiB,
				edge + MiB, 4096, 0));
	KT_EXPECT_EQ(ct_oracle(2 * MiB, edge - MiB, edge + MiB, 4096, 0),
		     UINT64_MAX);

	/* 1 MiB in the same window: each side has exactly one */
	void *a = contigmalloc_domainset(MiB, M_CONTIGTEST, DOMAINSET_FIXED(0),
					 M_NOWAIT, edge - MiB, edge + MiB, 4096, 0);
	void *b = contigmalloc_domainset(MiB, M_CONTIGTEST, DOMAINSET_PREF(0),
					 M_NOWAIT, edge - MiB, edge + MiB, 4096, 0);
	KT_ASSERT(a && b);
	KT_EXPECT_EQ(vtophys(a), edge - MiB);
	KT_EXPECT_EQ(vtophys(b), edge); /* node 0 has no more: node 1 */
	KT_EXPECT(all_on_node(b, MiB, 1));
	contigfree(b, MiB, M_CONTIGTEST);
	contigfree(a, MiB, M_CONTIGTEST);

	/* 64 MiB alignment: node 0's only aligned frame (0) is reserved */
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(0),
					  M_NOWAIT, 0, ~0ull, 64 * MiB, 0));
	b = contigmalloc(4096, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 64 * MiB, 0);
	KT_ASSERT(b != NULL);
	KT_EXPECT_EQ(vtophys(b), edge); /* CPU 0: node 0 first, then node 1 */
	contigfree(b, 4096, M_CONTIGTEST);
	a = contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(1),
				   M_NOWAIT, 0, ~0ull, 64 * MiB, 0);
	KT_ASSERT(a != NULL);
	KT_EXPECT_EQ(vtophys(a), edge);
	contigfree(a, 4096, M_CONTIGTEST);

	/* 2 MiB, boundary 2 MiB, in [62, 66) MiB: one run on each side */
	a = contigmalloc_domainset(2 * MiB, M_CONTIGTEST, DOMAINSET_FIXED(1),
				   M_NOWAIT, edge - 2 * MiB, edge + 2 * MiB,
				   4096, 2 * MiB);
	b = contigmalloc_domainset(2 * MiB, M_CONTIGTEST, DOMAINSET_FIXED(0),
				   M_NOWAIT, edge - 2 * MiB, edge + 2 * MiB,
				   4096, 2 * MiB);
	KT_ASSERT(a && b);
	KT_EXPECT_EQ(vtophys(a), edge);
	KT_EXPECT_EQ(vtophys(b), edge - 2 * MiB);
	contigfree(b, 2 * MiB, M_CONTIGTEST);
	contigfree(a, 2 * MiB, M_CONTIGTEST);
	ct_end(&snap);
	mm_check_invariants();
	back_to_one_node();
}

/* The property test through each policy and plain contigmalloc from each
 * CPU: every answer the per-node oracle's (FIXED: node d's lowest; PREF
 * and plain: the first node in distance order with a fit), every NULL
 * confirmed impossible on the policy's nodes. */
static void property_all_policies(void (*boot)(void), unsigned int nodes,
				  int requests)
{
	boot();
	unsigned long before = nr_free_pages();

	for (unsigned int d = 0; d < nodes; d++) {
		contig_property_run_ds(requests, DOMAINSET_FIXED((int)d));
		contig_property_run_ds(requests, DOMAINSET_PREF((int)d));
		host_set_cpu(d);
		contig_property_run_ds(requests, NULL);
	}
	host_set_cpu(0);
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	back_to_one_node();
}

KTEST(contig_numa_host, policies_against_the_oracle_two_nodes)
{
	property_all_policies(boot_two, 2, 400);
}

KTEST(contig_numa_host, policies_against_the_oracle_four_nodes)
{
	property_all_policies(boot_four, 4, 300);
}

/* DOMAINSET_RR: consecutive calls start on consecutive nodes; with one
 * node full every call still succeeds, on the other. */
KTEST(contig_numa_host, round_robin_rotates_and_stays_complete)
{
	struct ct_snapshot snap;

	boot_two();
	ct_begin(&snap);
	void *p = contigmalloc_domainset(MiB, M_CONTIGTEST, DOMAINSET_RR(),
					 M_NOWAIT, 0, ~0ull, 4096, 0);
	void *q = contigmalloc_domainset(MiB, M_CONTIGTEST, DOMAINSET_RR(),
					 M_NOWAIT, 0, ~0ull, 4096, 0);
	KT_ASSERT(p && q);
	KT_EXPECT(nid_of(p) != nid_of(q));
	contigfree(q, MiB, M_CONTIGTEST);
	contigfree(p, MiB, M_CONTIGTEST);
	fill_node_full(1);
	for (int i = 0; i < 4; i++) {
		p = contigmalloc_domainset(MiB, M_CONTIGTEST, DOMAINSET_RR(),
					   M_NOWAIT, 0, ~0ull, 4096, 0);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(nid_of(p), 0);
		contigfree(p, MiB, M_CONTIGTEST);
	}
	free_held();
	ct_end(&snap);
	mm_check_invariants();
	back_to_one_node();
}

KTEST(contig_numa_host, bad_policies_panic_naming_them)
{
	boot_two();
	KT_EXPECT_PANIC_MSG(DOMAINSET_FIXED(MM_MAX_NUMNODES),
			    "DOMAINSET_FIXED: domain 8 out of range (0..7)");
	KT_EXPECT_PANIC_MSG(DOMAINSET_PREF(-1),
			    "DOMAINSET_PREF: domain -1 out of range (0..7)");
	KT_EXPECT_PANIC_MSG(contigmalloc_domainset(4096, M_CONTIGTEST, NULL,
						   M_NOWAIT, 0, ~0ull, 4096, 0),
			    "contigmalloc_domainset: no domain policy (ds NULL");
	struct domainset fake = *DOMAINSET_PREF(0);

	fake.ds_magic = 0;
	KT_EXPECT_PANIC_MSG(contigmalloc_domainset(4096, M_CONTIGTEST, &fake,
						   M_NOWAIT, 0, ~0ull, 4096, 0),
			    "contigmalloc_domainset: not a domain policy");
	fake = *DOMAINSET_PREF(0);
	fake.ds_policy = 7;
	KT_EXPECT_PANIC_MSG(contigmalloc_domainset(4096, M_CONTIGTEST, &fake,
						   M_NOWAIT, 0, ~0ull, 4096, 0),
			    "bad domain policy");
	fake = *DOMAINSET_FIXED(0);
	fake.ds_mask = 0;
	KT_EXPECT_PANIC_MSG(contigmalloc_domainset(4096, M_CONTIGTEST, &fake,
						   M_NOWAIT, 0, ~0ull, 4096, 0),
			    "bad domain mask");
	/* contigmalloc's own checks, under this function's name */
	KT_EXPECT_PANIC_MSG(contigmalloc_domainset(0, M_CONTIGTEST,
						   DOMAINSET_FIXED(0), M_NOWAIT,
						   0, ~0ull, 4096, 0),
			    "contigmalloc_domainset: size is zero");
	KT_EXPECT_PANIC_MSG(contigmalloc_domainset(4096, M_CONTIGTEST,
						   DOMAINSET_FIXED(0), M_NOWAIT,
						   0, ~0ull, 3000, 0),
			    "contigmalloc_domainset: alignment is not a power of two");
	/* a node this machine lacks: empty; PREF falls back from node 0 */
	KT_EXPECT(!contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_FIXED(5),
					  M_WAITOK, 0, ~0ull, 4096, 0));
	void *p = contigmalloc_domainset(4096, M_CONTIGTEST, DOMAINSET_PREF(5),
					 M_NOWAIT, 0, ~0ull, 4096, 0);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(nid_of(p), 0);
	contigfree(p, 4096, M_CONTIGTEST);
	mm_check_invariants();
	back_to_one_node();
}
