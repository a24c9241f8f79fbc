/* SPDX-License-Identifier: MIT */
/* The kernel's NUMA topology: the SRAT and SLIT read at boot (numa.h). */
#include "numa.h"

#include "acpi_boot.h"
#include "kernel.h"
#include "printk.h"

#define MIB (1ull << 20)

/* One node until numa_init() runs. */
static struct numa_info topology = {
	.nodes = 1,
	.distance = { { NUMA_LOCAL_DISTANCE } },
};

void numa_init(const struct boot_info *bi)
{
	uint32_t srat_len = 0, slit_len = 0;
	const uint8_t *srat = acpi_boot_find(bi, "SRAT", &srat_len);
	const uint8_t *slit = srat ? acpi_boot_find(bi, "SLIT", &slit_len) :
				     NULL;

	numa_parse(srat, srat_len, slit, slit_len, &topology, kernel_log);
}

const struct numa_info *numa_topology(void)
{
	return &topology;
}

void numa_report(void)
{
	const struct numa_info *t = numa_topology();
	char buf[SMP_MAX_CPUS * 11 + 1];

	if (!t->from_srat) { /* nothing to list: the SRAT names the RAM */
		printk("numa: 1 node (no usable SRAT): all RAM and CPUs on node 0\n");
		return;
	}
	printk("numa: %u node%s (from the SRAT)\n", t->nodes,
	       t->nodes == 1 ? "" : "s");
	for (unsigned int n = 0; n < t->nodes; n++) {
		size_t used = 0;
		buf[0] = '\0';
		for (unsigned int i = 0; i < t->ncpus; i++)
			if (t->cpu_node[i] == n)
				used += (size_t)snprintf(buf + used,
							 sizeof(buf) - used,
							 "%s%u", used ? " " : "",
							 t->cpu_apic[i]);
		printk("numa: node %u: %llu MiB RAM, CPUs [%s]\n", n,
		       (unsigned long long)(numa_node_ram(t, n) / MIB), buf);
	}
	if (t->nodes == 1)
		return;
	printk("numa: distances (%s):\n",
	       t->from_slit ? "from the SLIT" : "no SLIT: 10 local, 20 remote");
	for (unsigned int a = 0; a < t->nodes; a++) {
		size_t used = 0;
		for (unsigned int b = 0; b < t->nodes; b++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
						 " %3u", t->distance[a][b]);
		printk("numa:   node %u:%s\n", a, buf);
	}
}
