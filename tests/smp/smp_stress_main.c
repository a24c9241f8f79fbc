/* SPDX-License-Identifier: MIT */
/*
 * host-smp / host-smp-tsan: mm/ with one thread per CPU.
 *
 *   host-smp[-tsan] [threads=N] [ms=M] [seed=S] [tick_us=T] [nodes=1|2]
 *                   [only=op,op...] [skip=op,op...] [doublefree=0]
 *
 * Each of N threads is bound to a CPU (host_cpu_thread_enter) with a timer
 * interrupt every T us, and runs for M ms a mix drawn from seed S of the
 * operations enabled (smp_stress.h: pages kmalloc cache handoff drain shrink
 * cachelife shrinker contig pressure irq; only=drain,pages runs just those).
 * Then each frees what it holds and leaves its CPU, and the run checks that
 * everything came back: every cache shrunk on every CPU, the shared cache
 * destroyed, drain_all_pages(), mm_check_invariants(), and nr_free_pages()
 * equal to its value before the run. Before any thread starts, two children
 * do a cross-CPU double free (pages, kmalloc) that must panic.
 * TAP: one line per CPU, one for the end check, one per double free.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "host_port.h"
#include "ktest_env.h"
#include "page/report.h"
#include "smp_stress.h"

#define PRESSURE_SLOTS 24576

static pthread_barrier_t start;
static int tap_n, passed, failed;

/* The host port reports panics through ktest: none is expected here. */
void ktest_env_vprintf(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
}

int ktest_env_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

void smp_env_puts(const char *line)
{
	/* write(2): this may run in the timer interrupt (a signal handler) */
	struct iovec v[2] = { { (void *)line, strlen(line) }, { "\n", 1 } };
	ssize_t r = writev(2, v, 2);
	(void)r;
}

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	host_cpu_thread_enter(w->cpu);
	if (smp_cfg.enabled[OP_IRQ])
		host_cpu_timer_start(smp_cfg.tick_ns);
	pthread_barrier_wait(&start); /* every CPU has its thread: calls reach it */
	smp_worker_loop(w, smp_weights, smp_cfg.run_ns);
	host_cpu_timer_stop();
	smp_irq_finish(w);
	smp_worker_finish(w);
	host_cpu_thread_leave();
	return NULL;
}

/* The map: RAM in all three zones, small enough that pressure is quick. */
static void smp_mm_init(void)
{
	static const struct mm_range map[] = {
		{ 0x0, 0x9f000, MM_RANGE_USABLE },
		{ 0x100000, 0x1f00000, MM_RANGE_USABLE },     /* 1M..32M */
		{ 0xc0000000, 0x40000000, MM_RANGE_RESERVED }, /* PCI hole */
		{ 0x100000000, 0x1000000, MM_RANGE_USABLE },   /* 4G..4G+16M */
	};
	static const struct mm_range reserved[] = {
		{ 0x0, 0x100000, MM_RANGE_RESERVED },
		{ 0x100000, 0x100000, MM_RANGE_RESERVED },
	};
	/* nodes=2: the low 32 MiB node 0 (DMA, DMA32), the RAM above 4 GiB
	 * node 1 (NORMAL); the first half of the CPUs on node 0 */
	static const struct mm_node_range nodes[] = {
		{ 0x0, 0x2000000, 0 },
		{ 0x100000000, 0x1000000, 1 },
	};
	static const uint8_t distance[4] = { 10, 21, 21, 10 };
	uint8_t cpu_node[MM_MAX_CPUS];

	for (unsigned int c = 0; c < smp_cfg.threads; c++)
		cpu_node[c] = smp_cfg.nodes == 2 && c >= smp_cfg.threads / 2;
	host_set_numa(cpu_node, smp_cfg.threads, distance, 2);
	host_mm_init_numa(map, 4, reserved, 2, nodes, smp_cfg.nodes == 2 ? 2 : 0);
}

/* Every CPU's cached objects and frames back, from this unbound thread. */
static void settle(void)
{
	for (unsigned int c = 0; c < smp_cfg.threads; c++) {
		host_set_cpu(c);
		kmem_cache_shrink_all();
	}
	host_set_cpu(0);
	drain_all_pages();
}

/* The threads have left their CPUs: each CPU's array emptied as that CPU. */
static void shrink_everywhere(struct kmem_cache *c)
{
	for (unsigned int cpu = 0; cpu < smp_cfg.threads; cpu++) {
		host_set_cpu(cpu);
		kmem_cache_shrink(c);
	}
	host_set_cpu(0);
}

static bool parse_ops(const char *list, bool on)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int i = 0;
		while (i < OP_COUNT && strcmp(t, smp_op_names[i]))
			i++;
		if (i == OP_COUNT) {
			fprintf(stderr, "unknown operation '%s'\n", t);
			return false;
		}
		smp_cfg.enabled[i] = on;
	}
	return true;
}

