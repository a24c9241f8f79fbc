/* SPDX-License-Identifier: MIT */
/* The test framework tests itself: globbing, randomness, expected panics. */
#include <ktest.h>

KTEST(ktest, glob_matches)
{
	KT_EXPECT(ktest_glob_match("*", "buddy.alloc"));
	KT_EXPECT(ktest_glob_match("buddy.*", "buddy.alloc"));
	KT_EXPECT(ktest_glob_match("*.alloc", "buddy.alloc"));
	KT_EXPECT(ktest_glob_match("b?ddy.a*c", "buddy.alloc"));
	KT_EXPECT(!ktest_glob_match("slab.*", "buddy.alloc"));
	KT_EXPECT(!ktest_glob_match("buddy", "buddy.alloc"));
	KT_EXPECT(ktest_glob_match("", ""));
}

KTEST(ktest, rand_below_stays_in_bounds)
{
	for (int i = 0; i < 10000; i++) {
		uint64_t bound = 1 + ktest_rand() % 1000;
		KT_ASSERT(ktest_rand_below(bound) < bound);
	}
	/* Not constant: 64 draws of a 64-bit generator cannot all be equal. */
	uint64_t first = ktest_rand(), differs = 0;
	for (int i = 0; i < 64; i++)
		differs |= ktest_rand() ^ first;
	KT_EXPECT(differs != 0);
}

static int panicked_value;

static void do_panic(void)
{
	extern _Noreturn void mm_port_panic(const char *, int, const char *, ...);
	panicked_value = 1;
	mm_port_panic(__FILE__, __LINE__, "deliberate panic %d", 42);
}

KTEST(ktest, expect_panic_catches_and_continues)
{
	panicked_value = 0;
	KT_EXPECT_PANIC(do_panic());
	KT_EXPECT_EQ(panicked_value, 1);
	KT_EXPECT_PANIC_MSG(do_panic(), "deliberate panic 42");
	KT_EXPECT(ktest_panic_contains("deliberate"));
	KT_EXPECT(!ktest_panic_contains("no such text"));
}
