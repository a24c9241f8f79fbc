/* SPDX-License-Identifier: MIT */
/* The application processors (kernel/smp.c), their timers (timer.c) and
 * cross-CPU calls (smp_call.c), run from the BSP. The QEMU matrix passes
 * cpus=N, the -smp it asked for. */
#include <ktest.h>

#include "cmdline.h"
#include "cpu.h"
#include "kernel.h"
#include "lapic.h"
#include "percpu.h"
#include "printk.h"
#include "smp.h"
#include "smp_call.h"
#include "smp_task.h"
#include "timer.h"
#include "tsc.h"

#include <mm/mm.h>
#include "slab/slab.h"

#define MS 1000000ull
#define WAIT_LIMIT_NS (2000 * MS) /* a starved vCPU of an -smp 8 guest */
#define ROUNDS 200
#define PRINT_LINES 20

KTEST(smp, every_madt_cpu_started)
{
	char buf[16];
	const struct boot_info *bi = kernel_boot_info();
	const char *want = cmdline_get(bi->cmdline, "cpus", buf, sizeof(buf));

	KT_EXPECT(smp_madt_cpus() >= 1);
	KT_EXPECT_EQ(percpu_cpu_count(), smp_madt_cpus());
	if (want) { /* the QEMU matrix says how many it asked for */
		unsigned long n = 0;
		for (const char *p = want; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned long)(*p - '0');
		KT_EXPECT_EQ(percpu_cpu_count(), n);
	}
}

KTEST(smp, cpu_ids_are_dense_and_apic_ids_distinct)
{
	unsigned int n = percpu_cpu_count();

	KT_EXPECT_EQ(this_cpu_id(), 0);
	KT_EXPECT_EQ(percpu_of(0)->apic_id, lapic_id());
	for (unsigned int c = 0; c < n; c++) {
		KT_EXPECT_EQ(percpu_of(c)->cpu_id, c);
		KT_EXPECT(percpu_of(c)->self == percpu_of(c));
		for (unsigned int d = c + 1; d < n; d++)
			KT_EXPECT(percpu_of(c)->apic_id != percpu_of(d)->apic_id);
	}
	KT_EXPECT_PANIC_MSG(percpu_of(n), "not running");
}

struct whoami {
	unsigned int cpu_id, apic_id;
	uint64_t gs_base;
	uint64_t rflags;
};

static void ask_whoami(void *arg)
{
	struct whoami *w = arg;

	w->cpu_id = this_cpu_id();
	w->apic_id = lapic_id();
	w->gs_base = rdmsr(MSR_GS_BASE);
	w->rflags = read_rflags();
}

KTEST(smp, each_cpu_answers_with_its_own_ids)
{
	for (unsigned int c = 0; c < percpu_cpu_count(); c++) {
		struct whoami w = { 0xffff, 0xffff, 0, RFLAGS_IF };
		smp_call(c, ask_whoami, &w);
		KT_EXPECT_EQ(w.cpu_id, c);
		KT_EXPECT_EQ(w.apic_id, percpu_of(c)->apic_id);
		KT_EXPECT_EQ(w.gs_base, (uintptr_t)percpu_of(c));
		KT_EXPECT_EQ(w.rflags & RFLAGS_IF, 0); /* calls run with IF off */
	}
}

/* Waits (interrupts on, on the BSP too) until every CPU's count passed
 * its start; false after WAIT_LIMIT_NS. */
static bool all_advanced(uint64_t (*count)(unsigned int), const uint64_t *start)
{
	uint64_t end = tsc_now_ns() + WAIT_LIMIT_NS;
	unsigned int n = percpu_cpu_count(), behind = n;
	uint64_t flags = read_rflags();

	sti();
	while (behind && tsc_now_ns() < end) {
		behind = 0;
		for (unsigned int c = 0; c < n; c++)
			behind += count(c) <= start[c];
		cpu_relax();
	}
	if (!(flags & RFLAGS_IF))
		cli();
	return behind == 0;
}

