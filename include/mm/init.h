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
 * @map:      sorted, non-overlapping ranges (a sanitized firmware map); only
 *            MM_RANGE_USABLE ranges are managed, whole 4 KiB frames only.
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

/* Prints the allocator's part of the boot report through mm_port_log(). */
void mm_report(void);

#endif
