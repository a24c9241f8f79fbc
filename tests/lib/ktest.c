/* SPDX-License-Identifier: MIT */
/*
 * The ktest runner core, shared by the kernel and the host build.
 *
 * Control flow: every test runs under a "test-level" catch frame. A failed
 * KT_ASSERT longjmps to it; so does an unexpected panic or CPU exception
 * (the environment's panic path calls ktest_on_panic()). KT_EXPECT_PANIC
 * pushes a frame above it. The stack depth is restored after every test, so
 * a test that dies half-way never leaves a stale frame behind.
 */
#include <ktest.h>
#include <stdarg.h>

#include "ktest_env.h"

/* Weak: a binary with no KTEST (the benchmark) still links, and runs none. */
extern const struct ktest __start_ktests[] __attribute__((weak));
extern const struct ktest __stop_ktests[] __attribute__((weak));

#define KTEST_MAX_CATCH 8
#define KTEST_PANIC_MSG_MAX 512
#define KTEST_SKIP_REASON_MAX 200

/* What the test frame's ktest_setjmp() returns. */
enum { KTEST_RAN = 0, KTEST_PANICKED = 1, KTEST_ABORTED = 2, KTEST_SKIPPED = 3 };

static ktest_jmp_buf catch_stack[KTEST_MAX_CATCH];
static int catch_depth;
static int test_level_depth = -1; /* index of the running test's frame */
static char last_panic[KTEST_PANIC_MSG_MAX];
static char skip_reason[KTEST_SKIP_REASON_MAX];
static bool test_failed;
static uint64_t run_seed;
static uint64_t rng_state;
static const struct ktest *current;

void ktest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktest_env_vprintf(fmt, ap);
	va_end(ap);
}

/* ---- randomness ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t ktest_rand(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t ktest_rand_below(uint64_t bound)
{
	if (bound == 0)
		return 0;
	/* Rejection sampling keeps it uniform for any bound. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t r;

	do
		r = ktest_rand();
	while (r >= limit);
	return r % bound;
}

uint64_t ktest_seed(void)
{
	return run_seed;
}

/* Each test gets a stream derived from the run seed and its own name, so a
 * test replays identically under test=GLOB selecting it alone. */
static void seed_for_test(const struct ktest *t)
{
	uint64_t h = run_seed;

	for (const char *p = t->suite; *p; p++)
		h = splitmix64(h ^ (uint8_t)*p);
	for (const char *p = t->name; *p; p++)
		h = splitmix64(h ^ (uint8_t)*p);
	rng_state = h ? h : 1;
}

/* ---- matching ---- */

bool ktest_glob_match(const char *glob, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*glob == '*') {
			star = glob++;
			resume = s;
		} else if (*glob == '?' || *glob == *s) {
			glob++;
			s++;
		} else if (star) {
			glob = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*glob == '*')
		glob++;
	return *glob == '\0';
}

static bool selected(const struct ktest *t, const char *glob)
{
	char full[128];
	size_t n = 0;

	if (!glob || !*glob)
		return true;
	for (const char *p = t->suite; *p && n < sizeof(full) - 2; p++)
		full[n++] = *p;
	full[n++] = '.';
	for (const char *p = t->name; *p && n < sizeof(full) - 1; p++)
		full[n++] = *p;
	full[n] = '\0';
	/* Several globs may be given separated by commas. */
	char one[128];
	const char *g = glob;
	while (*g) {
		size_t k = 0;
		while (*g && *g != ',' && k < sizeof(one) - 1)
			one[k++] = *g++;
		one[k] = '\0';
		if (*g == ',')
			g++;
		if (k && ktest_glob_match(one, full))
			return true;
	}
	return false;
}

/* ---- failures ---- */

static void fail_header(const char *file, int line)
{
	test_failed = true;
	ktest_printf("#   FAIL %s:%d (%s.%s, seed=%llu)\n", file, line,
		     current ? current->suite : "?",
		     current ? current->name : "?",
		     (unsigned long long)run_seed);
}

void ktest_fail(const char *file, int line, const char *expr)
{
	fail_header(file, line);
	ktest_printf("#     expected: %s\n", expr);
}

void ktest_fail_eq(const char *file, int line, const char *a_expr,
		   const char *b_expr, unsigned long long a, unsigned long long b)
{
	fail_header(file, line);
	ktest_printf("#     expected: %s == %s\n", a_expr, b_expr);
	ktest_printf("#     left:  %lld (0x%llx)\n", (long long)a, a);
	ktest_printf("#     right: %lld (0x%llx)\n", (long long)b, b);
}

