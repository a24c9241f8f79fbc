/* SPDX-License-Identifier: MIT */
/*
 * The SMP stress test of mm/ on the machine: the work of tests/smp/ on
 * every CPU at once. Each CPU runs its seeded mix (seed: the run's, and
 * the CPU id) for RUN_MS with interrupts on while its timer allocates
 * GFP_ATOMIC; the APs through a cross-CPU call, the BSP in the test itself.
 * Then every CPU gives back what it holds, and the BSP frees what nobody
 * holds any more and checks that every frame came back and mm/'s
 * invariants hold. On one CPU the BSP runs it alone with its timer.
 *
 * The run happens once, in whichever of the tests below runs first; each
 * test checks its part of the result.
 */
#include <ktest.h>

#include "cpu.h"
#include "page/report.h"
#include "percpu.h"
#include "printk.h"
#include "smp_task.h"
#include "timer.h"
#include "../smp/smp_stress.h"

#define MS 1000000ull
#define RUN_MS 1000
/* Pressure holds at most this many blocks per CPU (order 2, then 0): 8 MiB,
 * as poisoning more under TCG would take most of the run. */
#define PRESSURE_SLOTS 512

/* What a CPU's worker said, kept once the workers are freed. */
struct cpu_result {
	char summary[256]; /* smp_worker_summary() */
	unsigned long failures, ops, irq_ops;
};

static struct {
	bool ran, set_up;
	unsigned int cpus;
	unsigned long before, after;      /* nr_free_pages(), settled */
	unsigned long leaked_before, leaked_after;
	unsigned long end_failures;       /* freeing what nobody held */
	struct cpu_result cpu[SMP_MAX_CPUS];
} result;

static volatile bool go; /* every CPU starts its mix once the BSP says so */

void smp_env_puts(const char *line)
{
	printk("%s\n", line); /* printk is safe in an interrupt handler */
}

static void tick(void)
{
	smp_irq_work(this_cpu_id()); /* a no-op once its CPU finished */
}

/* One CPU's part, interrupts on: the mix, then all it holds back. */
static void run_mix(struct worker *w)
{
	while (!go)
		cpu_relax();
	smp_worker_loop(w, smp_weights, RUN_MS * MS);
	smp_irq_finish(w);
	smp_worker_finish(w);
}

/* On an AP, as a task of its idle loop: task context, interrupts on. */
static void ap_run(void *arg)
{
	run_mix(arg);
}

static void keep_results(unsigned int n)
{
	for (unsigned int c = 0; c < n; c++) {
		const struct worker *w = smp_worker_of(c);
		struct cpu_result *r = &result.cpu[c];
		smp_worker_summary(w, r->summary, sizeof(r->summary));
		r->failures = w->failures;
		r->irq_ops = w->irq_ticks;
		for (int i = 0; i < OP_COUNT; i++)
			r->ops += w->ops[i];
	}
}

/* Every CPU's cached frames and slab objects back (cross-CPU calls). */
static void settle(void)
{
	kmem_cache_shrink_all();
	drain_all_pages();
}

/* kmem_cache_shrink empties every CPU's array itself (all but the top
 * object on a CPU that takes the call as an interrupt). */
static void shrink_everywhere(struct kmem_cache *c)
{
	kmem_cache_shrink(c);
}

static void run_once(void)
{
	struct worker end = { .cpu = 0 };
	unsigned int n = percpu_cpu_count();

	if (result.ran)
		return;
	result.ran = true;
	result.cpus = n;
	smp_cfg.seed = ktest_seed();
	smp_cfg.threads = n;
	for (int i = 0; i < OP_COUNT; i++)
		smp_cfg.enabled[i] = true;
	settle();
	result.before = nr_free_pages();
	result.leaked_before = kmem_cache_leaked_objects();
	if (!smp_workers_init(n) || !smp_shared_init()) {
		smp_workers_fini();
		return;
	}
	for (unsigned int c = 0; c < n; c++) {
		struct worker *w = smp_worker_of(c);
		w->hold = kmalloc(PRESSURE_SLOTS * sizeof(*w->hold), GFP_KERNEL);
		w->hold_cap = w->hold ? PRESSURE_SLOTS : 0;
	}
	result.set_up = true;
	ktest_printf("#   smp_stress: %u CPUs, %d ms, seed %llu\n", n, RUN_MS,
		     (unsigned long long)smp_cfg.seed);

	timer_set_hook(tick);
	for (unsigned int c = 1; c < n; c++)
		smp_task_start(c, ap_run, smp_worker_of(c));
	uint64_t flags = read_rflags();
	sti();
	go = true;
	run_mix(smp_worker_of(0));
	for (unsigned int c = 1; c < n; c++)
		smp_task_wait(c);
	timer_set_hook(NULL);
	if (!(flags & RFLAGS_IF))
		cli();

	smp_shared_fini(&end, shrink_everywhere);
	for (unsigned int c = 0; c < n; c++)
		kfree(smp_worker_of(c)->hold);
	result.end_failures = end.failures + smp_shrinker_global_failures();
	keep_results(n);
	smp_workers_fini();
	settle();
	mm_check_invariants(); /* panics on a broken one */
	result.after = nr_free_pages();
	result.leaked_after = kmem_cache_leaked_objects();
}

/* A failure naming the CPU, counted by ktest like any other. */
static void expect_cpu(bool ok, unsigned int cpu, const char *what, int line)
{
	char buf[96];

	if (ok)
		return;
	snprintf(buf, sizeof(buf), "cpu %u: %s", cpu, what);
	ktest_fail(__FILE__, line, buf);
}

KTEST(smp_stress, every_cpu_runs_the_mix_clean)
{
	run_once();
	KT_ASSERT(result.set_up);
	for (unsigned int c = 0; c < result.cpus; c++) {
		const struct cpu_result *r = &result.cpu[c];
		ktest_printf("#   %s\n", r->summary);
		expect_cpu(r->failures == 0, c, "stamp, zero or constraint failures", __LINE__);
		expect_cpu(r->ops > 0, c, "no operation ran", __LINE__);
		expect_cpu(r->irq_ops > 0, c, "its timer never allocated", __LINE__);
	}
}

KTEST(smp_stress, all_memory_back)
{
	run_once();
	KT_ASSERT(result.set_up);
	ktest_printf("#   nr_free_pages %lu before, %lu after; %lu failures freeing "
		     "the rest\n", result.before, result.after, result.end_failures);
	KT_EXPECT_EQ(result.end_failures, 0);
	KT_EXPECT_EQ(result.after, result.before);
	KT_EXPECT_EQ(result.leaked_after, result.leaked_before);
}
