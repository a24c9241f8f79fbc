/* SPDX-License-Identifier: MIT */
#include "gdt.h"

#include <stdint.h>

#include "cpu.h"
#include "kstring.h"

#define IST_STACK_SIZE (16 * 1024)
#define IST_COUNT 3

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

static struct tss64 tss;
static uint64_t gdt[5] __attribute__((aligned(16)));
static uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE]
	__attribute__((aligned(16)));

_Static_assert(GDT_TSS / 8 + 1 < sizeof(gdt) / sizeof(gdt[0]),
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
	struct descriptor_table_ptr ptr;

	memset(&tss, 0, sizeof(tss));
	for (int i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O bitmap */

	gdt[0] = 0;
	gdt[GDT_KCODE / 8] = GDT_ENTRY_KCODE;
	gdt[GDT_KDATA / 8] = GDT_ENTRY_KDATA;
	set_tss_descriptor(&gdt[GDT_TSS / 8], (uint64_t)(uintptr_t)&tss,
			   sizeof(tss) - 1);

	ptr.limit = sizeof(gdt) - 1;
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
