/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual address space and the symbols linker.ld and
 * boot/boot.asm export.
 *
 *   0x0000000000000000  unmapped (the boot identity map is removed early:
 *                       NULL and small pointers fault)
 *   0xffff800000000000  DIRECT_MAP_BASE: physical address pa is at
 *   ... + pa            DIRECT_MAP_BASE + pa, for all RAM in the sanitized
 *                       map (kernel/directmap.c); first 4 GiB by the stub
 *   0xffffffff80000000  KERNEL_VMA_BASE: the kernel window, phys 0..1 GiB
 *   0xffffffff81200000  the kernel image (loaded at phys 18 MiB), 4 KiB
 *                       pages: .text read-only; .rodata, ktests read-only
 *                       and no-execute; .data, .bss no-execute
 *                         .bss: boot page tables, guard page, boot stack
 */
#ifndef KERNEL_LAYOUT_H
#define KERNEL_LAYOUT_H

#include <stdint.h>

#define DIRECT_MAP_BASE 0xffff800000000000ull
/* The direct map may use PML4 slots 256..383: 64 TiB of physical space. */
#define DIRECT_MAP_MAX_PHYS (1ull << 46)
#define KERNEL_VMA_BASE 0xffffffff80000000ull
#define KERNEL_WINDOW_SIZE (1ull << 30)

/* linker.ld */
extern char __kernel_vstart[], __kernel_vend[];
extern char __kernel_phys_start[], __kernel_phys_end[]; /* use as numbers */
extern char __rodata_start[], __data_start[];
extern char __bss_start[], __bss_end[];

/* boot/boot.asm */
extern char boot_page_tables_start[], boot_page_tables_end[];
extern uint64_t boot_pml4[512], boot_pdpt_low[512], boot_pd_low[4 * 512];
extern uint64_t boot_pdpt_high[512], boot_pd_high[512];
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];
extern uint32_t boot_cpu_ext_edx;

/* Physical address of something inside the kernel image. */
static inline uint64_t kernel_image_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - KERNEL_VMA_BASE;
}

static inline uint64_t kernel_phys_start(void)
{
	return (uint64_t)(uintptr_t)__kernel_phys_start;
}

static inline uint64_t kernel_phys_end(void)
{
	return (uint64_t)(uintptr_t)__kernel_phys_end;
}

/* True if va lies in the loaded kernel image (code, data, stacks). */
static inline int kernel_image_contains(uint64_t va)
{
	return va >= (uint64_t)(uintptr_t)__kernel_vstart &&
	       va < (uint64_t)(uintptr_t)__kernel_vend;
}

#endif
