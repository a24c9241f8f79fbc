/* SPDX-License-Identifier: MIT */
/* The topology the kernel read at boot (kernel/numa_boot.c) against what
 * the QEMU matrix asked for. Its -numa rows pass
 *   numa=N                     the node count
 *   numa_mib=A,B,...           each node's RAM in MiB (0: memoryless)
 *   numa_cpus=n0,n1,...        the node of the CPU with APIC id 0, 1, ...
 *   numa_dist=d01              the SLIT's distance between nodes 0 and 1
 *                              (absent: QEMU builds no SLIT)
 * and every other row none of them: one node (no SRAT) holding every CPU
 * and all RAM, 10 from itself. */
#include <ktest.h>

#include "cmdline.h"
#include "kernel.h"
#include "numa.h"
#include "percpu.h"

#define MIB (1ull << 20)

/* The decimal at *p, which moves past it and one ',' after it. */
static unsigned long next_number(const char **p)
{
	unsigned long n = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		n = n * 10 + (unsigned long)(**p - '0');
	if (**p == ',')
		(*p)++;
	return n;
}

static const char *arg(const char *key, char *buf, size_t size)
{
	return cmdline_get(kernel_boot_info()->cmdline, key, buf, size);
}

KTEST(numa_boot, nodes_as_the_command_line_says)
{
	char buf[64];
	const struct numa_info *t = numa_topology();
	const char *want = arg("numa", buf, sizeof(buf));

	if (!want) {
		KT_EXPECT_EQ(t->nodes, 1);
		KT_EXPECT(!t->from_srat);
		KT_EXPECT_EQ(t->nmem, 0);
		return;
	}
	KT_EXPECT(t->from_srat);
	KT_EXPECT_EQ(t->nodes, next_number(&want));
	/* QEMU leaves the legacy hole (640 KiB .. 1 MiB) out of node 0. */
	const char *mib = arg("numa_mib", buf, sizeof(buf));
	KT_ASSERT(mib != NULL);
	for (unsigned int n = 0; *mib; n++) {
		uint64_t want_bytes = next_number(&mib) * MIB;
		uint64_t got = numa_node_ram(t, n);
		KT_EXPECT(got <= want_bytes && got + MIB >= want_bytes);
	}
}

KTEST(numa_boot, cpus_and_ram_on_their_nodes)
{
	char buf[64];
	const struct numa_info *t = numa_topology();
	const char *cpus = arg("numa_cpus", buf, sizeof(buf));

	if (!cpus) { /* one node: every CPU on it */
		for (unsigned int c = 0; c < percpu_cpu_count(); c++)
			KT_EXPECT_EQ(numa_node_of_apic(t, percpu_of(c)->apic_id),
				     0);
		KT_EXPECT_EQ(numa_node_of_pa(t, 0x100000), 0);
		return;
	}
	for (uint32_t apic = 0; *cpus; apic++)
		KT_EXPECT_EQ(numa_node_of_apic(t, apic), next_number(&cpus));
	/* Every running CPU is one the SRAT names. */
	KT_EXPECT_EQ(t->ncpus, percpu_cpu_count());
	/* Each range's first and last byte are on its node; the kernel's
	 * own image (low memory) is on node 0. */
	for (unsigned int i = 0; i < t->nmem; i++) {
		const struct numa_mem *m = &t->mem[i];
		KT_EXPECT_EQ(numa_node_of_pa(t, m->start), m->node);
		KT_EXPECT_EQ(numa_node_of_pa(t, m->start + m->length - 1),
			     m->node);
	}
	KT_EXPECT_EQ(numa_node_of_pa(t, 0x100000), 0);
}

KTEST(numa_boot, distances_as_the_command_line_says)
{
	char buf[16];
	const struct numa_info *t = numa_topology();
	if (!arg("numa", buf, sizeof(buf))) {
		KT_EXPECT_EQ(t->distance[0][0], NUMA_LOCAL_DISTANCE);
		KT_EXPECT(!t->from_slit);
		return;
	}
	const char *d = arg("numa_dist", buf, sizeof(buf));
	KT_EXPECT_EQ(t->from_slit, d != NULL);
	unsigned long d01 = d ? next_number(&d) : NUMA_REMOTE_DISTANCE;
	for (unsigned int a = 0; a < t->nodes; a++)
		KT_EXPECT_EQ(t->distance[a][a], NUMA_LOCAL_DISTANCE);
	KT_EXPECT_EQ(t->distance[0][1], d01);
	KT_EXPECT_EQ(t->distance[1][0], d01);
}
