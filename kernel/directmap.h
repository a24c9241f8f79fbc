/* SPDX-License-Identifier: MIT */
/*
 * The direct map: physical address pa at DIRECT_MAP_BASE + pa (layout.h),
 * which is mm_port_direct_map_offset. boot/boot.asm maps the first 4 GiB;
 * directmap_extend() maps the rest of RAM.
 */
#ifndef KERNEL_DIRECTMAP_H
#define KERNEL_DIRECTMAP_H

#include <stddef.h>
#include <stdint.h>

#include <mm/memmap.h>

/*
 * Maps every RAM range of map (usable, ACPI reclaimable, ACPI NVS; never
 * reserved or bad ranges, and so never sized from the highest address in
 * the map) with 1 GiB pages when the CPU has them, 2 MiB pages otherwise.
 * Ranges already mapped are left alone. Page tables come from the static
 * pool in kernel/paging.c: enough for 64 GiB of RAM above 4 GiB with 2 MiB
 * pages and for the whole 64 TiB window with 1 GiB pages.
 * Panics, naming the range, when RAM lies beyond the window or the CPU's
 * physical address width, or when the pool runs out.
 */
void directmap_extend(const struct mm_range *map, size_t n);

/* The end of the highest range mapped so far (4 GiB after boot). */
uint64_t directmap_end(void);

/* The page size used by directmap_extend(): PAGE_1G or PAGE_2M. */
uint64_t directmap_page_size(void);

#endif
