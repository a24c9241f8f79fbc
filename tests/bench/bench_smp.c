/* SPDX-License-Identifier: MIT */
/*
 * The fast paths with 1 and with 2 CPUs at once (one thread per CPU, bound
 * with host_cpu_thread_enter), each CPU doing the same work on its own
 * objects: order-0 pair, kmem_cache pair (one cache shared by the CPUs),
 * kmalloc(64) pair, kmalloc churn with 4096 objects live per CPU, and
 * order-0 churn over 1 GiB of slots per CPU, about half live.
 * Each row: ns per operation per CPU (the wall time of the parallel run
 * over one CPU's operations, best of 11 runs) and, on the 2-CPU row, the
 * throughput of both CPUs over that of one (goal: >= 1.8x; 2.0 is perfect
 * scaling). Figures, not tests: a loaded machine lowers the ratio; the
 * libc row checks the harness (glibc's per-thread caches share nothing).
 */
#include <mm/mm.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "host_port.h"

#define GiB (1ull << 30)
#define SMP_BENCH_MAX_CPUS 2
#define SMP_BENCH_RUNS 11

static const struct mm_range map8[] = {
	{ 0x100000, 0xbff00000, MM_RANGE_USABLE },     /* 1 MiB .. 3 GiB */
	{ 0x100000000, 0x140000000, MM_RANGE_USABLE }, /* 4 GiB .. 9 GiB */
};

/* One CPU's part: set up, run iters operations, tear down; prepare (may
 * be NULL) runs once after mm_init, before any CPU starts. */
struct smp_work {
	const char *label;
	void (*prepare)(void);
	void *(*setup)(unsigned int cpu);
	void (*run)(void *state, uint64_t iters);
	void (*teardown)(void *state);
	uint64_t iters;
};

struct smp_thread {
	const struct smp_work *w;
	unsigned int cpu, ncpus;
	void *state;
	pthread_barrier_t *ready, *go, *done;
};

static void *smp_thread_main(void *arg)
{
	struct smp_thread *t = arg;

	host_cpu_thread_enter(t->cpu);
	t->state = t->w->setup(t->cpu);
	pthread_barrier_wait(t->ready);
	pthread_barrier_wait(t->go);
	t->w->run(t->state, t->w->iters);
	pthread_barrier_wait(t->done);
	pthread_barrier_wait(t->go); /* the main thread has read the clock */
	t->w->teardown(t->state);
	host_cpu_thread_leave();
	return NULL;
}

/* The wall time of ncpus CPUs each running iters operations, in ns. */
static uint64_t smp_run_once(const struct smp_work *w, unsigned int ncpus)
{
	pthread_t th[SMP_BENCH_MAX_CPUS];
	struct smp_thread t[SMP_BENCH_MAX_CPUS];
	pthread_barrier_t ready, go, done;

	pthread_barrier_init(&ready, NULL, ncpus + 1);
	pthread_barrier_init(&go, NULL, ncpus + 1);
	pthread_barrier_init(&done, NULL, ncpus + 1);
	for (unsigned int c = 0; c < ncpus; c++) {
		t[c] = (struct smp_thread){ w, c, ncpus, NULL, &ready, &go, &done };
		pthread_create(&th[c], NULL, smp_thread_main, &t[c]);
	}
	pthread_barrier_wait(&ready);
	uint64_t t0 = bench_now_ns();
	pthread_barrier_wait(&go);
	pthread_barrier_wait(&done);
	uint64_t ns = bench_now_ns() - t0;
	pthread_barrier_wait(&go);
	for (unsigned int c = 0; c < ncpus; c++)
		pthread_join(th[c], NULL);
	pthread_barrier_destroy(&ready);
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);
	return ns;
}

static void smp_bench(const struct smp_work *w)
{
	double per_op[SMP_BENCH_MAX_CPUS + 1];

	host_set_log_quiet(true);
	host_set_cpu_count(SMP_BENCH_MAX_CPUS);
	host_mm_init(map8, 2, NULL, 0);
	if (w->prepare)
		w->prepare();
	for (unsigned int n = 1; n <= SMP_BENCH_MAX_CPUS; n++) {
		uint64_t samples[SMP_BENCH_RUNS];

		for (int r = 0; r < SMP_BENCH_RUNS; r++)
			samples[r] = smp_run_once(w, n);
		/* the best run: on a shared machine, noise (a vCPU taken away,
		 * a neighbour's cache traffic) only ever adds time */
		per_op[n] = (double)bench_percentile(samples, SMP_BENCH_RUNS, 0) /
			    (double)w->iters;
		char label[96], note[96];
		snprintf(label, sizeof(label), "%s, %u CPU%s", w->label, n,
			 n > 1 ? "s" : "");
		if (n == 1)
			snprintf(note, sizeof(note), "best of %d", SMP_BENCH_RUNS);
		else
			snprintf(note, sizeof(note), "throughput %.2fx of 1 CPU",
				 n * per_op[1] / per_op[n]);
		bench_row(label, per_op[n], per_op[n] * bench_cycles_per_ns(), note);
	}
}

