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

/* A flush that finds an array claimed (a slow path of its owner holds it)
 * only flags it; the owner empties it when it releases the claim. */
KTEST(slab_host, claimed_array_is_flushed_by_its_owner)
{
	kmem_cache_shrink_all();
	unsigned long start = nr_free_pages();
	struct kmem_cache *c = kmem_cache_create("t-defer", 64, 0, 0, NULL);
	enum { N = 40 };
	void *objs[N], *before[SLAB_CPU_LIMIT_MAX];
	uint32_t n;

	KT_ASSERT(c);
	slab_fill_cpu_array(c, 1, objs, N);
	struct kmem_cpu_cache *cc = c->cpu[1];
	KT_ASSERT(cc && cc->avail > 0);
	host_set_cpu(1);
	KT_ASSERT(slab_cpu_claim(cc, &n)); /* CPU 1 is in a slow path on c */
	host_set_cpu(0);
	__builtin_memcpy(before, cpu_objs(cc), n * sizeof(void *));
	kmem_cache_shrink(c);
	KT_EXPECT(__builtin_memcmp(before, cpu_objs(cc), n * sizeof(void *)) == 0);
	KT_EXPECT(cc->flush_pending);
	host_set_cpu(1);
	slab_cpu_release(c, cc, n); /* CPU 1 ends its slow path */
	KT_EXPECT_EQ(cc->avail, 0);
	KT_EXPECT(!cc->busy && !cc->flush_pending);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	kmem_cache_shrink_all();
	KT_EXPECT_EQ(nr_free_pages(), start);
}

/* CPU 1's array of c holding at least n objects; returns it. */
static struct kmem_cpu_cache *array_of_cpu1(struct kmem_cache *c, void **objs, int n)
{
	slab_fill_cpu_array(c, 1, objs, n);
	return c->cpu[1];
}

/* mm_slab_cpu_empty as the cross-CPU call runs it on CPU 1: in its
 * interrupt handler. */
static unsigned long flush_cpu1_in_interrupt(struct kmem_cache *c)
{
	host_set_cpu(1);
	host_in_interrupt = true;
	unsigned long frames = mm_slab_cpu_empty(c);
	host_in_interrupt = false;
	host_set_cpu(0);
	return frames;
}

/* Objects out of c's slabs (handed out or in arrays). */
static unsigned long active_objects(struct kmem_cache *c)
{
	unsigned long irq = mm_port_lock_irqsave(&c->lock);
	unsigned long n = c->inuse;

	mm_port_unlock_irqrestore(&c->lock, irq);
	return n;
}

/* A flush in an interrupt handler may have interrupted a fast path on the
 * array, so it leaves slot[avail] and sets the floor under it; the owner
 * hands out that object, then refills, and no object is handed out twice. */
KTEST(slab_host, flush_in_an_interrupt_leaves_the_top_object)
{
	struct kmem_cache *c = kmem_cache_create("t-irqflush", 64, 0, 0, NULL);
	enum { N = 40 };
	void *objs[N], *got[2 * N];

	KT_ASSERT(c);
	struct kmem_cpu_cache *cc = array_of_cpu1(c, objs, N);
	KT_ASSERT(cc);
	uint32_t a = cc->avail;
	KT_ASSERT(a >= 2);
	void *top = cc->slot[a];
	unsigned long active = active_objects(c);
	flush_cpu1_in_interrupt(c);
	KT_EXPECT_EQ(cc->avail, a);
	KT_EXPECT_EQ(cc->base, a - 1);
	KT_EXPECT(cc->slot[a - 1] == NULL && cc->slot[a] == top);
	KT_EXPECT_EQ(mm_slab_cpu_cached(c), 1);
	KT_EXPECT_EQ(active_objects(c), active - (a - 1));
	flush_cpu1_in_interrupt(c); /* again: nothing below the top */
	KT_EXPECT_EQ(cc->base, a - 1);
	host_set_cpu(1);
	for (int i = 0; i < 2 * N; i++) {
		KT_ASSERT((got[i] = kmem_cache_alloc(c, GFP_KERNEL)));
		for (int j = 0; j < i; j++)
			KT_EXPECT(got[j] != got[i]);
	}
	KT_EXPECT(got[0] == top);
	KT_EXPECT_EQ(cc->base, 0); /* the refill's claim moved the floor */
	for (int i = 0; i < 2 * N; i++)
		kmem_cache_free(c, got[i]);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
}

/* The two points inside a fast path where a flush's interrupt can fall
 * and change what the path then stores, written out step by step as
 * slab_cpu_pop and slab_free_push do them: after a pop has read the top,
 * and after a push has written the slot above it. */