void ktest_panic_missing(const char *file, int line, const char *stmt)
{
	fail_header(file, line);
	ktest_printf("#     expected a panic from: %s\n", stmt);
}

/* Back to the running test's own frame, dropping any KT_EXPECT_PANIC
 * frames above it. */
static _Noreturn void end_test(const char *who, int why)
{
	if (test_level_depth < 0) {
		ktest_printf("# %s outside a test\n", who);
		for (;;)
			;
	}
	catch_depth = test_level_depth + 1;
	ktest_longjmp(catch_stack[test_level_depth], why);
}

_Noreturn void ktest_abort_test(void)
{
	end_test("ktest_abort_test", KTEST_ABORTED);
}

_Noreturn void ktest_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktest_env_vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	end_test("ktest_skip", KTEST_SKIPPED);
}

/* ---- panics ---- */

ktest_jmp_buf *ktest_catch_push(void)
{
	if (catch_depth >= KTEST_MAX_CATCH) {
		ktest_printf("# ktest: KT_EXPECT_PANIC nested too deeply\n");
		ktest_abort_test();
	}
	return &catch_stack[catch_depth++];
}

void ktest_catch_pop(void)
{
	if (catch_depth > 0)
		catch_depth--;
}

bool ktest_catching(void)
{
	return catch_depth > 0;
}

const char *ktest_last_panic(void)
{
	return last_panic;
}

bool ktest_panic_contains(const char *needle)
{
	for (const char *h = last_panic; *h; h++) {
		const char *a = h, *b = needle;
		while (*a && *b && *a == *b)
			a++, b++;
		if (!*b)
			return true;
	}
	return !*needle;
}

void ktest_on_panic(const char *msg)
{
	size_t i = 0;

	if (catch_depth == 0)
		return;
	for (; msg[i] && i < sizeof(last_panic) - 1; i++)
		last_panic[i] = msg[i];
	last_panic[i] = '\0';
	ktest_printf("#   panic caught: %s\n", last_panic);
	/* The top frame is either an expected-panic frame or the test's own. */
	ktest_longjmp(catch_stack[catch_depth - 1], KTEST_PANICKED);
}

/* ---- the run ---- */

int ktest_run_all(const char *glob, uint64_t seed)
{
	/* volatile: live across ktest_setjmp() (GCC's -Wclobbered) */
	const struct ktest *volatile t;
	volatile int passed = 0, failed = 0, skipped = 0, n = 0;
	int total = 0;

	run_seed = seed;
	for (t = __start_ktests; t < __stop_ktests; t++)
		if (selected(t, glob))
			total++;

	ktest_printf("TAP version 14\n");
	ktest_printf("# seed=%llu%s%s\n", (unsigned long long)seed,
		     glob && *glob ? " test=" : "", glob && *glob ? glob : "");
	ktest_printf("1..%d\n", total);
	if (total == 0)
		ktest_printf("# no test matches test=%s here\n", glob ? glob : "");

	for (t = __start_ktests; t < __stop_ktests; t++) {
		if (!selected(t, glob))
			continue;
		n++;
		current = t;
		test_failed = false;
		seed_for_test(t);
		catch_depth = 0;
		test_level_depth = 0;
		catch_depth = 1;
		int why = ktest_setjmp(catch_stack[0]);
		if (why == KTEST_RAN) {
			t->fn();
		} else if (why == KTEST_PANICKED) {
			/* An unexpected panic or exception reached the test frame. */
			test_failed = true;
			ktest_printf("#   FAIL %s:%d (%s.%s, seed=%llu)\n", t->file,
				     t->line, t->suite, t->name,
				     (unsigned long long)run_seed);
			ktest_printf("#     unexpected panic: %s\n", last_panic);
		}
		catch_depth = 0;
		test_level_depth = -1;
		if (test_failed) {
			failed++;
			ktest_printf("not ok %d - %s.%s\n", n, t->suite, t->name);
		} else if (why == KTEST_SKIPPED) {
			skipped++;
			ktest_printf("ok %d - %s.%s # SKIP %s\n", n, t->suite,
				     t->name, skip_reason);
		} else {
			passed++;
			ktest_printf("ok %d - %s.%s\n", n, t->suite, t->name);
		}
	}
	current = NULL;
	if (failed)
		ktest_printf("# failures replay with seed=%llu\n",
			     (unsigned long long)seed);
	ktest_printf("%d passed, %d failed, %d skipped\n", passed, failed,
		     skipped);
	return failed;
}
