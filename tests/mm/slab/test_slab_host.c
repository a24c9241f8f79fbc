/* SPDX-License-Identifier: MIT */
/*
 * Slab tests that need a memory map of their own or several pretend CPUs
 * (host only): GFP_KERNEL under real memory pressure recovers the memory
 * caches hold, GFP_NOWAIT and GFP_ATOMIC do not reclaim, per-CPU arrays of
 * two CPUs, and a clean restart on mm_init.
 */
#include <ktest.h>
#include <mm/mm.h>

#include "host_port.h"
#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"
#include "slab/slab.h"
#include "stats.h"
#include "slab_host_util.h"

/* 1 MiB .. 17 MiB of RAM: all of it ZONE_DMA (and a little ZONE_DMA32). */
static void small_machine(void)
{
	static const struct mm_range map[] = {
		{ 0x100000, 0x1000000, MM_RANGE_USABLE },
	};
	host_mm_init(map, 1, NULL, 0);
}

enum { MAX_PAGES = 8192 };
static struct page *pages[MAX_PAGES];

/* Takes order-0 frames with gfp until it fails; returns how many. */
static size_t exhaust(size_t have, gfp_t gfp)
{
	while (have < MAX_PAGES && (pages[have] = alloc_pages(gfp | __GFP_NOWARN, 0)))
		have++;
	return have;
}

KTEST(slab_host, pressure_reclaims_cache_memory)
{
	small_machine();
	struct kmem_cache *held = kmem_cache_create("t-held", 2000, 0, 0, NULL);
	struct kmem_cache *fresh = kmem_cache_create("t-fresh", 2000, 0, 0, NULL);
	struct kmem_cache *atomic = kmem_cache_create("t-atomic", 2000, 0, 0, NULL);
	struct kmem_cache_info in;
	enum { N = 400 };
	static void *objs[N];

	KT_ASSERT(held && fresh && atomic);
	/* Fill a cache, then free everything: its memory sits in empty slabs
	 * and the per-CPU array. */
	for (int i = 0; i < N; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(held, GFP_KERNEL)));
	for (int i = 0; i < N; i++)
		kmem_cache_free(held, objs[i]);
	kmem_cache_get_info(held, &in);
	unsigned long held_pages = in.pages;
	KT_ASSERT(held_pages > 0);

	/* Take every frame above the min watermark. */
	size_t n = exhaust(0, GFP_NOWAIT);
	KT_ASSERT(n < MAX_PAGES);
	kmem_cache_get_info(held, &in);
	KT_EXPECT_EQ(in.pages, held_pages);

	/* NOWAIT fails and ATOMIC (success or not) never reclaims. */
	unsigned long calls = mm_stat_read(MM_STAT_SHRINKER_CALLS);
	KT_EXPECT(kmalloc(3000, GFP_NOWAIT | __GFP_NOWARN) == NULL);
	void *bulk[64];
	KT_EXPECT_EQ(kmem_cache_alloc_bulk(fresh, GFP_NOWAIT | __GFP_NOWARN, 64, bulk), 0);
	kmem_cache_get_info(fresh, &in);
	KT_EXPECT_EQ(in.active_objs, 0); /* all or nothing */
	void *a = kmem_cache_alloc(atomic, GFP_ATOMIC | __GFP_NOWARN);
	KT_EXPECT_EQ(mm_stat_read(MM_STAT_SHRINKER_CALLS), calls);
	kmem_cache_get_info(held, &in);
	KT_EXPECT_EQ(in.pages, held_pages);

	/* GFP_KERNEL reclaims the held cache's memory and succeeds. */
	void *obj = kmem_cache_alloc(fresh, GFP_KERNEL | __GFP_NOWARN);
	KT_EXPECT(obj != NULL);
	KT_EXPECT(mm_stat_read(MM_STAT_SHRINKER_CALLS) > calls);
	kmem_cache_get_info(held, &in);
	KT_EXPECT(in.pages < held_pages);

	while (n)
		__free_pages(pages[--n], 0);
	if (obj)
		kmem_cache_free(fresh, obj);
	if (a)
		kmem_cache_free(atomic, a);
	kmem_cache_destroy(held);
	kmem_cache_destroy(fresh);
	kmem_cache_destroy(atomic);
	host_mm_default();
}

