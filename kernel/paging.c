/* SPDX-License-Identifier: MIT */
#include "paging.h"

#include "cpu.h"
#include "kstring.h"
#include "layout.h"
#include "panic.h"

#define NO_TRANSLATION (~0ull)

static uint8_t pool[PAGING_POOL_PAGES][PAGE_4K] __attribute__((aligned(4096)));
static unsigned pool_used;

bool paging_has_1g_pages(void)
{
	return boot_cpu_ext_edx & CPUID_EXT_PDPE1GB;
}

bool paging_has_nx(void)
{
	return rdmsr(MSR_EFER) & EFER_NXE;
}

unsigned paging_phys_bits(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000u, 0, &a, &b, &c, &d);
	if (a < 0x80000008u)
		return 36; /* the architectural minimum with PAE */
	cpuid(0x80000008u, 0, &a, &b, &c, &d);
	return a & 0xff;
}

unsigned paging_pool_used(void)
{
	return pool_used;
}

/* A zeroed page-table page from the pool, or NULL when it is empty. */
static uint64_t *pool_alloc(void)
{
	if (pool_used == PAGING_POOL_PAGES)
		return NULL;
	uint64_t *t = (uint64_t *)pool[pool_used++];
	memset(t, 0, PAGE_4K);
	return t;
}

/* Tables are reached through the kernel window (pool pages, boot tables:
 * all in the image) or the direct map (anything else). */
