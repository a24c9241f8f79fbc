/* SPDX-License-Identifier: MIT */
#include "idt.h"

#include <stdbool.h>

#include "cpu.h"
#include "gdt.h"
#include "irq.h"
#include "ksyms.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "shutdown.h"
#include "smp.h"

#ifdef KTEST_KERNEL
#include <ktest.h>
#endif

#define IDT_VECTORS 256
#define EXCEPTION_VECTORS 32
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

extern const uint64_t isr_stub_table[EXCEPTION_VECTORS];
extern const uint64_t irq_stub_table[IRQ_STUBS][2]; /* vector, address */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

static const char *const names[EXCEPTION_VECTORS] = {
	"Divide Error", "Debug", "NMI", "Breakpoint", "Overflow",
	"BOUND Range Exceeded", "Invalid Opcode", "Device Not Available",
	"Double Fault", "Coprocessor Segment Overrun", "Invalid TSS",
	"Segment Not Present", "Stack-Segment Fault",
	"General Protection Fault", "Page Fault", "Reserved (15)",
	"x87 Floating-Point Error", "Alignment Check", "Machine Check",
	"SIMD Floating-Point Exception", "Virtualization Exception",
	"Control Protection Exception", "Reserved (22)", "Reserved (23)",
	"Reserved (24)", "Reserved (25)", "Reserved (26)", "Reserved (27)",
	"Hypervisor Injection Exception", "VMM Communication Exception",
	"Security Exception", "Reserved (31)",
};

const char *exception_name(uint64_t vector)
{
	return vector < EXCEPTION_VECTORS ? names[vector] : "Unknown";
}

static uint8_t ist_for(int vector)
{
	switch (vector) {
	case VEC_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MACHINE_CHECK:
		return IST_MACHINE_CHECK;
	default:
		return 0; /* #PF and the rest: the current stack */
	}
}

static void set_gate(int v, uint64_t a)
{
	idt[v] = (struct idt_gate){
		.offset_lo = (uint16_t)a,
		.selector = GDT_KCODE,
		.ist = ist_for(v),
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (uint16_t)(a >> 16),
		.offset_hi = (uint32_t)(a >> 32),
	};
}

void idt_init(void)
{
	for (int v = 0; v < EXCEPTION_VECTORS; v++)
		set_gate(v, isr_stub_table[v]);
	for (int i = 0; i < IRQ_STUBS; i++)
		set_gate((int)irq_stub_table[i][0], irq_stub_table[i][1]);
	idt_load();
}

void idt_load(void)
{
	struct descriptor_table_ptr ptr;

	ptr.limit = sizeof(idt) - 1;
	ptr.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

/* "[write, not-present, kernel]" for a page-fault error code. */
static void describe_pf_error(uint64_t err, char *buf, size_t size)
{
	snprintf(buf, size, "%s, %s, %s%s%s",
		 err & (1u << 1) ? "write" : "read",
		 err & (1u << 0) ? "protection" : "not-present",
		 err & (1u << 2) ? "user" : "kernel",
		 err & (1u << 3) ? ", reserved bit" : "",
		 err & (1u << 4) ? ", instruction fetch" : "");
}

/* Before GS is set up (percpu_init_bsp), the BSP's count is here. */
static int early_exception_depth;

void exception_dispatch(struct exception_frame *f)
{
	const char *name = exception_name(f->vector);
	uint64_t cr2 = read_cr2();
	const char *pre = "";
	char pf[80] = "";

	/* Another CPU panicked and sent the NMI that stops this one. */
	if (f->vector == VEC_NMI && smp_stopping())
		smp_stop_this_cpu();
	int *depth = percpu_ready() ? &this_cpu()->exception_depth
				    : &early_exception_depth;
	if (++*depth > 1) {
		/* Faulting while reporting a fault: stop before it loops. */
		printk("\nmm64: nested exception %s (vector %lu) at rip %p\n",
		       name, (unsigned long)f->vector, (void *)f->rip);
		machine_exit(EXIT_PANIC);
	}
#ifdef KTEST_KERNEL
	if (ktest_catching() && this_cpu_id_early() == 0)
		pre = "#   "; /* keep the TAP stream clean: comments */
#endif
	if (f->vector == VEC_PAGE_FAULT)
		describe_pf_error(f->error_code, pf, sizeof(pf));

	unsigned long held = printk_hold(); /* one report, not interleaved */
	printk("%sEXCEPTION: %s (vector %lu) error 0x%lx%s%s%s\n", pre, name,
	       (unsigned long)f->vector, (unsigned long)f->error_code,
	       pf[0] ? " [" : "", pf, pf[0] ? "]" : "");
	uint64_t off = 0;
	const char *fn = ksym_lookup(f->rip, &off);
	char where[96] = "";
	if (fn)
		snprintf(where, sizeof(where), " (%s+0x%llx)", fn,
			 (unsigned long long)off);
	printk("%s  rip %p%s  cs %04lx  rflags %08lx  cr2 %p\n", pre,
	       (void *)f->rip, where, (unsigned long)f->cs,
	       (unsigned long)f->rflags, (void *)cr2);
	printk("%s  rax %p  rbx %p  rcx %p\n", pre, (void *)f->rax,
	       (void *)f->rbx, (void *)f->rcx);
	printk("%s  rdx %p  rsi %p  rdi %p\n", pre, (void *)f->rdx,
	       (void *)f->rsi, (void *)f->rdi);
	printk("%s  rbp %p  rsp %p  r8  %p\n", pre, (void *)f->rbp,
	       (void *)f->rsp, (void *)f->r8);
	printk("%s  r9  %p  r10 %p  r11 %p\n", pre, (void *)f->r9,
	       (void *)f->r10, (void *)f->r11);
	printk("%s  r12 %p  r13 %p  r14 %p\n", pre, (void *)f->r12,
	       (void *)f->r13, (void *)f->r14);
	printk("%s  r15 %p  cr3 %p\n", pre, (void *)f->r15, (void *)read_cr3());
	printk_release(held);

	--*depth;
	panic("%s (vector %lu, error 0x%lx, rip %p, cr2 %p)", name,
	      (unsigned long)f->vector, (unsigned long)f->error_code,
	      (void *)f->rip, (void *)cr2);
}
