/* SPDX-License-Identifier: MIT */
/*
 * Node-local objects (kmem_cache_alloc_node, kmalloc_node): slabs kept per
 * node, so an object for node n lies in node n's frames from any CPU; a
 * full node under __GFP_THISNODE gives NULL, without it the next node's;
 * everything back at the end (host only: a two-node machine).
 */
#include <ktest.h>
#include <mm/mm.h>

#include "host_numa.h"
#include "host_port.h"
#include "page/report.h"
#include "slab/slab.h"

static int node_of(const void *p)
{
	return page_to_nid(virt_to_page(p));
}

/* mm/'s own caches keep a CPU's per-CPU array once it is installed (a
 * CPU's first new slab with an off-slab descriptor, its first cache):
 * installed on every CPU before a test counts free frames. */
static void warm_internal_arrays(void)
{
	struct kmem_cache *own[] = { &mm_slab_desc_cache, &mm_slab_cache_cache };

	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		host_set_cpu(cpu);
		for (int i = 0; i < 2; i++)
			kmem_cache_free(own[i], kmem_cache_alloc(own[i], GFP_KERNEL));
	}
	host_set_cpu(0);
	kmem_cache_shrink_all();
	drain_all_pages();
}

KTEST(slab_numa_host, cache_objects_come_from_the_node_asked_for)
{
	enum { N = 300 };
	static void *objs[4][2][N];

	host_boot_two_nodes();
	warm_internal_arrays();
	unsigned long before = nr_free_pages();
	struct kmem_cache *c = kmem_cache_create("t-numa", 200, 0, 0, NULL);
	KT_ASSERT(c != NULL);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		host_set_cpu(cpu);
		for (int nid = 0; nid < 2; nid++)
			for (int i = 0; i < N; i++) {
				gfp_t gfp = GFP_KERNEL | (i & 1 ? __GFP_THISNODE : 0) |
					    (i % 3 == 0 ? __GFP_ZERO : 0);
				void *p = kmem_cache_alloc_node(c, gfp, nid);
				KT_ASSERT(p != NULL);
				KT_EXPECT_EQ(node_of(p), nid);
				if (gfp & __GFP_ZERO)
					for (int b = 0; b < 200; b++)
						KT_EXPECT_EQ(((unsigned char *)p)[b], 0);
				objs[cpu][nid][i] = p;
			}
		/* NUMA_NO_NODE: this CPU's node while it has room */
		void *p = kmem_cache_alloc_node(c, GFP_KERNEL, NUMA_NO_NODE);
		KT_ASSERT(p != NULL);
		KT_EXPECT_EQ(node_of(p), host_two_nodes_cpu_node[cpu]);
		kmem_cache_free(c, p);
	}
	/* freed on another CPU than the one that allocated them */
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		host_set_cpu(3 - cpu);
		for (int nid = 0; nid < 2; nid++)
			for (int i = 0; i < N; i++)
				kmem_cache_free(c, objs[cpu][nid][i]);
	}
	host_set_cpu(0);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
	kmem_cache_shrink_all();
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	host_back_to_one_node();
}

KTEST(slab_numa_host, kmalloc_node_is_node_local_for_every_size)
{
	static const size_t sizes[] = { 1, 8, 64, 100, 512, 2048, 4096, 8192,
					8193, 65536, 1 << 20 };

	host_boot_two_nodes();
	/* each CPU's first kmalloc of a class installs its per-CPU array,
	 * which stays: installed before the count */
	for (unsigned int cpu = 0; cpu < 4; cpu += 3) {
		host_set_cpu(cpu);
		for (size_t i = 0; sizes[i] <= KMALLOC_MAX_CACHE_SIZE; i++)
			kfree(kmalloc(sizes[i], GFP_KERNEL));
		kfree(kmalloc(64, GFP_KERNEL | GFP_DMA));
	}
	warm_internal_arrays();
	unsigned long before = nr_free_pages();
	for (unsigned int cpu = 0; cpu < 4; cpu += 3) {
		host_set_cpu(cpu);
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			for (int nid = 0; nid < 2; nid++) {
				char *p = kmalloc_node(sizes[i], GFP_KERNEL, nid);
				KT_ASSERT(p != NULL);
				KT_EXPECT_EQ(node_of(p), nid);
				KT_EXPECT(ksize(p) >= sizes[i]);
				kfree(p);
				p = kzalloc_node(sizes[i], GFP_KERNEL | __GFP_THISNODE, nid);
				KT_ASSERT(p != NULL);
				KT_EXPECT_EQ(node_of(p), nid);
				KT_EXPECT_EQ(p[sizes[i] - 1], 0);
				kfree(p);
			}
		KT_EXPECT(kmalloc_node(0, GFP_KERNEL, 1) == ZERO_SIZE_PTR);
		/* GFP_DMA: node 0 has the DMA zone; node 1's request falls
		 * back there, and under __GFP_THISNODE it fails */
		char *d = kmalloc_node(64, GFP_KERNEL | GFP_DMA, 1);
		KT_ASSERT(d != NULL);
		KT_EXPECT_EQ(node_of(d), 0);
		kfree(d);
		KT_EXPECT(kmalloc_node(64, GFP_KERNEL | GFP_DMA | GFP_THISNODE, 1) == NULL);
	}
	host_set_cpu(0);
	KT_EXPECT_PANIC_MSG(kmalloc_node(64, GFP_KERNEL, MM_MAX_NUMNODES),
			    "node 8 out of range");
	kmem_cache_shrink_all();
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	host_back_to_one_node();
}

/* Node 1 exhausted by frames: THISNODE objects for it fail once its slabs
 * are full, node 0 untouched; a plain request comes from node 0. */
KTEST(slab_numa_host, thisnode_objects_fail_when_the_node_is_full)
{
	enum { MAX = 600000 };
	static struct page *hog[MAX];
	unsigned long n = 0;

	host_boot_two_nodes();
	warm_internal_arrays();
	unsigned long before = nr_free_pages();
	struct kmem_cache *c = kmem_cache_create("t-numa-full", 1024, 0, 0, NULL);
	KT_ASSERT(c != NULL);
	host_set_cpu(2);
	while (n < MAX && (hog[n] = alloc_pages_node(1, GFP_KERNEL | GFP_THISNODE, 0)))
		n++;
	unsigned long node0 = nr_free_pages_node(0);
	unsigned long got = 0;
	void *p, *kept[64];
	while (got < 64 && (p = kmem_cache_alloc_node(c, GFP_KERNEL | GFP_THISNODE, 1))) {
		KT_EXPECT_EQ(node_of(p), 1);
		kept[got++] = p;
	}
	KT_EXPECT(got < 64); /* no frame for a node-1 slab */
	KT_EXPECT_EQ(nr_free_pages_node(0), node0);
	p = kmem_cache_alloc_node(c, GFP_KERNEL | __GFP_NORETRY, 1);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(node_of(p), 0); /* fell back */
	/* a slab of c and CPU 2's first array for c (another slab) did it:
	 * before a fix, every fallback made a slab no refill found, until
	 * node 0 ran out */
	ktest_printf("# node 0 gave %lu frames for the fallback\n",
		     node0 - nr_free_pages_node(0));
	KT_EXPECT(node0 - nr_free_pages_node(0) <= 16);
	kmem_cache_free(c, p);
	while (got)
		kmem_cache_free(c, kept[--got]);
	for (unsigned long i = 0; i < n; i++)
		__free_pages(hog[i], 0);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	kmem_cache_shrink_all();
	drain_all_pages();
	KT_EXPECT_EQ(nr_free_pages(), before);
	mm_check_invariants();
	host_back_to_one_node();
}
