/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU object arrays (struct kmem_cpu_cache, picture and rules in
 * mm/slab/slab.h): installing one, emptying it on its own CPU (a flush a
 * cross-CPU call asked for, or one deferred because the array was busy),
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
	c->flush_pending = 0;
	c->slot[0] = NULL;
	c->limit = s->cpu_limit;
	c->batch = s->cpu_batch;

	unsigned long irq = mm_port_irq_save();
	struct kmem_cpu_cache *cur = s->cpu[cpu];
	if (!cur) /* other CPUs read it (mm_slab_cpu_cached) */
		__atomic_store_n(&s->cpu[cpu], c, __ATOMIC_RELEASE);
	mm_port_irq_restore(irq);
	if (cur) { /* an interrupt handler installed one meanwhile */
		cpu_array_free(c);
		return cur;
	}
	return c;
}

/* Takes the objects out of c (not busy, interrupts off or busy held) into
 * the slabs; returns the frames freed. */
static unsigned long cpu_array_empty(struct kmem_cache *s, struct kmem_cpu_cache *c)
{
	uint32_t n = c->avail;

	if (!n)
		return 0;
	slab_cpu_set_avail(c, 0);
	return mm_slab_put_objects(s, cpu_objs(c), n);
}

unsigned long mm_slab_cpu_empty(struct kmem_cache *s)
{
	struct kmem_cpu_cache *c = s->cpu[mm_this_cpu_raw()];

	if (!c)
		return 0;
	if (c->busy) { /* we interrupted its owner: it flushes on release */
		c->flush_pending = 1;
		return 0;
	}
	return cpu_array_empty(s, c);
}

unsigned long mm_slab_cpu_drop(struct kmem_cache *s)
{
	unsigned int cpu = mm_this_cpu_raw();
	unsigned long frames = 0, irq = mm_port_irq_save();
	struct kmem_cpu_cache *c = s->cpu[cpu];

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
	c->flush_pending = 0;
	slab_barrier();
	cpu_array_empty(s, c); /* busy still held: interrupts use the slabs */
	slab_barrier();
	c->busy = 0;
}

unsigned long mm_slab_cpu_cached(const struct kmem_cache *s)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0, cpus = mm_cpus_running(); cpu < cpus; cpu++) {
		const struct kmem_cpu_cache *c =
			__atomic_load_n(&s->cpu[cpu], __ATOMIC_ACQUIRE);
		if (c)
			n += __atomic_load_n(&c->avail, __ATOMIC_RELAXED);
	}
	return n;
}