KTEST(slab_host, nofail_gets_memory_back_from_caches)
{
	small_machine();
	struct kmem_cache *held = kmem_cache_create("t-nofail", 512, 0, 0, NULL);
	enum { N = 300 };
	static void *objs[N];

	KT_ASSERT(held);
	for (int i = 0; i < N; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(held, GFP_KERNEL)));
	for (int i = 0; i < N; i++)
		kmem_cache_free(held, objs[i]);
	size_t n = exhaust(0, GFP_NOWAIT);
	unsigned long calls = mm_stat_read(MM_STAT_SHRINKER_CALLS);
	void *p = kmalloc(100, GFP_KERNEL | __GFP_NOFAIL); /* never NULL */
	KT_EXPECT(p != NULL);
	KT_EXPECT(mm_stat_read(MM_STAT_SHRINKER_CALLS) > calls);
	kfree(p);
	while (n)
		__free_pages(pages[--n], 0);
	kmem_cache_destroy(held);
	host_mm_default();
}

/* Destroys c and shrinks every cache on CPUs 1 and 0: every frame since
 * start is back. */
static void destroy_on_two_cpus(struct kmem_cache *c, unsigned long start)
{
	kmem_cache_destroy(c);
	host_set_cpu(1);
	kmem_cache_shrink_all();
	host_set_cpu(0);
	kmem_cache_shrink_all();
	KT_EXPECT_EQ(nr_free_pages(), start);
}