static uint64_t *table_va(uint64_t entry)
{
	uint64_t pa = entry & PTE_ADDR_MASK;

	if (pa >= kernel_phys_start() && pa < kernel_phys_end())
		return (uint64_t *)(uintptr_t)(pa + KERNEL_VMA_BASE);
	return (uint64_t *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

static uint64_t *root(void)
{
	return table_va(read_cr3());
}

void paging_drop_identity_map(void)
{
	root()[0] = 0;
	tlb_flush_local();
}

uint64_t paging_translate(uint64_t va)
{
	uint64_t *t = root();

	for (int level = 4; level >= 1; level--) {
		uint64_t e = t[pt_index(va, level)];
		if (!(e & PTE_PRESENT))
			return NO_TRANSLATION;
		if (level == 1 || (level <= 3 && (e & PTE_LARGE))) {
			uint64_t span = 1ull << (12 + 9 * (level - 1));
			return (e & PTE_ADDR_MASK & ~(span - 1)) +
			       (va & (span - 1));
		}
		t = table_va(e);
	}
	return NO_TRANSLATION;
}

/* The table below entry *e, created from the pool if missing. Panics if *e
 * maps a large page: callers never split mappings implicitly. */
static uint64_t *next_table(uint64_t *e, const char *what)
{
	if (*e & PTE_PRESENT) {
		if (*e & PTE_LARGE)
			panic("paging: %s is already a large page (entry 0x%llx)",
			      what, (unsigned long long)*e);
		return table_va(*e);
	}
	uint64_t *t = pool_alloc();
	if (!t)
		return NULL;
	*e = kernel_image_phys(t) | PTE_PRESENT | PTE_WRITE;
	return t;
}

bool paging_map_large(uint64_t va, uint64_t pa, uint64_t size,
		      uint64_t page_size, uint64_t extra_flags)
{
	if ((page_size != PAGE_2M && page_size != PAGE_1G) ||
	    (va | pa | size) & (page_size - 1))
		panic("paging_map_large: misaligned request (va 0x%llx, pa "
		      "0x%llx, size 0x%llx, page 0x%llx)",
		      (unsigned long long)va, (unsigned long long)pa,
		      (unsigned long long)size, (unsigned long long)page_size);

	for (uint64_t off = 0; off < size; off += page_size) {
		uint64_t v = va + off;
		uint64_t *pdpt = next_table(&root()[pt_index(v, 4)], "PML4 entry");
		if (!pdpt)
			return false;
		uint64_t *e = &pdpt[pt_index(v, 3)];
		if (page_size == PAGE_2M) {
			uint64_t *pd = next_table(e, "PDPT entry");
			if (!pd)
				return false;
			e = &pd[pt_index(v, 2)];
		}
		uint64_t want = (pa + off) | PTE_PRESENT | PTE_WRITE |
				PTE_LARGE | extra_flags;
		if ((*e & PTE_PRESENT) && *e != want && !(*e & PTE_LARGE))
			panic("paging_map_large: va 0x%llx is mapped by a table "
			      "(entry 0x%llx)",
			      (unsigned long long)v, (unsigned long long)*e);
		*e = want;
	}
	tlb_flush_local();
	return true;
}

/* The 4 KiB page-table entry for kernel-window address va, splitting the
 * 2 MiB page that maps it into a page table (same flags) the first time. */
static uint64_t *kernel_window_pte(uint64_t va)
{
	uint64_t *pde = &boot_pd_high[pt_index(va, 2)];

	if (!(*pde & PTE_PRESENT) || pt_index(va, 3) != pt_index(KERNEL_VMA_BASE, 3))
		panic("kernel_window_pte: va 0x%llx is outside the kernel window",
		      (unsigned long long)va);
	if (*pde & PTE_LARGE) {
		uint64_t *pt = pool_alloc();
		if (!pt)
			panic("kernel_window_pte: page-table pool empty");
		uint64_t base = *pde & PTE_ADDR_MASK & ~(PAGE_2M - 1);
		uint64_t flags = *pde & (PTE_WRITE | PTE_NX);
		for (int i = 0; i < 512; i++)
			pt[i] = (base + (uint64_t)i * PAGE_4K) | PTE_PRESENT |
				flags;
		*pde = kernel_image_phys(pt) | PTE_PRESENT | PTE_WRITE;
		tlb_flush_local();
	}
	return &table_va(*pde)[pt_index(va, 1)];
}

void paging_guard_boot_stack(void)
{
	uint64_t va = (uint64_t)(uintptr_t)boot_stack_guard;

	*kernel_window_pte(va) = 0;
	invlpg((const void *)(uintptr_t)va);
	if (paging_translate(va) != NO_TRANSLATION ||
	    paging_translate(va + PAGE_4K) != kernel_image_phys(boot_stack_bottom))
		panic("paging_guard_boot_stack: guard page not in place");
}

void paging_protect_kernel_image(void)
{
	uint64_t text_end = (uint64_t)(uintptr_t)__rodata_start;
	uint64_t ro_end = (uint64_t)(uintptr_t)__data_start;
	uint64_t nx = paging_has_nx() ? PTE_NX : 0;

	for (uint64_t va = (uint64_t)(uintptr_t)__kernel_vstart;
	     va < (uint64_t)(uintptr_t)__kernel_vend; va += PAGE_4K) {
		uint64_t *pte = kernel_window_pte(va);
		if (!(*pte & PTE_PRESENT))
			continue; /* the stack guard stays unmapped */
		uint64_t flags = va < text_end ? 0 : va < ro_end ? nx
								 : PTE_WRITE | nx;
		*pte = (*pte & PTE_ADDR_MASK) | PTE_PRESENT | flags;
	}
	tlb_flush_local();
}

uint64_t paging_kernel_pte_flags(uint64_t va)
{
	return *kernel_window_pte(va) & ~PTE_ADDR_MASK;
}

void *paging_map_mmio(uint64_t pa)
{
	static unsigned mmio_pages;
	uint64_t va = MMIO_WINDOW_BASE + (uint64_t)mmio_pages * PAGE_4K;

	if (pa & (PAGE_4K - 1))
		panic("paging_map_mmio: pa 0x%llx is not page aligned",
		      (unsigned long long)pa);
	if (mmio_pages == 512)
		panic("paging_map_mmio: the MMIO window is full (512 pages)");
	uint64_t *t = root();
	for (int level = 4; level > 1; level--) {
		t = next_table(&t[pt_index(va, level)], "MMIO window entry");
		if (!t)
			panic("paging_map_mmio: page-table pool empty");
	}
	uint64_t nx = paging_has_nx() ? PTE_NX : 0;
	t[pt_index(va, 1)] = pa | PTE_PRESENT | PTE_WRITE | PTE_PCD | PTE_PWT | nx;
	invlpg((const void *)(uintptr_t)va);
	mmio_pages++;
	return (void *)(uintptr_t)va;
}