/* ---- order-0 pair ---- */

static void *no_state(unsigned int cpu)
{
	return NULL;
}

static void no_teardown(void *state)
{
}

BENCH(smp, order0_pair)
{
	static const struct smp_work w = { "order-0 pair", NULL, no_state,
					   bench_page_pair, no_teardown, 4000000 };
	smp_bench(&w);
}

/* ---- kmem_cache pair: one cache, every CPU ---- */

static struct kmem_cache *shared_cache;

static void *cache_state(unsigned int cpu)
{
	return shared_cache;
}

static void make_shared_cache(void)
{
	shared_cache = kmem_cache_create("bench-smp", 64, 0, 0, NULL);
}

BENCH(smp, cache_pair)
{
	static const struct smp_work w = { "kmem_cache pair (64 B, one cache)",
					   make_shared_cache, cache_state, bench_cache_pair,
					   no_teardown, 4000000 };
	smp_bench(&w);
}

/* ---- kmalloc(64) pair ---- */

BENCH(smp, kmalloc64_pair)
{
	static const struct smp_work w = { "kmalloc(64) pair", NULL, no_state,
					   bench_kmalloc64_pair, no_teardown, 4000000 };
	smp_bench(&w);
}

/* ---- kmalloc churn: 4096 live objects per CPU, 16..2048 bytes ---- */

enum { CHURN_LIVE = 4096, CHURN_RAND = 1 << 16 };

struct kchurn {
	void *live[CHURN_LIVE];
	uint16_t slot[CHURN_RAND], size[CHURN_RAND];
	uint32_t pos;
};

static void *kchurn_setup(unsigned int cpu)
{
	struct kchurn *k = malloc(sizeof(*k));
	uint64_t seed = 0x5eed0000 + cpu;

	for (uint32_t i = 0; i < CHURN_RAND; i++) {
		uint64_t r = bench_rand(&seed);
		k->slot[i] = (uint16_t)(r % CHURN_LIVE);
		k->size[i] = (uint16_t)(16 + (r >> 32) % (2048 - 16 + 1));
	}
	for (uint32_t i = 0; i < CHURN_LIVE; i++)
		k->live[i] = kmalloc(k->size[i], GFP_KERNEL);
	k->pos = 0;
	return k;
}

static void kchurn_run(void *state, uint64_t iters)
{
	struct kchurn *k = state;
	uint32_t pos = k->pos;

	for (uint64_t i = 0; i < iters; i++, pos = (pos + 1) & (CHURN_RAND - 1)) {
		uint32_t s = k->slot[pos];
		kfree(k->live[s]);
		k->live[s] = kmalloc(k->size[pos], GFP_KERNEL);
	}
	k->pos = pos;
}

static void kchurn_teardown(void *state)
{
	struct kchurn *k = state;

	for (uint32_t i = 0; i < CHURN_LIVE; i++)
		kfree(k->live[i]);
	free(k);
}

BENCH(smp, kmalloc_churn4096)
{
	static const struct smp_work w = { "kmalloc churn, 4096 live (per pair)",
					   NULL, kchurn_setup, kchurn_run,
					   kchurn_teardown, 2000000 };
	smp_bench(&w);
}

/* ---- order-0 churn: 1 GiB of slots per CPU, about half live ---- */

enum { PCHURN_SLOTS = (int)(GiB >> 12) };

struct pchurn {
	struct page **slot;
	uint64_t rng;
};

static void *pchurn_setup(unsigned int cpu)
{
	struct pchurn *c = malloc(sizeof(*c));

	c->slot = calloc(PCHURN_SLOTS, sizeof(struct page *));
	c->rng = 0x12345678ull + cpu;
	for (size_t k = 0; k < PCHURN_SLOTS; k += 2)
		c->slot[k] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
	return c;
}

static void pchurn_run(void *state, uint64_t iters)
{
	struct pchurn *c = state;

	for (uint64_t i = 0; i < iters; i++) {
		size_t k = (size_t)(bench_rand(&c->rng) % PCHURN_SLOTS);

		if (c->slot[k]) {
			__free_pages(c->slot[k], 0);
			c->slot[k] = NULL;
		} else {
			c->slot[k] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		}
	}
}

static void pchurn_teardown(void *state)
{
	struct pchurn *c = state;

	for (size_t k = 0; k < PCHURN_SLOTS; k++)
		if (c->slot[k])
			__free_pages(c->slot[k], 0);
	free(c->slot);
	free(c);
}

BENCH(smp, order0_churn_1g)
{
	static const struct smp_work w = { "order-0 churn, 1 GiB half live (per op)",
					   NULL, pchurn_setup, pchurn_run,
					   pchurn_teardown, 2000000 };
	smp_bench(&w);
}

/* ---- the harness itself: libc's malloc(64) pair (per-thread caches) ---- */

BENCH(smp, libc_pair)
{
	static const struct smp_work w = { "libc malloc(64) pair (the harness)",
					   NULL, no_state, bench_libc64_pair, no_teardown,
					   4000000 };
	smp_bench(&w);
}
