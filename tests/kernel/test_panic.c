/* SPDX-License-Identifier: MIT */
/* panic() and the stack trace, as the kernel reports them. */
#include <ktest.h>
#include <mm/port.h>

#include "layout.h"
#include "panic.h"

static void __attribute__((noinline)) do_panic(int v)
{
	panic("test_panic: deliberate (%d)", v);
}

KTEST(panic, caught_with_file_line_and_message)
{
	KT_EXPECT_PANIC_MSG(do_panic(1234), "test_panic: deliberate (1234)");
	/* "file:line: message", as mm_port_panic on the host gives it */
	KT_EXPECT(ktest_panic_contains("tests/kernel/test_panic.c:"));
}

KTEST(panic, mm_port_panic_takes_the_same_path)
{
	KT_EXPECT_PANIC_MSG(mm_port_panic("somefile.c", 77, "%s %d", "port", 5),
			    "somefile.c:77: port 5");
}

KTEST(panic, run_goes_on_after_a_caught_panic)
{
	/* A second panic right after the first is not "nested". */
	KT_EXPECT_PANIC(do_panic(1));
	KT_EXPECT_PANIC(do_panic(2));
	KT_EXPECT(ktest_panic_contains("(2)"));
}

static int __attribute__((noinline)) collect_here(uint64_t *pcs, int max)
{
	return stack_trace_collect(0, pcs, max);
}

static int __attribute__((noinline)) two_deep(uint64_t *pcs, int max)
{
	int n = collect_here(pcs, max);
	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return n;
}

KTEST(panic, stack_trace_walks_to_the_boot_root)
{
	uint64_t pcs[STACK_TRACE_MAX];
	int n = two_deep(pcs, STACK_TRACE_MAX);

	/* collect_here, two_deep, this test, the runner, kernel_after_boot,
	 * kernel_main, the boot stub: at least five frames, and the walk
	 * ended at the root (rbp = 0), not at the limit. */
	KT_EXPECT(n >= 5);
	KT_EXPECT(n < STACK_TRACE_MAX);
	for (int i = 0; i < n; i++)
		KT_EXPECT(kernel_image_contains(pcs[i]));
}

KTEST(panic, stack_trace_print_survives_bad_frames)
{
	/* Printing from here works... */
	KT_EXPECT(stack_trace_print("# ", 0) >= 3);
	/* ...and a corrupt frame pointer prints nothing instead of faulting:
	 * unmapped, misaligned, outside the image, the direct map. */
	uint64_t pcs[4];
	KT_EXPECT_EQ(stack_trace_collect(0x1000, pcs, 4), 0);
	KT_EXPECT_EQ(stack_trace_collect((uint64_t)(uintptr_t)__kernel_vstart + 3,
					 pcs, 4),
		     0);
	KT_EXPECT_EQ(stack_trace_collect(0xffff800000001000ull, pcs, 4), 0);
	KT_EXPECT_EQ(stack_trace_collect(0xfffffffffffffff8ull, pcs, 4), 0);
}
