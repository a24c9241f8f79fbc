/* SPDX-License-Identifier: MIT */
/*
 * The report kernel (mm64.elf): boot, print the report, then put every
 * allocator to work — a kmem_cache, kmalloc of many sizes, GFP_DMA,
 * contigmalloc's man-page example, blocks of several orders — print the
 * report again with all of it live, give everything back and check that
 * every frame returned, with interrupts on (the timer ticking on every
 * CPU); then every CPU allocating at once, timer interrupts too
 * (kernel/run_smp.c). Then report the CPUs and their ticks, and exit.
 */
#include <mm/mm.h>

#include "cpu.h"
#include "kernel.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "run_smp.h"
#include "shutdown.h"
#include "smp.h"
#include "smp_call.h"
#include "timer.h"

#define DEMO_OBJECTS 2000
#define DEMO_KMALLOCS 256
#define DEMO_BLOCKS 8
#define DEMO_SMP_MS 300

struct demo_inode {
	uint64_t ino;
	uint32_t mode, nlink;
	char name[40];
};

static void *objects[DEMO_OBJECTS];
static void *kmallocs[DEMO_KMALLOCS];
static struct page *blocks[DEMO_BLOCKS];

MALLOC_DEFINE(M_DEMO, "demo", "boot demo DMA rings");

static void count_call(void *arg)
{
	__atomic_fetch_add((unsigned int *)arg, 1, __ATOMIC_RELAXED);
}

/* Every CPU answers a cross-CPU call; each one's timer has ticked. */
static void report_cpus(void)
{
	unsigned int answered = 0;

	smp_report();
	smp_call_all_others(count_call, &answered);
	for (unsigned int c = 0; c < percpu_cpu_count(); c++)
		printk("smp: cpu %u (APIC id %u): %llu timer ticks\n", c,
		       percpu_of(c)->apic_id,
		       (unsigned long long)timer_ticks(c));
	printk("smp: %u of %u other CPUs answered a cross-CPU call\n",
	       answered, percpu_cpu_count() - 1);
	if (answered != percpu_cpu_count() - 1)
		panic("demo: only %u CPUs answered", answered);
}

_Noreturn void kernel_after_boot(const struct boot_info *bi)
{
	(void)bi;
	/* The demo runs with the tick on: mm/'s locks save and restore IF. */
	sti();
	unsigned long free_before = nr_free_pages();

	printk("\nmm64: the allocators at work (kmem_cache, kmalloc, GFP_DMA, "
	       "contigmalloc, alloc_pages)\n");
	struct kmem_cache *inodes = kmem_cache_create(
		"demo_inode", sizeof(struct demo_inode), 0, SLAB_HWCACHE_ALIGN, NULL);
	if (!inodes)
		panic("demo: kmem_cache_create failed");
	for (int i = 0; i < DEMO_OBJECTS; i++)
		objects[i] = kmem_cache_alloc(inodes, GFP_KERNEL);
	for (int i = 0; i < DEMO_KMALLOCS; i++)
		kmallocs[i] = kmalloc(8u << (i % 11), i % 16 ? GFP_KERNEL : GFP_DMA);
	void *ring = contigmalloc(8192, M_DEMO, M_ZERO, 0, (1L << 22),
				  32 * 1024, 1024 * 1024);
	void *big = contigmalloc(1 << 20, M_DEVBUF, 0, 16 << 20, 1ull << 32,
				 1 << 20, 0);
	for (int i = 0; i < DEMO_BLOCKS; i++)
		blocks[i] = alloc_pages(i % 2 ? GFP_HIGHUSER : GFP_KERNEL, i);

	for (int i = 0; i < DEMO_OBJECTS; i++)
		if (!objects[i])
			panic("demo: kmem_cache_alloc %d failed", i);
	for (int i = 0; i < DEMO_KMALLOCS; i++)
		if (!kmallocs[i])
			panic("demo: kmalloc %d failed", i);
	if (!ring || !big)
		panic("demo: contigmalloc failed");
	printk("demo: contigmalloc(8192, M_ZERO, 0, 4 MiB, 32K align, 1M boundary)"
	       " = phys 0x%llx; 1 MiB in [16 MiB, 4 GiB) = phys 0x%llx\n",
	       (unsigned long long)vtophys(ring), (unsigned long long)vtophys(big));
	printk("demo: %lu frames in use by the demo\n\n",
	       free_before - nr_free_pages());
	mm_report();

	contigfree(big, 1 << 20, M_DEVBUF);
	contigfree(ring, 8192, M_DEMO);
	for (int i = 0; i < DEMO_BLOCKS; i++)
		if (blocks[i])
			__free_pages(blocks[i], i);
	for (int i = 0; i < DEMO_KMALLOCS; i++)
		kfree(kmallocs[i]);
	for (int i = 0; i < DEMO_OBJECTS; i++)
		kmem_cache_free(inodes, objects[i]);
	kmem_cache_destroy(inodes);
	kmem_cache_shrink_all();
	drain_all_pages();
	unsigned long free_after = nr_free_pages();
	printk("demo: everything freed: %lu free frames before, %lu after%s\n",
	       free_before, free_after,
	       free_after == free_before ? " (all returned)" : " (LOST FRAMES)");
	if (free_after != free_before)
		panic("demo: %ld frames did not come back",
		      (long)(free_before - free_after));
	demo_every_cpu_at_once(DEMO_SMP_MS);
	cli();
	report_cpus();
	printk("mm64: boot report complete\n");
	machine_exit(EXIT_SUCCESS_CODE);
}
