/* SPDX-License-Identifier: MIT */
/*
 * CPU exceptions. Every one of vectors 0..31 is caught: the handler prints
 * the exception's name, vector, error code, RIP, CR2 and all general
 * registers, then panics with "<Name> (vector N, error 0x.., rip 0x..,
 * cr2 0x..)", so a bad pointer is a reported failure and never a triple
 * fault. #DF, NMI and #MC run on IST stacks (kernel/gdt.h); everything else,
 * #PF included, on the current stack.
 */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

#include <stdint.h>

/* Laid out by kernel/isr.asm; see the picture there. */
struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct exception_frame) == 22 * 8,
	       "must match kernel/isr.asm");

#define VEC_DIVIDE_ERROR 0
#define VEC_NMI 2
#define VEC_INVALID_OPCODE 6
#define VEC_DOUBLE_FAULT 8
#define VEC_GENERAL_PROTECTION 13
#define VEC_PAGE_FAULT 14
#define VEC_MACHINE_CHECK 18

/* Fills the IDT (the exceptions and the kernel/irq.h vectors) and loads
 * it on this CPU. Needs gdt_init() first (the IST stacks). */
void idt_init(void);

/* Loads the IDT idt_init() filled on this CPU (an AP: one IDT for all). */
void idt_load(void);

/* The interrupt stubs of kernel/isr.asm: timer, call, spurious. */
#define IRQ_STUBS 3

/* The name of exception vector v ("Page Fault"), or "Unknown". */
const char *exception_name(uint64_t vector);

/* Called by kernel/isr.asm. */
void exception_dispatch(struct exception_frame *f);

#endif
