/* SPDX-License-Identifier: MIT */
/*
 * The frame allocator benchmarks, small, inside the test kernel: figures
 * under emulation (QEMU TCG, debug build with poisoning switched off for
 * the measurement, so the figures are the allocator's) to set beside the
 * host -O2 figures of `make bench`. On the host this runs under ASan.
 * Checks that every operation succeeded and every frame came back.
 */
#include "page_test_util.h"

#ifdef KTEST_KERNEL
#define BENCH_WHERE "emulated: QEMU TCG, MM_DEBUG=1, poisoning off"
#else
#define BENCH_WHERE "host: ASan/UBSan -O1, MM_DEBUG=1, poisoning off"
#endif

static void report(const char *what, uint64_t ns, unsigned long ops)
{
	ktest_printf("# bench (%s): %-40s %6llu ns/op (%lu ops)\n", BENCH_WHERE,
		     what, (unsigned long long)(ns / (ops ? ops : 1)), ops);
}

static unsigned long pair(unsigned int order, unsigned long n)
{
	unsigned long ok = 0;

	for (unsigned long i = 0; i < n; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		if (p) {
			ok++;
			__free_pages(p, order);
		}
	}
	return ok;
}

KTEST(page_bench, emulated_figures)
{
	struct buddyinfo start;
	static struct page *slot[4096];
	static uint8_t slot_order[4096];

	page_test_begin(&start);
	bool poison = mm_poison_enabled;
	mm_poison_enabled = false; /* measure the allocator, not the debug fill */
	uint64_t t0 = mm_port_now_ns();
	KT_EXPECT_EQ(pair(0, 20000), 20000);
	report("order-0 alloc+free pair, per-CPU list", mm_port_now_ns() - t0, 20000);

	mm_pcp_enabled = false;
	t0 = mm_port_now_ns();
	KT_EXPECT_EQ(pair(0, 20000), 20000);
	report("order-0 alloc+free pair, buddy lists", mm_port_now_ns() - t0, 20000);
	mm_pcp_enabled = true;

	t0 = mm_port_now_ns();
	KT_EXPECT_EQ(pair(9, 50), 50);
	report("order-9 alloc+free pair", mm_port_now_ns() - t0, 50);

	/* random churn of orders 0..max over 4096 slots */
	for (unsigned int max = 0; max <= 9; max += 9) {
		unsigned long ops = 0, fails = 0;
		t0 = mm_port_now_ns();
		int n = max ? 2000 : 40000;
		for (int i = 0; i < n; i++) {
			unsigned k = (unsigned)ktest_rand_below(4096);
			if (slot[k]) {
				__free_pages(slot[k], slot_order[k]);
				slot[k] = NULL;
			} else {
				unsigned int o = (unsigned int)ktest_rand_below(max + 1);
				slot[k] = alloc_pages(GFP_KERNEL | __GFP_NOWARN |
						      __GFP_NORETRY, o);
				slot_order[k] = (uint8_t)o;
				fails += slot[k] == NULL;
			}
			ops++;
		}
		report(max ? "random churn, orders 0-9" : "random churn, order 0",
		       mm_port_now_ns() - t0, ops);
		for (int k = 0; k < 4096; k++)
			if (slot[k]) {
				__free_pages(slot[k], slot_order[k]);
				slot[k] = NULL;
			}
		/* order-0 churn over 4096 slots never runs out */
		if (!max)
			KT_EXPECT_EQ(fails, 0);
	}
	mm_poison_enabled = poison;
	page_test_end(&start);
}
