/* SPDX-License-Identifier: MIT */
/*
 * NUMA machines for host tests (tests/host/host_numa.c): a two-node one
 * every NUMA test of the frame allocator and the slab uses, and the way
 * back to the one-node machine the other tests expect.
 */
#ifndef HOST_NUMA_H
#define HOST_NUMA_H

#include <stdint.h>

/* Node 0: [0, 1 GiB) (DMA and DMA32); node 1: [1, 2 GiB) and its NORMAL
 * RAM [4, 4.5 GiB). CPUs 0-1 on node 0, 2-3 on node 1; distance 21. */
extern const uint8_t host_two_nodes_cpu_node[4];
void host_boot_two_nodes(void);
/* One node, two CPUs, host_mm_default(), CPU 0. */
void host_back_to_one_node(void);

#endif
