/* SPDX-License-Identifier: MIT */
/*
 * The exception path: a CPU exception inside KT_EXPECT_PANIC is reported
 * with its name and values, then caught, and the run goes on.
 */
#include <ktest.h>

#include "layout.h"
#include "paging.h"

static uint64_t __attribute__((noinline)) read_at(uint64_t va)
{
	return *(volatile uint64_t *)va;
}

static void __attribute__((noinline)) write_at(uint64_t va, uint64_t v)
{
	*(volatile uint64_t *)va = v;
}

KTEST(exceptions, page_fault_on_unmapped_address)
{
	KT_EXPECT_PANIC_MSG(read_at(0x1000), "Page Fault");
	/* The message carries the faulting address and the vector. */
	KT_EXPECT(ktest_panic_contains("cr2 0x0000000000001000"));
	KT_EXPECT(ktest_panic_contains("vector 14"));
	/* A write: error code bit 1. */
	KT_EXPECT_PANIC_MSG(write_at(0x2000, 1), "Page Fault");
	KT_EXPECT(ktest_panic_contains("error 0x2"));
}

KTEST(exceptions, null_pointer_faults)
{
	/* The boot identity map is gone: page 0 is unmapped. */
	KT_EXPECT_PANIC_MSG(read_at(0), "Page Fault");
	KT_EXPECT(ktest_panic_contains("cr2 0x0000000000000000"));
}

KTEST(exceptions, stack_guard_page_is_unmapped)
{
	uint64_t guard = (uint64_t)(uintptr_t)boot_stack_guard;

	KT_EXPECT_PANIC_MSG(read_at(guard + 64), "Page Fault");
	/* ...while the stack right above it is mapped. */
	KT_EXPECT_EQ(read_at((uint64_t)(uintptr_t)boot_stack_bottom) + 1 != 0, 1);
}

KTEST(exceptions, invalid_opcode)
{
	KT_EXPECT_PANIC_MSG(__asm__ volatile("ud2"), "Invalid Opcode");
	KT_EXPECT(ktest_panic_contains("vector 6"));
}

static void __attribute__((noinline)) divide_by_zero(void)
{
	__asm__ volatile("xorl %%ecx, %%ecx\n\t"
			 "movl $1, %%eax\n\t"
			 "xorl %%edx, %%edx\n\t"
			 "divl %%ecx"
			 :
			 :
			 : "rax", "rcx", "rdx");
}

KTEST(exceptions, divide_error)
{
	KT_EXPECT_PANIC_MSG(divide_by_zero(), "Divide Error");
	KT_EXPECT(ktest_panic_contains("vector 0,"));
}

KTEST(exceptions, general_protection_on_noncanonical_address)
{
	KT_EXPECT_PANIC_MSG(read_at(0x8000000000000000ull),
			    "General Protection Fault");
}

KTEST(exceptions, breakpoint_is_reported)
{
	KT_EXPECT_PANIC_MSG(__asm__ volatile("int3"), "Breakpoint");
}

/* Deep enough to run off the 64 KiB boot stack. */
static volatile int overflow_limit = 1 << 30;

static int __attribute__((noinline)) recurse(int depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth > overflow_limit)
		return 0;
	return recurse(depth + 1) + frame[0];
}

KTEST(exceptions, stack_overflow_reports_double_fault)
{
	/* The guard page turns the overflow into a #PF the CPU cannot push,
	 * hence a #DF, which runs on its IST stack and reports. */
	KT_EXPECT_PANIC_MSG(recurse(0), "Double Fault");
	/* The machine goes on: the IST stack is fresh for the next one. */
	KT_EXPECT_PANIC_MSG(recurse(0), "Double Fault");
}

KTEST(exceptions, run_continues_after_faults)
{
	/* Runs after the faulting tests above (section order); a plain
	 * memory access works and interrupts are still off. */
	volatile uint64_t x = 5;
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	KT_EXPECT_EQ(x, 5);
	KT_EXPECT_EQ(flags & (1ul << 9), 0);
}

static const uint64_t a_constant = 0x0123456789abcdefull;
static uint8_t data_page[64] __attribute__((aligned(64)));

static void __attribute__((noinline)) call_at(uint64_t va)
{
	((void (*)(void))(uintptr_t)va)();
}

KTEST(exceptions, kernel_text_and_rodata_are_read_only)
{
	uint64_t text = (uint64_t)(uintptr_t)read_at;
	uint64_t ro = (uint64_t)(uintptr_t)&a_constant;

	KT_EXPECT_EQ(paging_kernel_pte_flags(text) & PTE_WRITE, 0);
	KT_EXPECT_EQ(paging_kernel_pte_flags(ro) & PTE_WRITE, 0);
	/* A write to either is a protection fault (error: present|write). */
	KT_EXPECT_PANIC_MSG(write_at(text, 0), "Page Fault");
	KT_EXPECT(ktest_panic_contains("error 0x3,"));
	KT_EXPECT_PANIC_MSG(write_at(ro, 0), "Page Fault");
	KT_EXPECT(ktest_panic_contains("error 0x3,"));
	KT_EXPECT_EQ(a_constant, 0x0123456789abcdefull);
}

KTEST(exceptions, kernel_data_is_not_executable)
{
	uint64_t data = (uint64_t)(uintptr_t)data_page;

	KT_EXPECT(paging_kernel_pte_flags(data) & PTE_WRITE);
	if (!paging_has_nx())
		KT_SKIP("this CPU has no NX bit");
	KT_EXPECT(paging_kernel_pte_flags(data) & PTE_NX);
	data_page[0] = 0xc3; /* ret: would run if the page were executable */
	KT_EXPECT_PANIC_MSG(call_at(data), "Page Fault");
	KT_EXPECT(ktest_panic_contains("error 0x11,")); /* present|fetch */
}
