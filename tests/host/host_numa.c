/* SPDX-License-Identifier: MIT */
/* NUMA machines for host tests (host_numa.h). */
#include <mm/init.h>

#include "host_numa.h"
#include "host_port.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

const uint8_t host_two_nodes_cpu_node[4] = { 0, 0, 1, 1 };

void host_boot_two_nodes(void)
{
	static const uint8_t distance[4] = { 10, 21, 21, 10 };
	/* node 1 also gets RAM above 4 GiB: a third map entry */
	static const struct mm_range map[] = {
		{ 0, 1 * GiB, MM_RANGE_USABLE },
		{ 1 * GiB, 1 * GiB, MM_RANGE_USABLE },
		{ 4 * GiB, 512 * MiB, MM_RANGE_USABLE },
	};
	static const struct mm_node_range nodes[] = {
		{ 4 * GiB, 512 * MiB, 1 }, /* any order */
		{ 0, 1 * GiB, 0 },
		{ 1 * GiB, 1 * GiB, 1 },
	};
	static const struct mm_range reserved[] = {
		{ 0x0, 0x100000, MM_RANGE_RESERVED },
	};

	host_set_cpu_count(4);
	host_set_numa(host_two_nodes_cpu_node, 4, distance, 2);
	host_mm_init_numa(map, 3, reserved, 1, nodes, 3);
}

void host_back_to_one_node(void)
{
	host_set_numa(NULL, 0, NULL, 0);
	host_set_cpu(0);
	host_set_cpu_count(2);
	host_mm_default();
}