KTEST(slab_host, flush_in_an_interrupt_inside_a_fast_path)
{
	struct kmem_cache *c = kmem_cache_create("t-irqmid", 64, 0, 0, NULL);
	enum { N = 40 };
	void *objs[N];

	KT_ASSERT(c);
	/* A pop: avail A and slot[A] read, then the flush, then avail A - 1. */
	struct kmem_cpu_cache *cc = array_of_cpu1(c, objs, N);
	uint32_t a = cc->avail;
	void *popped = cc->slot[a];
	flush_cpu1_in_interrupt(c);
	slab_cpu_set_avail(cc, a - 1);
	mm_slab_debug_on_alloc(c, popped, "test"); /* as the pop's caller does */
	KT_EXPECT_EQ(mm_slab_cpu_cached(c), 0);
	KT_EXPECT(cc->slot[cc->avail] == NULL); /* empty: the next pop refills */
	host_set_cpu(1);
	void *next = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT(next != NULL && next != popped);
	kmem_cache_free(c, next);
	kmem_cache_free(c, popped);
	host_set_cpu(0);

	/* A push of x: avail A read, slot[A + 1] = x, the flush, avail A + 1. */
	host_set_cpu(1);
	void *x = kmem_cache_alloc(c, GFP_KERNEL);
	host_set_cpu(0);
	KT_ASSERT(x);
	a = cc->avail;
	KT_ASSERT(a >= 1 && a < cc->limit);
	void *below = cc->slot[a];
	mm_slab_debug_on_free(c, x, "test"); /* as kmem_cache_free does first */
	cc->slot[a + 1] = x;
	flush_cpu1_in_interrupt(c);
	slab_cpu_set_avail(cc, a + 1);
	KT_EXPECT_EQ(mm_slab_cpu_cached(c), 2);
	host_set_cpu(1);
	KT_EXPECT(kmem_cache_alloc(c, GFP_KERNEL) == x);
	KT_EXPECT(kmem_cache_alloc(c, GFP_KERNEL) == below);
	kmem_cache_free(c, below);
	kmem_cache_free(c, x);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
}

/* Interrupt handlers never touch the arrays: they allocate and free
 * through the slabs, so an interrupted fast path cannot race them. */
KTEST(slab_host, interrupt_handlers_use_the_slabs)
{
	struct kmem_cache *c = kmem_cache_create("t-irqslab", 64, 0, 0, NULL);
	enum { N = 40 };
	void *objs[N], *before[SLAB_CPU_LIMIT_MAX];

	KT_ASSERT(c);
	struct kmem_cpu_cache *cc = array_of_cpu1(c, objs, N);
	uint32_t a = cc->avail;
	__builtin_memcpy(before, cc->slot, (a + 1) * sizeof(void *));
	host_set_cpu(1);
	host_in_interrupt = true;
	void *p = kmem_cache_alloc(c, GFP_ATOMIC);
	void *q = kmalloc(64, GFP_ATOMIC);
	KT_EXPECT(p != NULL && q != NULL);
	kmem_cache_free(c, p);
	kfree(q);
	host_in_interrupt = false;
	host_set_cpu(0);
	KT_EXPECT_EQ(cc->avail, a);
	KT_EXPECT(__builtin_memcmp(before, cc->slot, (a + 1) * sizeof(void *)) == 0);
	for (uint32_t i = 1; i <= a; i++)
		KT_EXPECT(p != before[i]);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
}

/* Destroying a cache while a slow path on it runs on another CPU (its
 * array claimed) is caught, naming the CPU. */
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

/* What a flush in an interrupt leaves (the top of each array it emptied)
 * comes back when the CPU next goes idle: mm_cpu_idle() empties those
 * arrays whole, and does nothing when no flush left anything. */
KTEST(slab_host, idle_gives_back_what_a_flush_in_an_interrupt_left)
{
	struct kmem_cache *c = kmem_cache_create("t-idle", 64, 0, 0, NULL);
	enum { N = 40 };
	void *objs[N];

	KT_ASSERT(c);
	struct kmem_cpu_cache *cc = array_of_cpu1(c, objs, N);
	host_set_cpu(1);
	mm_cpu_idle(); /* nothing pending: the array is kept */
	host_set_cpu(0);
	uint32_t a = cc->avail;
	KT_EXPECT(a >= 2);
	flush_cpu1_in_interrupt(c);
	KT_EXPECT_EQ(mm_slab_cpu_cached(c), 1);
	KT_EXPECT(mm_slab_idle_work[1].pending);
	host_set_cpu(1);
	mm_cpu_idle();
	host_set_cpu(0);
	KT_EXPECT_EQ(mm_slab_cpu_cached(c), 0);
	KT_EXPECT_EQ(cc->base, 0);
	KT_EXPECT(!mm_slab_idle_work[1].pending);
	KT_EXPECT_EQ(active_objects(c), 0);
	host_in_interrupt = true;
	KT_EXPECT_PANIC_MSG((host_set_cpu(1), mm_slab_idle_work[1].pending = 1, mm_cpu_idle()),
			    "mm_cpu_idle");
	host_in_interrupt = false;
	host_set_cpu(1);
	mm_cpu_idle();
	host_set_cpu(0);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
}