KTEST(smp, timer_ticks_on_every_cpu)
{
	uint64_t start[SMP_MAX_CPUS];

	for (unsigned int c = 0; c < percpu_cpu_count(); c++)
		start[c] = timer_ticks(c);
	KT_EXPECT(all_advanced(timer_ticks, start));
	KT_EXPECT_EQ(read_rflags() & RFLAGS_IF, 0); /* as the tests run */
}

static uint64_t hook_calls[SMP_MAX_CPUS];

static void count_hook(void)
{
	__atomic_fetch_add(&hook_calls[this_cpu_id()], 1, __ATOMIC_RELAXED);
}

static uint64_t hook_count(unsigned int cpu)
{
	return __atomic_load_n(&hook_calls[cpu], __ATOMIC_RELAXED);
}

KTEST(smp, timer_hook_runs_on_every_cpu)
{
	uint64_t start[SMP_MAX_CPUS];

	for (unsigned int c = 0; c < percpu_cpu_count(); c++)
		start[c] = hook_count(c);
	KT_ASSERT(timer_set_hook(count_hook) == NULL); /* NULL by default */
	bool ok = all_advanced(hook_count, start);
	KT_EXPECT(timer_set_hook(NULL) == count_hook);
	KT_EXPECT(ok);
}

static void add_one(void *arg)
{
	__atomic_fetch_add((unsigned long *)arg, 1, __ATOMIC_RELAXED);
}

KTEST(smp, call_all_others_runs_once_on_each)
{
	unsigned long count = 0;
	unsigned int n = percpu_cpu_count();

	for (int i = 0; i < ROUNDS; i++)
		KT_ASSERT_EQ(smp_call_all_others(add_one, &count), n - 1);
	KT_EXPECT_EQ(count, (unsigned long)ROUNDS * (n - 1));
	/* To this CPU: runs from the wait, interrupts off. */
	smp_call(0, add_one, &count);
	KT_EXPECT_EQ(count, (unsigned long)ROUNDS * (n - 1) + 1);
	KT_EXPECT_PANIC_MSG(smp_call(n, add_one, &count), "not running");
}

struct call_back {
	unsigned int to;
	unsigned long *count;
};

/* On one CPU: a synchronous call to another. */
static void call_other(void *arg)
{
	struct call_back *cb = arg;

	smp_call(cb->to, add_one, cb->count);
}

KTEST(smp, cpus_calling_each_other_do_not_deadlock)
{
	unsigned long count = 0;
	unsigned int n = percpu_cpu_count();

	if (n < 2)
		KT_SKIP("one CPU: nobody to call");
	/* CPU 1 calls the BSP while the BSP calls CPU 1. */
	for (int i = 0; i < ROUNDS; i++) {
		struct smp_call a;
		struct call_back to_bsp = { 0, &count };
		smp_call_async(1, &a, call_other, &to_bsp);
		smp_call(1, add_one, &count);
		smp_call_wait(&a);
	}
	KT_EXPECT_EQ(count, 2ul * ROUNDS);
	if (n < 3)
		return;
	/* Two APs calling each other at once, the BSP only watching. */
	count = 0;
	for (int i = 0; i < ROUNDS; i++) {
		struct smp_call a, b;
		struct call_back to2 = { 2, &count }, to1 = { 1, &count };
		smp_call_async(1, &a, call_other, &to2);
		smp_call_async(2, &b, call_other, &to1);
		smp_call_wait(&a);
		smp_call_wait(&b);
	}
	KT_EXPECT_EQ(count, 2ul * ROUNDS);
}

static void print_lines(void *arg)
{
	(void)arg;
	for (int i = 0; i < PRINT_LINES; i++)
		printk("#   smp: printk from cpu %u, line %d of %d\n",
		       this_cpu_id(), i + 1, PRINT_LINES);
}

