/* SPDX-License-Identifier: MIT */
/*
 * Bringing mm64 up. See docs/EMBEDDING.md for a complete example.
 */
#ifndef MM_INIT_H
#define MM_INIT_H

#include <stddef.h>
#include <mm/memmap.h>

/*
 * mm_init - build the allocators from a description of physical memory.
 * @map:      the firmware's ranges as they come: any order, overlaps
 *            allowed. Only MM_RANGE_USABLE RAM is managed, rounded inward
 *            to whole 4 KiB frames; where a usable range overlaps any other
 *            type, the other type wins; overlapping or touching usable
 *            ranges merge (at most 128 regions). docs/EMBEDDING.md shows
 *            how to build it from multiboot2, Limine, UEFI or one range.
 * @map_len:  entries in @map.
 * @reserved: ranges inside usable RAM that must never be handed out (the
 *            kernel image, boot structures, modules...); may overlap.
 * @reserved_len: entries in @reserved.
 *
 * Every usable frame must already be mapped at its direct-map address
 * (mm/port.h). Panics, naming the reason, when no usable frame is left.
 * On the host, calling it again forgets all previous state (tests only).
 */
void mm_init(const struct mm_range *map, size_t map_len,
	     const struct mm_range *reserved, size_t reserved_len);

/*
 * mm_init_numa - mm_init() on a NUMA machine: @nodes says which node each
 * range of physical memory is on (the SRAT's enabled memory affinity
 * entries, any order). Usable RAM is split where the node changes and each
 * node gets its own zones; RAM no entry covers is node 0's. Panics, naming
 * the entry, on a node id of MM_MAX_NUMNODES or more, an entry that wraps,
 * or two entries that overlap with different nodes. The CPUs' nodes and
 * the distances come from the port (mm_port_cpu_node,
 * mm_port_node_distance). mm_init() is mm_init_numa() with no entries:
 * one node, 0.
 */
void mm_init_numa(const struct mm_range *map, size_t map_len,
		  const struct mm_range *reserved, size_t reserved_len,
		  const struct mm_node_range *nodes, size_t nodes_len);

/* Prints the allocator's part of the boot report through mm_port_log(). */
void mm_report(void);

/*
 * CPUs coming and going. Every CPU below mm_port_cpu_count() is online
 * unless mm_cpu_dead() took it down. mm_cpu_online(cpu) announces a CPU
 * that came up after mm_init() (the port counts it first) or comes back
 * after mm_cpu_dead(); the per-CPU list limits are scaled for the count.
 * mm_cpu_dead(cpu), called on another CPU once cpu has stopped running mm
 * code for good, marks it dead, waits for the cross-CPU calls already on
 * their way to it (so the port must still deliver them, or run them, until
 * mm_cpu_dead returns), then gives its per-CPU frames and slab arrays back; afterwards
 * mm/ panics, naming the id, if a CPU uses it (at once in debug builds, on
 * the next slow path otherwise) until mm_cpu_online(cpu). Both take mm
 * locks (no waiting for other CPUs): task context, no mm lock held; they
 * panic in an interrupt handler.
 * Panics on an id outside 0 .. mm_port_cpu_count() - 1, a dead CPU that
 * is not online, or the calling CPU's own id.
 */
void mm_cpu_online(unsigned int cpu);
void mm_cpu_dead(unsigned int cpu);

/*
 * mm_cpu_idle - call from each CPU's idle loop (task context, outside any
 * mm call). A flush that another CPU asks for (kmem_cache_shrink, the slab
 * shrinker) runs here as an interrupt and may interrupt a slab fast path,
 * so it leaves the top object of each array it empties; this gives those
 * back. One load when there is nothing to do. Without it they stay until
 * the CPU next uses their caches.
 */
void mm_cpu_idle(void);

#endif
