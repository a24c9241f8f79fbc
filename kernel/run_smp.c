/* SPDX-License-Identifier: MIT */
/*
 * The report kernel's SMP demo: every CPU allocates at once. Each CPU (the
 * APs as idle-loop tasks, the BSP itself) runs GFP_KERNEL work for a short
 * time, frames of orders 0-3, kmalloc of assorted sizes and objects of one
 * shared kmem_cache, holding a few dozen at a time and freeing the oldest,
 * while its timer interrupt allocates and frees with GFP_ATOMIC. Every
 * object carries its owner's stamp, checked before it is freed.
 */
#include "run_smp.h"

#include <mm/mm.h>

#include "cpu.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "smp_task.h"
#include "timer.h"
#include "tsc.h"

#define HELD 48 /* objects a CPU holds at once */

enum held_kind { HELD_PAGES, HELD_KMALLOC, HELD_CACHE, HELD_KINDS };

struct held {
	void *p;
	uint8_t kind, order;
};

struct cpu_demo {
	struct held held[HELD];
	uint64_t rng, task_ops, irq_ops, bad_stamps, nulls;
} __attribute__((aligned(64)));

static struct cpu_demo demo[SMP_MAX_CPUS];
static struct kmem_cache *shared;
static uint64_t run_until_ns;

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t stamp_of(const void *p, unsigned int cpu)
{
	return (uint64_t)(uintptr_t)p ^ (0x5eedull << 32) ^ cpu;
}

static void give_back(struct cpu_demo *d, struct held *h, unsigned int cpu)
{
	if (!h->p)
		return;
	if (*(uint64_t *)h->p != stamp_of(h->p, cpu))
		d->bad_stamps++;
	if (h->kind == HELD_PAGES)
		free_pages((unsigned long)h->p, h->order);
	else if (h->kind == HELD_KMALLOC)
		kfree(h->p);
	else
		kmem_cache_free(shared, h->p);
	h->p = NULL;
}

static void take(struct cpu_demo *d, struct held *h, unsigned int cpu)
{
	uint64_t r = next_rand(&d->rng);

	h->kind = (uint8_t)(r % HELD_KINDS);
	h->order = (uint8_t)((r >> 8) % 4);
	if (h->kind == HELD_PAGES)
		h->p = (void *)__get_free_pages(GFP_KERNEL, h->order);
	else if (h->kind == HELD_KMALLOC)
		h->p = kmalloc(8 + (r >> 16) % 4000, GFP_KERNEL);
	else
		h->p = kmem_cache_alloc(shared, GFP_KERNEL);
	if (!h->p) {
		d->nulls++;
		return;
	}
	*(uint64_t *)h->p = stamp_of(h->p, cpu);
}

/* The timer's share: one of each with GFP_ATOMIC, given back at once. */
static void tick(void)
{
	unsigned int cpu = this_cpu_id();
	struct cpu_demo *d = &demo[cpu];
	struct page *pg = alloc_pages(GFP_ATOMIC, 0);
	void *k = kmalloc(64, GFP_ATOMIC);
	void *o = kmem_cache_alloc(shared, GFP_ATOMIC);

	if (pg)
		__free_pages(pg, 0);
	kfree(k);
	if (o)
		kmem_cache_free(shared, o);
	d->irq_ops += 3;
}

static void work(void *arg)
{
	unsigned int cpu = this_cpu_id();
	struct cpu_demo *d = &demo[cpu];

	(void)arg;
	d->rng = 0x9e3779b97f4a7c15ull * (cpu + 1);
	for (unsigned int i = 0; tsc_now_ns() < run_until_ns; i = (i + 1) % HELD) {
		give_back(d, &d->held[i], cpu);
		take(d, &d->held[i], cpu);
		d->task_ops++;
	}
	for (unsigned int i = 0; i < HELD; i++)
		give_back(d, &d->held[i], cpu);
}

/* kmem_cache_shrink_all on one CPU gives back that CPU's arrays too. */
static void shrink_here(void *arg)
{
	(void)arg;
	kmem_cache_shrink_all();
}

/* Every CPU gives its cached frames and slab arrays back, so the free
 * count before and after compares what the demo itself held. */
static void settle(unsigned int n)
{
	for (unsigned int c = 1; c < n; c++)
		smp_task_start(c, shrink_here, NULL);
	for (unsigned int c = 1; c < n; c++)
		smp_task_wait(c);
	kmem_cache_shrink_all();
	drain_all_pages();
}

void demo_every_cpu_at_once(unsigned int ms)
{
	unsigned int n = percpu_cpu_count();
	uint64_t bad = 0;

	settle(n);
	unsigned long free_before = nr_free_pages();

	shared = kmem_cache_create("demo_shared", 128, 0, 0, NULL);
	if (!shared)
		panic("demo: kmem_cache_create failed");
	run_until_ns = tsc_now_ns() + (uint64_t)ms * 1000000;
	timer_set_hook(tick);
	for (unsigned int c = 1; c < n; c++)
		smp_task_start(c, work, NULL);
	work(NULL);
	for (unsigned int c = 1; c < n; c++)
		smp_task_wait(c);
	timer_set_hook(NULL);
	for (unsigned int c = 0; c < n; c++) {
		printk("demo: cpu %u: %llu GFP_KERNEL operations, %llu GFP_ATOMIC in "
		       "its timer interrupt, %llu refused, %llu bad stamps\n", c,
		       (unsigned long long)demo[c].task_ops,
		       (unsigned long long)demo[c].irq_ops,
		       (unsigned long long)demo[c].nulls,
		       (unsigned long long)demo[c].bad_stamps);
		bad += demo[c].bad_stamps;
	}
	kmem_cache_destroy(shared);
	settle(n);
	unsigned long free_after = nr_free_pages();
	printk("demo: %u CPU%s at once for %u ms: %lu free frames before, %lu "
	       "after%s\n", n, n == 1 ? "" : "s", ms, free_before, free_after,
	       free_after == free_before ? " (all returned)" : " (LOST FRAMES)");
	if (bad || free_after != free_before)
		panic("demo: %llu bad stamps, %ld frames lost", (unsigned long long)bad,
		      (long)(free_before - free_after));
}
