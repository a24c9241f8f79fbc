/* SPDX-License-Identifier: MIT */
#include "gdt.h"

#include <stdint.h>

#include "cpu.h"
#include "kstring.h"
#include "percpu.h"

#define IST_STACK_SIZE (16 * 1024)

/* The 64-bit TSS (Intel SDM vol. 3, 8.7). Only the IST slots are used: the
 * kernel never leaves ring 0, so rsp0..2 are never loaded. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

#define GDT_ENTRY_KCODE 0x00af9a000000ffffull /* 64-bit code, DPL 0 */
#define GDT_ENTRY_KDATA 0x00cf92000000ffffull /* data, DPL 0 */
#define TSS_TYPE_AVAILABLE 0x89ull           /* present, 64-bit TSS */

/* One GDT and TSS per CPU: a TSS is marked busy in the GDT that loaded it,
 * and each CPU needs its own IST stacks. */
struct cpu_tables {
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct tss64 tss;
};

static struct cpu_tables tables[SMP_MAX_CPUS];
static uint8_t bsp_ist_stacks[IST_COUNT][IST_STACK_SIZE]
	__attribute__((aligned(16)));

_Static_assert(GDT_TSS / 8 + 1 < sizeof(tables[0].gdt) / sizeof(uint64_t),
	       "the TSS descriptor takes two GDT slots");

/* A system-segment descriptor is 16 bytes: base bits 0..63 and limit. */
static void set_tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffffull) | ((base & 0xffffffull) << 16) |
		  (TSS_TYPE_AVAILABLE << 40) |
		  ((uint64_t)((limit >> 16) & 0xf) << 48) |
		  (((base >> 24) & 0xffull) << 56);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	uint64_t tops[IST_COUNT];

	for (int i = 0; i < IST_COUNT; i++)
		tops[i] = (uint64_t)(uintptr_t)&bsp_ist_stacks[i][IST_STACK_SIZE];
	gdt_init_cpu(0, tops);
}

void gdt_init_cpu(unsigned int cpu, const uint64_t ist_top[IST_COUNT])
{
	struct descriptor_table_ptr ptr;
	uint64_t *gdt = tables[cpu].gdt;
	struct tss64 *t = &tables[cpu].tss;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < IST_COUNT; i++)
		t->ist[i] = ist_top[i];
	t->iomap_base = sizeof(*t); /* no I/O bitmap */

	gdt[0] = 0;
	gdt[GDT_KCODE / 8] = GDT_ENTRY_KCODE;
	gdt[GDT_KDATA / 8] = GDT_ENTRY_KDATA;
	set_tss_descriptor(&gdt[GDT_TSS / 8], (uint64_t)(uintptr_t)t,
			   sizeof(*t) - 1);

	ptr.limit = sizeof(tables[cpu].gdt) - 1;
	ptr.base = (uint64_t)(uintptr_t)gdt;
	__asm__ volatile("lgdt %0\n\t"
			 /* reload CS with a far return, then the data segments */
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"(GDT_KCODE), "r"(GDT_KDATA),
			   "r"(GDT_TSS)
			 : "rax", "memory");
}
