/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU object arrays (struct kmem_cpu_cache, picture and rules in
 * mm/slab/slab.h): installing one, emptying it on its own CPU (a flush a
 * cross-CPU call asked for, or one deferred because the array was claimed),
 * giving it back, and counting what the arrays hold. The fast paths that
 * push and pop are inline in slab.h; the flushes that reach every CPU are
 * in slab_cache.c, beside the list of caches they walk.
 */
#include "build.h"

#include "slab/slab.h"

static unsigned long cpu_array_free(struct kmem_cpu_cache *c)
{
	struct kmem_cache *ac = &mm_slab_cpu_array_cache;

	mm_slab_debug_on_free(ac, c, "mm_slab_cpu_drop");
	return mm_slab_put_objects(ac, (void *const *)&c, 1);
}

struct kmem_cpu_cache *mm_slab_cpu_array_install(struct kmem_cache *s,
					      unsigned int cpu, gfp_t gfp,
					      bool may_grow)
{
	struct kmem_cache *ac = &mm_slab_cpu_array_cache;
	struct kmem_cpu_cache *c = NULL;
	gfp_t agfp = (gfp & ~(__GFP_NOFAIL | __GFP_ZERO | __GFP_REPEAT)) |
		     __GFP_NOWARN | __GFP_NORETRY;

	if (may_grow ? !mm_slab_get_objects(ac, (void **)&c, 1, agfp)
		     : !mm_slab_get_existing_objects(ac, (void **)&c, 1))
		return NULL;
	mm_slab_debug_on_alloc(ac, c, "kmem_cache_alloc");
	c->busy = 0;
	c->avail = 0;
	c->base = 0;
	c->flush_pending = 0;
	c->slot[0] = NULL;
	c->cap = c->limit = s->cpu_limit;
	c->batch = s->cpu_batch;

	unsigned long irq = mm_port_irq_save();
	struct kmem_cpu_cache *cur = s->cpu[cpu];
	if (!cur) /* other CPUs read it (mm_slab_cpu_cached) */
		__atomic_store_n(&s->cpu[cpu], c, __ATOMIC_RELEASE);
	mm_port_irq_restore(irq);
	if (cur) { /* one was installed meanwhile: by a free that the
		    * allocation of c reached (reclaim, a shrinker) */
		cpu_array_free(c);
		return cur;
	}
	return c;
}

struct slab_idle_work mm_slab_idle_work[MM_MAX_CPUS];

/* Takes every object out of c, which nobody else can reach (detached, or
 * claimed by the caller), into the slabs; returns the frames freed. */
static unsigned long cpu_array_empty(struct kmem_cache *s, struct kmem_cpu_cache *c)
{
	uint32_t top = c->avail, base = c->base;

	slab_cpu_set_avail(c, 0);
	slab_cpu_set_base(c, 0);
	return top > base ? mm_slab_put_objects(s, cpu_objs(c) + base, top - base) : 0;
}

/* In an interrupt handler, which may have interrupted a fast path of the
 * owner between its load of avail (A) and its store of A - 1 or A + 1: the
 * objects below slot[A] go back, and slot[A - 1] becomes the NULL floor
 * (picture in slab.h). */
static unsigned long cpu_array_empty_below_top(struct kmem_cache *s,
					       struct kmem_cpu_cache *c)
{
	uint32_t top = c->avail, base = c->base;

	if (top > base) /* the top stays: mm_cpu_idle() gives it back */
		mm_slab_idle_work[mm_this_cpu_raw()].pending = 1;
	if (top <= base + 1)
		return 0;
	unsigned long frames = mm_slab_put_objects(s, cpu_objs(c) + base,
						   top - 1 - base);
	c->slot[top - 1] = NULL;
	slab_barrier();
	slab_cpu_set_base(c, top - 1);
	return frames;
}

unsigned long mm_slab_cpu_empty(struct kmem_cache *s)
{
	struct kmem_cpu_cache *c = s->cpu[mm_this_cpu_raw()];
	uint32_t n;

	if (!c)
		return 0;
	if (c->busy) { /* a slow path holds it: emptied when it lets go */
		c->flush_pending = 1;
		return 0;
	}
	if (mm_port_in_interrupt())
		return cpu_array_empty_below_top(s, c);
	/* Task context: no fast path of this CPU is in flight (they call
	 * nothing), but an interrupt may come: claimed while emptied. */
	if (!slab_cpu_claim(c, &n))
		return 0;
	unsigned long frames = n ? mm_slab_put_objects(s, cpu_objs(c), n) : 0;
	slab_cpu_release(s, c, 0);
	return frames;
}

unsigned long mm_slab_cpu_drop(struct kmem_cache *s)
{
	unsigned int cpu = mm_this_cpu_raw();
	unsigned long frames = 0, irq = mm_port_irq_save();
	struct kmem_cpu_cache *c = s->cpu[cpu];

	/* Interrupts off: no flush reaches the array while it is detached. */
	if (c && c->busy) {
		c->flush_pending = 1;
		c = NULL;
	} else if (c) {
		__atomic_store_n(&s->cpu[cpu], NULL, __ATOMIC_RELAXED);
	}
	mm_port_irq_restore(irq);
	if (c)
		frames += mm_slab_cpu_array_release(s, c);
	return frames;
}

unsigned long mm_slab_cpu_array_release(struct kmem_cache *s, struct kmem_cpu_cache *c)
{
	return cpu_array_empty(s, c) + cpu_array_free(c);
}

void mm_slab_cpu_flush_deferred(struct kmem_cache *s, struct kmem_cpu_cache *c)
{
	uint32_t n;

	while (c->flush_pending && slab_cpu_claim(c, &n)) {
		c->flush_pending = 0;
		if (n)
			mm_slab_put_objects(s, cpu_objs(c), n);
		slab_barrier();
		c->limit = c->cap;
		slab_barrier();
		c->busy = 0; /* not slab_cpu_release: no recursion */
		slab_barrier();
	}
}

unsigned long mm_slab_cpu_cached(const struct kmem_cache *s)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0, cpus = mm_cpus_running(); cpu < cpus; cpu++) {
		const struct kmem_cpu_cache *c =
			__atomic_load_n(&s->cpu[cpu], __ATOMIC_ACQUIRE);
		if (c) {
			uint32_t top = __atomic_load_n(&c->avail, __ATOMIC_RELAXED);
			uint32_t base = __atomic_load_n(&c->base, __ATOMIC_RELAXED);
			n += top > base ? top - base : 0; /* a claim moves them */
		}
	}
	return n;
}

