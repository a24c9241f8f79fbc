/* SPDX-License-Identifier: MIT */
/*
 * ktest: the mm64 test framework. One header for tests that run inside the
 * kernel (over the serial console) and, unchanged, on the host under
 * ASan/UBSan.
 *
 *   #include <ktest.h>
 *   KTEST(buddy, split_and_merge) {
 *       KT_EXPECT(x != NULL);
 *       KT_EXPECT_EQ(order_of(p), 3);
 *       KT_ASSERT(ok);                    // ends this test on failure
 *       KT_EXPECT_PANIC(__free_pages(p, 0)); // passes if the statement panics
 *   }
 *
 * Tests are collected through the `ktests` linker section: a file of KTEST()s
 * needs no registration anywhere. The runner prints TAP version 14 and ends
 * with the line "N passed, N failed, N skipped".
 *
 * A test whose configuration cannot provide what it needs (no RAM above
 * 4 GiB, a build without MM_DEBUG) says so with KT_SKIP("why"): it ends
 * there and is counted as skipped, not passed. Only for what truly cannot
 * be had here: a test that can make its own conditions must.
 *
 * Randomized tests draw from ktest_rand(): the seed is printed at the start of
 * the run and with every failure, and `seed=N` replays it.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- non-local exits: libc's on the host (ASan knows it), ours in the kernel */
#ifdef KTEST_HOSTED
#include <setjmp.h>
typedef jmp_buf ktest_jmp_buf;
#define ktest_setjmp(b) setjmp(b)
#define ktest_longjmp(b, v) longjmp(b, v)
#else
typedef unsigned long ktest_jmp_buf[8];
int ktest_setjmp(ktest_jmp_buf buf) __attribute__((returns_twice));
_Noreturn void ktest_longjmp(ktest_jmp_buf buf, int val);
#endif

struct ktest {
	const char *suite;
	const char *name;
	const char *file;
	int line;
	void (*fn)(void);
};

#define KTEST_SECTION "ktests"

#define KTEST(suite, name)                                                      \
	static void ktest_fn_##suite##_##name(void);                            \
	static const struct ktest ktest_desc_##suite##_##name                   \
		__attribute__((used, section(KTEST_SECTION), aligned(8))) = {   \
			#suite, #name, __FILE__, __LINE__,                      \
			ktest_fn_##suite##_##name };                            \
	static void ktest_fn_##suite##_##name(void)

/* ---- failure reporting (tests/lib/ktest.c) ---- */
void ktest_fail(const char *file, int line, const char *expr);
void ktest_fail_eq(const char *file, int line, const char *a_expr,
		   const char *b_expr, unsigned long long a, unsigned long long b);
_Noreturn void ktest_abort_test(void);

#define KT_EXPECT(cond)                                                         \
	do {                                                                    \
		if (!(cond))                                                    \
			ktest_fail(__FILE__, __LINE__, #cond);                  \
	} while (0)

#define KT_ASSERT(cond)                                                         \
	do {                                                                    \
		if (!(cond)) {                                                  \
			ktest_fail(__FILE__, __LINE__, #cond);                  \
			ktest_abort_test();                                     \
		}                                                               \
	} while (0)

/* Compares as 64-bit integers (pointers are fine); prints both on failure. */
#define KT_EXPECT_EQ(a, b)                                                      \
	do {                                                                    \
		unsigned long long ktest_a_ = (unsigned long long)(a);          \
		unsigned long long ktest_b_ = (unsigned long long)(b);          \
		if (ktest_a_ != ktest_b_)                                       \
			ktest_fail_eq(__FILE__, __LINE__, #a, #b, ktest_a_,     \
				      ktest_b_);                                \
	} while (0)

#define KT_ASSERT_EQ(a, b)                                                      \
	do {                                                                    \
		unsigned long long ktest_a_ = (unsigned long long)(a);          \
		unsigned long long ktest_b_ = (unsigned long long)(b);          \
		if (ktest_a_ != ktest_b_) {                                     \
			ktest_fail_eq(__FILE__, __LINE__, #a, #b, ktest_a_,     \
				      ktest_b_);                                \
			ktest_abort_test();                                     \
		}                                                               \
	} while (0)

/* ---- skips ----
 * Ends the running test: TAP "ok N - suite.name # SKIP reason", counted as
 * skipped. printf-style reason. A test that already failed an expectation
 * stays failed. Also ends a test from inside KT_EXPECT_PANIC's statement.
 */
_Noreturn void ktest_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
#define KT_SKIP(...) ktest_skip(__VA_ARGS__)

/* ---- expected panics ----
 * A panic (or, in the kernel, a CPU exception) inside stmt is caught: the
 * test goes on. If stmt returns normally the expectation fails.
 * KT_EXPECT_PANIC_MSG also requires `needle` in the panic message, so a test
 * proves the panic names the problem.
 * Whatever stmt had allocated or locked when it panicked is the test's to
 * clean up; mm64 never panics while holding one of its locks.
 */
ktest_jmp_buf *ktest_catch_push(void);
void ktest_catch_pop(void);
const char *ktest_last_panic(void);
void ktest_panic_missing(const char *file, int line, const char *stmt);
bool ktest_panic_contains(const char *needle);

#define KT_EXPECT_PANIC_MSG(stmt, needle)                                       \
	do {                                                                    \
		if (ktest_setjmp(*ktest_catch_push()) == 0) {                   \
			stmt;                                                   \
			ktest_catch_pop();                                      \
			ktest_panic_missing(__FILE__, __LINE__, #stmt);         \
		} else {                                                        \
			ktest_catch_pop();                                      \
			if ((needle) && !ktest_panic_contains(needle))          \
				ktest_fail(__FILE__, __LINE__,                  \
					   "panic message contains \""          \
					   "" #needle "\"");                     \
		}                                                               \
	} while (0)

#define KT_EXPECT_PANIC(stmt) KT_EXPECT_PANIC_MSG(stmt, (const char *)0)

/* ---- the environment's panic path calls this ----
 * If a catch is armed, records msg and longjmps to it (does not return).
 * Returns when nothing catches: the caller then stops the machine.
 */
void ktest_on_panic(const char *msg);
bool ktest_catching(void);

/* ---- randomness: xorshift64*, seeded once per run and re-seeded per test */
uint64_t ktest_rand(void);
uint64_t ktest_rand_below(uint64_t bound); /* uniform in [0, bound), bound > 0 */
uint64_t ktest_seed(void);

/* Prints through the environment (serial console or stdout). */
void ktest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs every test whose "suite.name" matches glob (NULL or "" = all).
 * Prints TAP and the summary line "N passed, N failed, N skipped"; returns
 * the number of failures. */
int ktest_run_all(const char *glob, uint64_t seed);

/* Glob with * and ?; exposed so it can be tested. */
bool ktest_glob_match(const char *glob, const char *s);

#endif
