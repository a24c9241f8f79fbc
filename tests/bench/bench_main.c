/* SPDX-License-Identifier: MIT */
/*
 * mm64-bench [GLOB] — runs the benchmarks whose "group.name" matches GLOB
 * (all by default) and prints their figures.
 */
#include <ktest.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "host_port.h"
#include "ktest_env.h"

extern const struct bench __start_benches[] __attribute__((weak));
extern const struct bench __stop_benches[] __attribute__((weak));

static double tsc_per_ns;

/* The host port reports panics through ktest; the benchmark prints them. */
void ktest_env_vprintf(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
}

int ktest_env_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double bench_cycles_per_ns(void)
{
	return tsc_per_ns;
}

static void calibrate_tsc(void)
{
	uint64_t t0 = bench_now_ns(), c0 = bench_cycles();
	while (bench_now_ns() - t0 < 50 * 1000 * 1000)
		;
	uint64_t t1 = bench_now_ns(), c1 = bench_cycles();
	tsc_per_ns = (double)(c1 - c0) / (double)(t1 - t0);
}

void bench_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void bench_row(const char *label, double ns, double cycles, const char *note)
{
	bench_printf("| %-48s | %10.2f | %10.1f | %s |\n", label, ns, cycles,
		     note ? note : "");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_percentile(uint64_t *samples, size_t n, double pct)
{
	if (n == 0)
		return 0;
	qsort(samples, n, sizeof(*samples), cmp_u64);
	size_t i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
	return samples[i < n ? i : n - 1];
}

uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * fn(arg, iters) with the stack pointer moved down by about (run * 37 * 16)
 * mod 4 KiB. Where the stack lies relative to the allocator's data in the
 * low 12 address bits moves a fast path by up to 2x on this CPU (the same
 * binary: kmalloc(64)+kfree 4.2 ns at some offsets, 5.6 at most, 8.8 at a
 * few; glibc's and tcmalloc's pairs move too), and ASLR picks one offset
 * per process. So each timed batch runs at another offset, and the
 * median is a typical placement, the same for every allocator.
 */
__attribute__((noinline)) static void run_at_stack_offset(
	void (*fn)(void *arg, uint64_t iters), void *arg, uint64_t iters, int run)
{
	volatile char *pad = __builtin_alloca(16 + (size_t)(run * 37 % 256) * 16);

	pad[0] = 0;
	fn(arg, iters);
	__asm__ volatile("" ::"r"(pad) : "memory"); /* keep the frame */
}

double bench_measure(const char *label, void (*fn)(void *arg, uint64_t iters),
		     void *arg, uint64_t iters, int runs)
{
	uint64_t ns[64], cyc[64];
	char note[64];

	if (runs < 5)
		runs = 5;
	if (runs > 64)
		runs = 64;
	fn(arg, iters / 8 + 1); /* warm caches and lazily committed memory */
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = bench_now_ns(), c0 = bench_cycles();
		run_at_stack_offset(fn, arg, iters, r);
		uint64_t c1 = bench_cycles(), t1 = bench_now_ns();
		ns[r] = t1 - t0;
		cyc[r] = c1 - c0;
	}
	double med_ns = (double)bench_percentile(ns, (size_t)runs, 50) / (double)iters;
	double med_cyc = (double)bench_percentile(cyc, (size_t)runs, 50) / (double)iters;
	snprintf(note, sizeof(note), "median of %d x %llu", runs,
		 (unsigned long long)iters);
	bench_row(label, med_ns, med_cyc, note);
	return med_ns;
}

static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_measure_cpu(const char *label, void (*fn)(void *arg, uint64_t iters),
		       void *arg, uint64_t iters, int runs)
{
	uint64_t ns[64];
	char cpu_label[96];

	bench_measure(label, fn, arg, iters, runs);
	if (runs < 5)
		runs = 5;
	if (runs > 64)
		runs = 64;
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = thread_ns();
		run_at_stack_offset(fn, arg, iters, r);
		ns[r] = thread_ns() - t0;
	}
	double med = (double)bench_percentile(ns, (size_t)runs, 50) / (double)iters;
	snprintf(cpu_label, sizeof(cpu_label), "%s [cpu]", label);
	bench_row(cpu_label, med, med * bench_cycles_per_ns(),
		  "thread CPU time, median");
}

int main(int argc, char **argv)
{
	const char *glob = argc > 1 ? argv[1] : NULL;
	char full[128];

	host_set_log_quiet(true);
	calibrate_tsc();
	bench_printf("# mm64-bench: TSC %.3f GHz%s%s\n", tsc_per_ns,
		     getenv("LD_PRELOAD") ? ", LD_PRELOAD=" : "",
		     getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
	for (const struct bench *b = __start_benches; b < __stop_benches; b++) {
		snprintf(full, sizeof(full), "%s.%s", b->group, b->name);
		if (glob && !ktest_glob_match(glob, full))
			continue;
		bench_printf("\n## %s\n", full);
		bench_printf("| %-48s | %10s | %10s | %s |\n", "benchmark",
			     "ns/op", "cycles/op", "note");
		bench_printf("|%s|%s|%s|---|\n", "--------------------------------------------------",
			     "------------", "------------");
		b->fn();
	}
	return 0;
}