static bool parse_args(int argc, char **argv, bool *doublefree)
{
	smp_cfg.seed = (uint64_t)time(NULL);
	for (int i = 0; i < OP_COUNT; i++)
		smp_cfg.enabled[i] = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "threads=", 8))
			smp_cfg.threads = (unsigned int)strtoul(a + 8, NULL, 0);
		else if (!strncmp(a, "ms=", 3))
			smp_cfg.run_ns = strtoull(a + 3, NULL, 0) * 1000000ull;
		else if (!strncmp(a, "seed=", 5) && a[5])
			smp_cfg.seed = strtoull(a + 5, NULL, 0);
		else if (!strncmp(a, "tick_us=", 8))
			smp_cfg.tick_ns = strtoull(a + 8, NULL, 0) * 1000ull;
		else if (!strncmp(a, "only=", 5)) {
			for (int k = 0; k < OP_COUNT; k++)
				smp_cfg.enabled[k] = false;
			if (!parse_ops(a + 5, true))
				return false;
		} else if (!strncmp(a, "skip=", 5)) {
			if (!parse_ops(a + 5, false))
				return false;
		} else if (!strncmp(a, "nodes=", 6)) {
			smp_cfg.nodes = (unsigned int)strtoul(a + 6, NULL, 0);
		} else if (!strncmp(a, "doublefree=", 11))
			*doublefree = a[11] != '0';
		else
			return false;
	}
	return smp_cfg.threads >= 1 && smp_cfg.threads <= MM_MAX_CPUS &&
	       smp_cfg.tick_ns >= 1000 && (smp_cfg.nodes == 1 || smp_cfg.nodes == 2);
}

int main(int argc, char **argv)
{
	bool doublefree = true;
	pthread_t th[MM_MAX_CPUS];

	if (!parse_args(argc, argv, &doublefree)) {
		fprintf(stderr, "usage: %s [threads=N] [ms=M] [seed=S] [tick_us=T] "
			"[nodes=1|2] [only=op,...] [skip=op,...] [doublefree=0]\n",
			argv[0]);
		return 2;
	}
	printf("TAP version 14\n1..%u\n", smp_cfg.threads + 1 + (doublefree ? 3 : 0));
	printf("# seed=%llu threads=%u nodes=%u ms=%llu tick_us=%llu ops:",
	       (unsigned long long)smp_cfg.seed, smp_cfg.threads, smp_cfg.nodes,
	       (unsigned long long)(smp_cfg.run_ns / 1000000),
	       (unsigned long long)(smp_cfg.tick_ns / 1000));
	for (int i = 0; i < OP_COUNT; i++)
		if (smp_cfg.enabled[i])
			printf(" %s", smp_op_names[i]);
	printf("\n");
	fflush(stdout);

	if (doublefree) { /* forked while this process has one thread */
		static const char *const kinds[] = { "pages", "kmalloc" };
		char msg[600];
		for (int k = 0; k < 2; k++) {
			bool ok = smp_doublefree_caught(kinds[k], msg, sizeof(msg));
			tap(ok, "cross-CPU double free (%s) caught: %s", kinds[k], msg);
		}
		bool ok = smp_doublefree_caught("deadcpu", msg, sizeof(msg));
		tap(ok, "use of a dead CPU's id caught: %s", msg);
	}

	host_set_log_quiet(true);
	host_set_cpu_count(smp_cfg.threads);
	smp_mm_init();
	settle();
	unsigned long before = nr_free_pages();
	if (!smp_shared_init())
		abort();
	if (!smp_workers_init(smp_cfg.threads))
		abort();
	host_cpu_set_interrupt_work(smp_irq_work);
	pthread_barrier_init(&start, NULL, smp_cfg.threads);
	for (unsigned int c = 0; c < smp_cfg.threads; c++) {
		struct worker *w = smp_worker_of(c);
		w->hold_cap = PRESSURE_SLOTS;
		w->hold = malloc(PRESSURE_SLOTS * sizeof(*w->hold));
		if (!w->hold)
			abort();
		pthread_create(&th[c], NULL, worker_main, w);
	}
	for (unsigned int c = 0; c < smp_cfg.threads; c++)
		pthread_join(th[c], NULL);
	host_cpu_set_interrupt_work(NULL);

	for (unsigned int c = 0; c < smp_cfg.threads; c++) {
		struct worker *w = smp_worker_of(c);
		char line[512];
		smp_worker_summary(w, line, sizeof(line));
		tap(w->failures == 0, "%s", line);
		free(w->hold);
	}

	/* What no CPU holds any more: the rings, the global pool, the cache. */
	struct worker end = { .cpu = 0 };
	host_set_cpu(0);
	smp_shared_fini(&end, shrink_everywhere);
	smp_workers_fini();
	settle();
	mm_check_invariants(); /* panics on a broken one */
	unsigned long after = nr_free_pages();
	unsigned long fails = end.failures + smp_shrinker_global_failures();
	tap(after == before && fails == 0 && kmem_cache_leaked_objects() == 0,
	    "end: invariants hold, nr_free_pages %lu before, %lu after, %lu failures "
	    "freeing the rest, %lu objects leaked", before, after, fails,
	    kmem_cache_leaked_objects());
	printf("%d passed, %d failed, 0 skipped\n", passed, failed);
	return failed ? 1 : 0;
}