KTEST(smp, printk_from_all_cpus_at_once)
{
	struct smp_call calls[SMP_MAX_CPUS];
	unsigned int n = percpu_cpu_count();
	unsigned long before = printk_overlaps();

	for (unsigned int c = 1; c < n; c++)
		smp_call_async(c, &calls[c], print_lines, NULL);
	print_lines(NULL);
	for (unsigned int c = 1; c < n; c++)
		smp_call_wait(&calls[c]);
	KT_EXPECT_EQ(printk_overlaps(), before);
}

/* A task runs on its AP in task context: not in an interrupt handler
 * (mm/ may wait there) and with interrupts on. */
struct task_seen {
	unsigned int cpu;
	uint32_t irq_depth;
	bool irqs_on;
};

static void note_context(void *arg)
{
	struct task_seen *t = arg;

	t->cpu = this_cpu_id();
	t->irq_depth = this_cpu()->irq_depth;
	t->irqs_on = (read_rflags() & RFLAGS_IF) != 0;
}

KTEST(smp, tasks_run_on_their_ap_in_task_context)
{
	unsigned int n = percpu_cpu_count();
	struct task_seen seen[SMP_MAX_CPUS];

	if (n == 1)
		KT_SKIP("one CPU: no AP to run a task");
	for (unsigned int c = 1; c < n; c++) {
		seen[c] = (struct task_seen){ ~0u, ~0u, false };
		smp_task_start(c, note_context, &seen[c]);
	}
	for (unsigned int c = 1; c < n; c++) {
		smp_task_wait(c);
		KT_EXPECT_EQ(seen[c].cpu, c);
		KT_EXPECT_EQ(seen[c].irq_depth, 0);
		KT_EXPECT(seen[c].irqs_on);
	}
}

/* A kmem_cache_shrink from the BSP empties each AP's array in the AP's
 * interrupt handler, which must leave the top object (a fast path there
 * may be taking it); the AP's idle loop gives that back (mm_cpu_idle), so
 * soon no object of the cache stays on any CPU. */
struct idle_fill {
	struct kmem_cache *c;
	bool ok;
};

static void fill_array_here(void *arg)
{
	struct idle_fill *f = arg;
	void *objs[16];

	f->ok = true;
	for (int i = 0; i < 16; i++)
		f->ok &= (objs[i] = kmem_cache_alloc(f->c, GFP_KERNEL)) != NULL;
	for (int i = 0; i < 16; i++)
		if (objs[i])
			kmem_cache_free(f->c, objs[i]);
}

KTEST(smp, an_idle_ap_gives_back_what_a_shrink_left)
{
	unsigned int n = percpu_cpu_count();
	struct idle_fill fill[SMP_MAX_CPUS];

	if (n == 1)
		KT_SKIP("one CPU: no AP to leave anything");
	struct kmem_cache *c = kmem_cache_create("t-idle-ap", 64, 0, 0, NULL);
	KT_ASSERT(c);
	for (unsigned int cpu = 1; cpu < n; cpu++) {
		fill[cpu] = (struct idle_fill){ c, false };
		smp_task_start(cpu, fill_array_here, &fill[cpu]);
	}
	for (unsigned int cpu = 1; cpu < n; cpu++) {
		smp_task_wait(cpu);
		KT_EXPECT(fill[cpu].ok);
	}
	KT_EXPECT(mm_slab_cpu_cached(c) >= 16 * (n - 1));
	kmem_cache_shrink(c);
	uint64_t start = tsc_now_ns();
	while (mm_slab_cpu_cached(c) != 0 && tsc_now_ns() - start < WAIT_LIMIT_NS)
		cpu_relax();
	ktest_printf("# objects left on the CPUs %lu ms after the shrink: %lu\n",
		     (unsigned long)((tsc_now_ns() - start) / MS), mm_slab_cpu_cached(c));
	KT_EXPECT_EQ(mm_slab_cpu_cached(c), 0);
	kmem_cache_destroy(c);
}