KTEST(slab_host, two_cpus_arrays)
{
	kmem_cache_shrink_all();
	unsigned long start = nr_free_pages();
	struct kmem_cache *c = kmem_cache_create("t-2cpu", 128, 0, 0, NULL);
	enum { N = 500 };
	static void *objs[N];

	KT_ASSERT(c);
	host_set_cpu(1);
	for (int i = 0; i < N; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	host_set_cpu(0);
	for (int i = 0; i < N; i++) /* remote frees land in CPU 0's array */
		kmem_cache_free(c, objs[i]);
	KT_EXPECT(c->cpu[0] != NULL && c->cpu[1] != NULL);
	/* CPU 0 takes objects CPU 1 allocated: no object is handed out twice. */
	for (int i = 0; i < N; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	for (int i = 0; i < N; i++)
		*(int *)objs[i] = i;
	for (int i = 0; i < N; i++)
		KT_EXPECT_EQ(*(int *)objs[i], i);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	/* kmem_cache_shrink empties every CPU's array (CPU 1's on CPU 1, a
	 * cross-CPU call) and gives this CPU's back: every slab is freed. */
	KT_EXPECT(c->cpu[1]->avail > 0);
	kmem_cache_shrink(c);
	KT_EXPECT(c->cpu[0] == NULL);
	KT_EXPECT(c->cpu[1] != NULL && c->cpu[1]->avail == 0);
	struct kmem_cache_info in;
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.slabs, 0);
	destroy_on_two_cpus(c, start);
}

/* Frees half of objs[0..n) (the even ones) as CPU cpu and gives that
 * CPU's array back to the slabs; returns to CPU 0. */
static void free_half_on(struct kmem_cache *c, unsigned int cpu, void **objs,
			 int n)
{
	host_set_cpu(cpu);
	for (int i = 0; i < n; i += 2)
		kmem_cache_free(c, objs[i]);
	mm_slab_cpu_drop(c);
	host_set_cpu(0);
}

/* Each CPU refills from the slabs it took objects from, so the objects of a
 * slab and its descriptor tend to stay with one CPU: CPU 1 gets its slots
 * back, not the ones CPU 0 freed last (with one shared partial list it took
 * whatever slab was freed into last, and the slabs of two CPUs mixed). */
KTEST(slab_host, a_cpu_refills_from_its_own_slabs)
{
	kmem_cache_shrink_all();
	unsigned long start = nr_free_pages();
	struct kmem_cache *c = kmem_cache_create("t-own", 256, 0, 0, NULL);
	enum { N = 256 };
	static void *a[N], *b[N];

	KT_ASSERT(c);
	for (int i = 0; i < N; i++) {
		host_set_cpu(1);
		KT_ASSERT((b[i] = kmem_cache_alloc(c, GFP_KERNEL)));
		host_set_cpu(0);
		KT_ASSERT((a[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	}
	free_half_on(c, 1, b, N);
	free_half_on(c, 0, a, N); /* CPU 0's slabs are the latest partial ones */
	KT_EXPECT(c->cpu_partial[0].count > 0 && c->cpu_partial[1].count > 0);
	host_set_cpu(1);
	for (int i = 0; i < N; i += 2) {
		KT_ASSERT((b[i] = kmem_cache_alloc(c, GFP_KERNEL)));
		struct slab *slab = mm_slab_of_object(c, b[i]);
		KT_EXPECT_EQ(slab->cpu, 1);
		bool theirs = false; /* a slab holding objects CPU 0 uses */
		for (int j = 1; j < N && !theirs; j += 2)
			theirs = mm_slab_of_object(c, a[j]) == slab;
		KT_EXPECT(!theirs);
	}
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, b[i]);
	host_set_cpu(0);
	for (int i = 1; i < N; i += 2)
		kmem_cache_free(c, a[i]);
	destroy_on_two_cpus(c, start);
}

/* Before it makes a slab, a CPU takes free slots from another CPU's partial
 * slab: owning slabs costs no memory. */
KTEST(slab_host, a_cpu_takes_another_cpus_slab_before_a_new_one)
{
	struct kmem_cache *c = kmem_cache_create("t-steal", 64, 0, 0, NULL);
	struct kmem_cache_info in;
	enum { N = 16 };
	static void *objs[N];

	KT_ASSERT(c);
	host_set_cpu(1); /* CPU 1's array exists, and is empty */
	void *o = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT(o);
	kmem_cache_free(c, o);
	mm_slab_cpu_drop(c);
	void *first = kmem_cache_alloc(c, GFP_KERNEL); /* the slab is CPU 1's */
	KT_ASSERT(first);
	mm_slab_cpu_drop(c);
	host_set_cpu(0);
	KT_EXPECT_EQ(c->cpu_partial[1].count, 1);
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.slabs, 1);
	for (int i = 0; i < N; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.slabs, 1); /* no new slab: CPU 1's had room */
	KT_EXPECT_EQ(mm_slab_of_object(c, objs[0])->cpu, 0);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, first);
	kmem_cache_destroy(c);
}

/* A flush that finds an array busy (it interrupted the array's owner) only
 * flags it; the owner empties it when it releases the array. */
KTEST(slab_host, busy_array_is_flushed_by_its_owner)
{
	kmem_cache_shrink_all();
	unsigned long start = nr_free_pages();
	struct kmem_cache *c = kmem_cache_create("t-defer", 64, 0, 0, NULL);
	enum { N = 40 };
	void *objs[N];

	KT_ASSERT(c);
	slab_fill_cpu_array(c, 1, objs, N);
	struct kmem_cpu_cache *cc = c->cpu[1];
	KT_ASSERT(cc && cc->avail > 0);
	uint32_t avail = cc->avail;
	cc->busy = 1; /* CPU 1 is inside an operation on c */
	kmem_cache_shrink(c);
	KT_EXPECT_EQ(cc->avail, avail); /* untouched, flagged */
	KT_EXPECT(cc->flush_pending);
	host_set_cpu(1);
	slab_cpu_release(c, cc); /* CPU 1 finishes its operation */
	KT_EXPECT_EQ(cc->avail, 0);
	KT_EXPECT(!cc->busy && !cc->flush_pending);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	kmem_cache_shrink_all();
	KT_EXPECT_EQ(nr_free_pages(), start);
}

/* Destroying a cache while an operation on it runs on another CPU is
 * caught, naming the CPU. */
KTEST(slab_host, destroy_while_in_use_panics)
{
	struct kmem_cache *c = kmem_cache_create("t-inuse", 64, 0, 0, NULL);

	KT_ASSERT(c);
	host_set_cpu(1);
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT(p);
	kmem_cache_free(c, p);
	c->cpu[1]->busy = 1;
	host_set_cpu(0);
	KT_EXPECT_PANIC_MSG(kmem_cache_destroy(c), "in use on CPU 1");
	host_mm_default(); /* the panic left the cache half destroyed */
}

KTEST(slab_host, reinit_forgets_everything)
{
	struct kmem_cache *c = kmem_cache_create("t-old", 64, 0, 0, NULL);
	KT_ASSERT(c);
	KT_ASSERT(kmem_cache_alloc(c, GFP_KERNEL));
	KT_ASSERT(kmalloc(100, GFP_KERNEL));
	host_mm_default(); /* the old arena, cache and objects are gone */
	unsigned long start = nr_free_pages();
	void *p = kmalloc(100, GFP_KERNEL);
	KT_ASSERT(p);
	struct kmem_cache_info in;
	kmem_cache_get_info(mm_slab_cache_of(p, "test"), &in);
	KT_EXPECT_EQ(in.active_objs, 1);
	KT_EXPECT_EQ(in.slabs, 1);
	kfree(p);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
	kmem_cache_shrink_all();
	KT_EXPECT_EQ(nr_free_pages(), start);
}

/* A free never takes a frame: a CPU without an array for the cache gets
 * one on a free only if an array object is already there; otherwise the
 * object goes straight back to its slab. (The slab shrinker frees objects
 * and descriptors on its way: an array made then cost memory reclaim was
 * meant to give back.) */
KTEST(slab_host, a_free_never_takes_a_frame)
{
	enum { CPUS = MM_MAX_CPUS };
	unsigned int cpus = mm_port_cpu_count();
	struct kmem_cache *c = kmem_cache_create("t-freer", 64, 0, 0, NULL);
	static void *objs[CPUS];
	struct kmem_cache_info arrays;

	KT_ASSERT(c);
	host_set_cpu_count(CPUS);
	for (int i = 0; i < CPUS; i++) /* all from CPU 0 */
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	/* 63 CPUs with no array: more arrays than the array cache has free
	 * slots, so making them all would take new slabs */
	kmem_cache_get_info(&mm_slab_cpu_array_cache, &arrays);
	KT_ASSERT(arrays.total_objs - arrays.active_objs < CPUS - 1);
	unsigned long frames = arrays.pages, free_before = nr_free_pages();
	for (unsigned int cpu = 1; cpu < CPUS; cpu++) { /* CPUs with no array */
		host_set_cpu(cpu);
		kmem_cache_free(c, objs[cpu]);
	}
	host_set_cpu(0);
	kmem_cache_get_info(&mm_slab_cpu_array_cache, &arrays);
	ktest_printf("# array cache: %lu frames before the frees, %lu after; "
		     "free frames %lu before, %lu after\n", frames,
		     (unsigned long)arrays.pages, free_before, nr_free_pages());
	KT_EXPECT(arrays.pages <= frames);
	KT_EXPECT(nr_free_pages() >= free_before);
	kmem_cache_free(c, objs[0]);
	for (unsigned int cpu = 0; cpu < CPUS; cpu++) {
		host_set_cpu(cpu);
		kmem_cache_shrink(c);
	}
	host_set_cpu(0);
	kmem_cache_destroy(c);
	host_set_cpu_count(cpus);
}
