/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator at -O2 (MM_DEBUG=0) on a fake 1 GiB map:
 *   slab.cache_pair     kmem_cache_alloc + kmem_cache_free of a 64-byte object
 *   slab.kmalloc64_pair kmalloc(64) + kfree
 *   slab.mixed4096      churn: free a random live object, kmalloc a random
 *   slab.mixed65536     16..2048 bytes, 4096 / 65536 objects live (op = pair)
 *   slab.bulk64         kmem_cache_alloc_bulk + free_bulk of 64, per object
 * and the same workloads on the process's malloc/free in group "libc"
 * (tools/bench.sh runs them again under jemalloc, tcmalloc and mimalloc).
 * Targets (goals, not tests): cache pair <= 20 cycles, kmalloc(64) pair
 * <= 5 ns, mixed with 4096 live <= 12 ns, bulk <= 10 cycles per object.
 *
 * Each workload prints two rows: bench_measure's (wall clock and TSC), and
 * the same runs timed by this thread's CPU time ("cpu" rows; cycles are TSC
 * cycles at the measured TSC rate), which a loaded machine (other processes
 * taking the CPU away mid-run) distorts much less.
 */
#include <mm/mm.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "host_port.h"

static void init1g(void)
{
	static const struct mm_range map[] = {
		{ 0x100000, 0x3ff00000, MM_RANGE_USABLE }, /* 1 MiB .. 1 GiB */
	};
	static const struct mm_range res[] = {
		{ 0x100000, 0x200000, MM_RANGE_RESERVED },
	};
	host_set_log_quiet(true);
	host_mm_init(map, 1, res, 1);
}

/* ---- the workloads, on either allocator ---- */

struct allocator {
	void *(*alloc)(size_t size);
	void (*free)(void *p);
};

static void *k_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void k_free(void *p)
{
	kfree(p);
}

static const struct allocator kmalloc_ops = { k_alloc, k_free };
static const struct allocator libc_ops = { malloc, free };

/* Random slot indices and sizes, drawn before timing. */
enum { RAND_N = 1 << 20 };
static uint32_t rand_slot[RAND_N];
static uint16_t rand_size[RAND_N];

struct mixed {
	const struct allocator *ops;
	void **live;
	uint32_t nlive;
	uint32_t pos;
};

static void mixed_setup(struct mixed *m, const struct allocator *ops, uint32_t nlive)
{
	uint64_t seed = 0x5eed0000 + nlive;

	for (uint32_t i = 0; i < RAND_N; i++) {
		uint64_t r = bench_rand(&seed);
		rand_slot[i] = (uint32_t)(r % nlive);
		rand_size[i] = (uint16_t)(16 + (r >> 32) % (2048 - 16 + 1));
	}
	m->ops = ops;
	m->nlive = nlive;
	m->pos = 0;
	m->live = malloc(nlive * sizeof(void *));
	for (uint32_t i = 0; i < nlive; i++)
		m->live[i] = ops->alloc(rand_size[i % RAND_N]);
}

static void mixed_teardown(struct mixed *m)
{
	for (uint32_t i = 0; i < m->nlive; i++)
		m->ops->free(m->live[i]);
	free(m->live);
}

static void mixed_fn(void *arg, uint64_t iters)
{
	struct mixed *m = arg;
	uint32_t pos = m->pos;

	if (m->ops == &kmalloc_ops) { /* direct calls: no indirection cost */
		for (uint64_t i = 0; i < iters; i++, pos = (pos + 1) & (RAND_N - 1)) {
			uint32_t s = rand_slot[pos];
			kfree(m->live[s]);
			m->live[s] = kmalloc(rand_size[pos], GFP_KERNEL);
		}
	} else {
		for (uint64_t i = 0; i < iters; i++, pos = (pos + 1) & (RAND_N - 1)) {
			uint32_t s = rand_slot[pos];
			free(m->live[s]);
			m->live[s] = malloc(rand_size[pos]);
		}
	}
	m->pos = pos;
}

static void run_mixed(const char *label, const struct allocator *ops, uint32_t nlive)
{
	struct mixed m;

	mixed_setup(&m, ops, nlive);
	bench_measure_cpu(label, mixed_fn, &m, 2000000, 7);
	mixed_teardown(&m);
}

/* ---- slab ---- */

void bench_cache_pair(void *arg, uint64_t iters)
{
	struct kmem_cache *c = arg;

	for (uint64_t i = 0; i < iters; i++) {
		void *p = kmem_cache_alloc(c, GFP_KERNEL);
		bench_keep(p);
		kmem_cache_free(c, p);
	}
}

BENCH(slab, cache_pair)
{
	init1g();
	struct kmem_cache *c = kmem_cache_create("bench-64", 64, 0, 0, NULL);
	bench_measure_cpu("kmem_cache alloc+free pair (64 B)", bench_cache_pair, c,
		10000000, 9);
	kmem_cache_destroy(c);
}

void bench_kmalloc64_pair(void *arg, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		void *p = kmalloc(64, GFP_KERNEL);
		bench_keep(p);
		kfree(p);
	}
}

BENCH(slab, kmalloc64_pair)
{
	init1g();
	bench_measure_cpu("kmalloc(64)+kfree pair", bench_kmalloc64_pair, NULL, 10000000, 9);
}

BENCH(slab, mixed4096)
{
	init1g();
	run_mixed("kmalloc churn 16-2048 B, 4096 live", &kmalloc_ops, 4096);
}

BENCH(slab, mixed65536)
{
	init1g();
	run_mixed("kmalloc churn 16-2048 B, 65536 live", &kmalloc_ops, 65536);
}

enum { BULK = 64 };

static void bulk_fn(void *arg, uint64_t iters)
{
	struct kmem_cache *c = arg;
	void *p[BULK];

	for (uint64_t i = 0; i < iters; i += BULK) {
		if (kmem_cache_alloc_bulk(c, GFP_KERNEL, BULK, p) != BULK)
			abort();
		kmem_cache_free_bulk(c, BULK, p);
	}
}

BENCH(slab, bulk64)
{
	init1g();
	struct kmem_cache *c = kmem_cache_create("bench-bulk", 64, 0, 0, NULL);
	bench_measure_cpu("kmem_cache bulk 64 alloc+free, per object", bulk_fn, c,
		BULK * 200000, 9);
	kmem_cache_destroy(c);
}

/* ---- the same on malloc/free ---- */

void bench_libc64_pair(void *arg, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		void *p = malloc(64);
		bench_keep(p);
		free(p);
	}
}

BENCH(libc, pair64)
{
	bench_measure_cpu("malloc(64)+free pair", bench_libc64_pair, NULL, 10000000, 9);
}

BENCH(libc, mixed4096)
{
	run_mixed("malloc churn 16-2048 B, 4096 live", &libc_ops, 4096);
}

BENCH(libc, mixed65536)
{
	run_mixed("malloc churn 16-2048 B, 65536 live", &libc_ops, 65536);
}

static void libc_bulk_fn(void *arg, uint64_t iters)
{
	void *p[BULK];

	for (uint64_t i = 0; i < iters; i += BULK) {
		for (int k = 0; k < BULK; k++)
			p[k] = malloc(64);
		bench_keep(p[BULK - 1]);
		for (int k = 0; k < BULK; k++)
			free(p[k]);
	}
}

BENCH(libc, bulk64)
{
	bench_measure_cpu("64 malloc(64) then 64 free, per object", libc_bulk_fn,
		NULL, BULK * 200000, 9);
}
