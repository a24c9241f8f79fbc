/* SPDX-License-Identifier: MIT */
/*
 * CPUs going away and coming back (mm_cpu_dead, mm_cpu_online): a dead
 * CPU's per-CPU frames and slab arrays are given back, its id is refused
 * with a message, and it works again once it is back.
 */
#include <ktest.h>
#include <mm/mm.h>
#include <pthread.h>

#include "host_port.h"
#include "page/pcp.h"
#include "page/report.h"
#include "slab/slab.h"
#include "../mm/slab/slab_host_util.h"

KTEST(cpu_host, a_dead_cpu_gives_everything_back)
{
	struct kmem_cache *c = kmem_cache_create("t-dead", 64, 0, 0, NULL);
	enum { N = 20 };
	void *objs[N];

	KT_ASSERT(c);
	slab_fill_cpu_array(c, 1, objs, N);
	host_set_cpu(1);
	void *keep = kmem_cache_alloc(c, GFP_KERNEL); /* its slab stays partial */
	KT_ASSERT(keep);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(p);
	__free_pages(p, 0);
	host_set_cpu(0);
	unsigned long free = nr_free_pages();
	KT_EXPECT(c->cpu[1] != NULL);
	KT_EXPECT(mm_pcp[1].list[ZONE_NORMAL].count +
			  mm_pcp[1].list[ZONE_DMA32].count > 0);

	mm_cpu_dead(1);
	KT_EXPECT(c->cpu[1] == NULL);
	/* the partial slab CPU 1 owned is on the shared list now */
	KT_EXPECT_EQ(c->cpu_partial[1].count, 0);
	KT_EXPECT_EQ(mm_slab_of_object(c, keep)->list, SLAB_LIST_PARTIAL);
	KT_EXPECT_EQ(mm_slab_of_object(c, keep)->cpu, SLAB_NO_CPU);
	for (int z = 0; z < MM_NR_ZONES; z++)
		KT_EXPECT_EQ(mm_pcp[1].list[z].count, 0);
	KT_EXPECT_EQ(nr_free_pages(), free); /* list frames were free already */
	mm_check_invariants();

	host_set_cpu(1); /* a use of the dead CPU's id */
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL, 0), "CPU 1 is not online");
	KT_EXPECT_PANIC_MSG(kmem_cache_alloc(c, GFP_KERNEL), "CPU 1 is not online");
	host_set_cpu(0);
	KT_EXPECT_PANIC_MSG(mm_cpu_dead(1), "CPU 1 is not online");

	mm_cpu_online(1);
	host_set_cpu(1);
	void *o = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT(o != NULL);
	kmem_cache_free(c, o);
	host_set_cpu(0);
	kmem_cache_free(c, keep);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
}

KTEST(cpu_host, bad_hotplug_calls_panic_with_a_reason)
{
	KT_EXPECT_PANIC_MSG(mm_cpu_dead(0), "CPU 0 is the calling CPU");
	KT_EXPECT_PANIC_MSG(mm_cpu_dead(MM_MAX_CPUS + 3), "but the port runs");
	KT_EXPECT_PANIC_MSG(mm_cpu_online(MM_MAX_CPUS), "but the port runs");
}

/* In an interrupt handler only masks that never reclaim may be used, and
 * nothing that waits for the other CPUs: debug builds name the mistake. */
static unsigned long scan_nothing(struct shrinker *sh, gfp_t gfp,
				  unsigned long nr_to_free)
{
	return 0;
}

static struct shrinker idle_shrinker = { .scan = scan_nothing, .name = "idle" };

KTEST(cpu_host, reclaiming_masks_in_an_interrupt_panic)
{
	struct kmem_cache *c = kmem_cache_create("t-irq", 64, 0, 0, NULL);

	KT_ASSERT(c);
	register_shrinker(&idle_shrinker);
	host_in_interrupt = true;
	KT_EXPECT_PANIC_MSG(alloc_pages(GFP_KERNEL, 0),
			    "alloc_pages: reclaiming gfp mask in an interrupt handler");
	KT_EXPECT_PANIC_MSG(kmalloc(64, GFP_KERNEL), "reclaiming gfp mask");
	KT_EXPECT_PANIC_MSG(kmem_cache_alloc(c, GFP_NOFS), "reclaiming gfp mask");
	KT_EXPECT_PANIC_MSG(drain_all_pages(), "in an interrupt handler");
	KT_EXPECT_PANIC_MSG(kmem_cache_shrink(c), "in an interrupt handler");
	KT_EXPECT_PANIC_MSG(contigmalloc(8192, M_DEVBUF, M_WAITOK, 0, ~0ul, 4096, 0),
			    "M_WAITOK in an interrupt handler");
	KT_EXPECT_PANIC_MSG(unregister_shrinker(&idle_shrinker),
			    "unregister_shrinker: called in an interrupt handler");
	/* what an interrupt handler may use */
	struct page *p = alloc_pages(GFP_ATOMIC, 0);
	void *o = kmem_cache_alloc(c, GFP_ATOMIC);
	void *k = kmalloc(100, GFP_NOWAIT);
	void *m = contigmalloc(8192, M_DEVBUF, M_NOWAIT, 0, ~0ul, 4096, 0);
	KT_EXPECT(p && o && k && m);
	contigfree(m, 8192, M_DEVBUF);
	kfree(k);
	kmem_cache_free(c, o);
	__free_pages(p, 0);
	host_in_interrupt = false;
	unregister_shrinker(&idle_shrinker);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
}

