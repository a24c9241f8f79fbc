/* SPDX-License-Identifier: MIT */
/*
 * Page-table primitives for the kernel's single address space (4-level
 * paging, the tables built by boot/boot.asm). Page-table pages the kernel
 * adds come from a static pool in .bss, so they lie inside the kernel image
 * and are reserved with it; nothing here allocates from mm/.
 *
 *   PML4 (512 GiB/entry) -> PDPT (1 GiB) -> PD (2 MiB) -> PT (4 KiB)
 */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_PWT (1ull << 3)   /* with PCD: uncached (PAT entry 3) */
#define PTE_PCD (1ull << 4)
#define PTE_LARGE (1ull << 7) /* PS: 1 GiB in a PDPT, 2 MiB in a PD */
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PAGE_4K (1ull << 12)
#define PAGE_2M (1ull << 21)
#define PAGE_1G (1ull << 30)

/*
 * Page-table pages available to the kernel after boot: 64 page directories
 * map 64 GiB more RAM with 2 MiB pages; 1 GiB pages need only a page
 * directory pointer table per 512 GiB. A few are kept for the stack guard.
 */
#define PAGING_POOL_PAGES 72

/* The index of va in the table of level (4 = PML4 .. 1 = PT). */
static inline unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

static inline uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* CPU features that shape the page tables (from CPUID). */
bool paging_has_1g_pages(void);
bool paging_has_nx(void); /* and EFER.NXE is on */
unsigned paging_phys_bits(void); /* MAXPHYADDR */

/* Removes the boot identity map of low memory, so that NULL and other
 * small addresses fault. Nothing may use identity addresses afterwards. */
void paging_drop_identity_map(void);

/* Unmaps the 4 KiB page below the boot stack in the kernel window, so a
 * stack overflow faults (and reports as a #DF on its IST stack). */
void paging_guard_boot_stack(void);

/* Maps the kernel image with 4 KiB pages by section: .text read-only,
 * .rodata and ktests read-only no-execute, .data and .bss no-execute (NX
 * when the CPU has it). Call after gdt_init(): the CPU writes the accessed
 * bits of descriptors it loads, and the boot GDT is in .rodata. */
void paging_protect_kernel_image(void);

/* The flag bits of the 4 KiB entry mapping kernel-image address va. */
uint64_t paging_kernel_pte_flags(uint64_t va);

/*
 * Maps [va, va + size) to [pa, pa + size), read-write, with pages of
 * page_size (PAGE_2M or PAGE_1G; all three values aligned to it). Missing
 * tables come from the pool. Returns false (mapping nothing more) when the
 * pool is exhausted; panics if a large mapping would replace a table.
 */
bool paging_map_large(uint64_t va, uint64_t pa, uint64_t size,
		      uint64_t page_size, uint64_t extra_flags);

/*
 * Device registers: the 4 KiB page at physical pa (aligned), mapped
 * uncached, writable and never executable in the MMIO window, the last GiB
 * of the address space (0xffffffffc0000000, above the kernel window).
 * Returns its virtual address. Panics when the window (512 pages) or the
 * page-table pool is full.
 */
#define MMIO_WINDOW_BASE 0xffffffffc0000000ull
void *paging_map_mmio(uint64_t pa);

/* The physical address va translates to, or ~0 if it is not mapped. */
uint64_t paging_translate(uint64_t va);

/* Pool pages used so far, for the boot report. */
unsigned paging_pool_used(void);

#endif
