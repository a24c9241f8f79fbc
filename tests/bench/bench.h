/* SPDX-License-Identifier: MIT */
/*
 * The benchmark harness (host, -O2, MM_DEBUG=0). A file of BENCH()es needs
 * no registration:
 *
 *   static void pair(void *arg, uint64_t iters) { for (...) { a = alloc(); free(a); } }
 *   BENCH(page, order0_pair) { bench_measure("order-0 alloc+free pair", pair, NULL, 1 << 20, 7); }
 *
 * Figures are printed as markdown table rows (label | ns/op | cycles/op |
 * note) so they paste into the README. "cycles" are TSC cycles.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

struct bench {
	const char *group;
	const char *name;
	void (*fn)(void);
};

#define BENCH(group, name)                                                      \
	static void bench_fn_##group##_##name(void);                            \
	static const struct bench bench_desc_##group##_##name                   \
		__attribute__((used, section("benches"), aligned(8))) = {       \
			#group, #name, bench_fn_##group##_##name };             \
	static void bench_fn_##group##_##name(void)

static inline uint64_t bench_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

uint64_t bench_now_ns(void);
double bench_cycles_per_ns(void); /* TSC rate, measured once at start */

/* Keeps the compiler from deleting work whose result is unused. */
#define bench_keep(x) __asm__ volatile("" : : "r"(x) : "memory")

/*
 * Runs fn(arg, iters) `runs` times (at least 5), each a timed batch of
 * iters operations; prints a row with the median ns and cycles per
 * operation and returns the median ns per operation.
 */
double bench_measure(const char *label, void (*fn)(void *arg, uint64_t iters),
		     void *arg, uint64_t iters, int runs);

/*
 * bench_measure, then the same batches timed by thread CPU time (a second
 * row, "[cpu]"): on a shared machine that row leaves out time spent
 * descheduled.
 */
void bench_measure_cpu(const char *label, void (*fn)(void *arg, uint64_t iters),
		       void *arg, uint64_t iters, int runs);

/* Prints a row of figures measured some other way. */
void bench_row(const char *label, double ns, double cycles, const char *note);
void bench_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sorts samples in place; returns the pct-th percentile (0..100). */
uint64_t bench_percentile(uint64_t *samples, size_t n, double pct);

/* The pair workloads, shared by the single-CPU and the SMP benchmarks:
 * iters alloc+free pairs of an order-(uintptr_t)order block
 * (bench_page_alloc.c), of an object of the cache (bench_slab.c), of
 * kmalloc(64) and of malloc(64) (bench_slab.c). */
void bench_page_pair(void *order, uint64_t iters);
void bench_cache_pair(void *cache, uint64_t iters);
void bench_kmalloc64_pair(void *unused, uint64_t iters);
void bench_libc64_pair(void *unused, uint64_t iters); /* malloc(64)+free */

/* Seeded PRNG for workloads (xorshift64*). */
uint64_t bench_rand(uint64_t *state);

#endif