/* mm_cpu_dead racing a shrink that another CPU aims at the dying CPU: the
 * shrink's call must not empty an array the dead path is giving back
 * (objects returned twice, the array read after it is freed). CPU 2 is a
 * thread shrinking without pause; CPU 1 (no thread: its calls run inline)
 * fills its array, dies and comes back, over and over. */
static struct kmem_cache *race_cache;
static int race_stop;

/* CPU 2: kmem_cache_shrink(race_cache) without pause until race_stop. */
static void *shrink_forever(void *arg)
{
	host_cpu_thread_enter(2);
	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE))
		kmem_cache_shrink(race_cache);
	host_cpu_thread_leave();
	return NULL;
}

KTEST(cpu_host, a_dying_cpu_races_a_shrink_on_another_cpu)
{
	enum { ROUNDS = 1500, N = 100 };
	unsigned int cpus = mm_port_cpu_count();
	void *objs[N];
	pthread_t t;

	host_set_cpu_count(3);
	race_cache = kmem_cache_create("t-race", 64, 0, 0, NULL);
	KT_ASSERT(race_cache);
	__atomic_store_n(&race_stop, 0, __ATOMIC_RELAXED);
	KT_ASSERT(pthread_create(&t, NULL, shrink_forever, NULL) == 0);
	host_cpu_thread_enter(0);
	int bad = -1;
	for (int r = 0; r < ROUNDS && bad < 0; r++) {
		host_cpu_thread_leave();
		host_cpu_thread_enter(1);
		for (int i = 0; i < N; i++)
			objs[i] = kmem_cache_alloc(race_cache, GFP_KERNEL);
		for (int i = 0; i < N; i++)
			kmem_cache_free(race_cache, objs[i]);
		host_cpu_thread_leave();
		host_cpu_thread_enter(0);
		mm_cpu_dead(1);
		struct kmem_cache_info in;
		kmem_cache_get_info(race_cache, &in);
		if (in.active_objs != 0)
			bad = r;
		mm_cpu_online(1);
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
	host_cpu_thread_leave();
	pthread_join(t, NULL);
	KT_EXPECT_EQ(bad, -1);
	kmem_cache_destroy(race_cache);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
	host_set_cpu_count(cpus);
	host_mm_default();
}

/* A cross-CPU call for a CPU no thread is bound to runs on the caller's
 * thread, as that CPU; a thread that binds the CPU meanwhile must not run
 * beside it (the call would empty an array the new thread is using): CPU 2
 * shrinks in a loop while a thread binds CPU 1, churns, and leaves. Found
 * by a review: before the port checked the binding under the CPU's lock,
 * an object was handed out twice within a few hundred rounds. */
KTEST(cpu_host, a_call_for_an_unbound_cpu_never_runs_beside_its_new_thread)
{
	enum { ROUNDS = 3000, N = 64 };
	unsigned int cpus = mm_port_cpu_count();
	void *objs[N];
	pthread_t t;

	host_set_cpu_count(3);
	race_cache = kmem_cache_create("t-rebind", 64, 0, 0, NULL);
	KT_ASSERT(race_cache);
	__atomic_store_n(&race_stop, 0, __ATOMIC_RELAXED);
	KT_ASSERT(pthread_create(&t, NULL, shrink_forever, NULL) == 0);
	for (int r = 0; r < ROUNDS; r++) {
		host_cpu_thread_enter(1);
		for (int k = 0; k < 20; k++) {
			for (int i = 0; i < N; i++)
				objs[i] = kmem_cache_alloc(race_cache, GFP_KERNEL);
			for (int i = 0; i < N; i++)
				for (int j = 0; j < i; j++)
					if (objs[i] == objs[j])
						mm_panic("object %p handed out twice (round %d)", objs[i], r);
			for (int i = 0; i < N; i++)
				kmem_cache_free(race_cache, objs[i]);
		}
		host_cpu_thread_leave();
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	host_cpu_thread_enter(1);
	kmem_cache_shrink(race_cache);
	host_cpu_thread_leave();
	kmem_cache_destroy(race_cache);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), 0);
	host_set_cpu_count(cpus);
	host_mm_default();
}
