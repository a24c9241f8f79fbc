/* SPDX-License-Identifier: MIT */
/*
 * Shrinkers over pools of frames: one global shrinker registered for the
 * whole run, and one per worker that the worker registers, fills,
 * unregisters and empties again and again while other CPUs' reclaim walks
 * the shrinker list. A scan verifies each frame's stamp and frees it. The
 * pool's lock (the port's spinlock) is never held across an allocation
 * that may reclaim (the scan would wait for it).
 */
#include "smp_stress.h"

#define POOL_SLOTS 64

struct pool {
	struct shrinker shrinker;
	mm_spinlock_t lock;
	struct obj frames[POOL_SLOTS];
	unsigned int count;
	bool registered;  /* the owner's view; only it (un)registers */
	struct worker *w; /* whose failures a scan counts; NULL: global */
};

static struct worker global_w = { .cpu = 99 };
static struct pool global_pool;
static struct pool *pools[MM_MAX_CPUS]; /* each its worker's, for the run */

static unsigned long scan(struct shrinker *s, gfp_t gfp, unsigned long nr)
{
	struct pool *p = (struct pool *)s; /* shrinker is the first member */
	unsigned long done = 0;
	unsigned long flags = mm_port_lock_irqsave(&p->lock);

	while (done < nr && p->count) {
		struct obj o = p->frames[--p->count];
		smp_free(p->w ? p->w : &global_w, &o, "shrinker scan");
		done++;
	}
	mm_port_unlock_irqrestore(&p->lock, flags);
	return done;
}

/* Fills p up to n frames (allocated outside its lock). */
static void fill(struct worker *w, struct pool *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		if (!pg)
			return;
		struct obj o = { page_address(pg), PAGE_SIZE,
				 (uint64_t)w->cpu << 56 | w->serial++, NULL, OBJ_PAGES, 0 };
		smp_stamp(&o);
		unsigned long flags = mm_port_lock_irqsave(&p->lock);
		bool room = p->count < POOL_SLOTS;
		if (room)
			p->frames[p->count++] = o;
		mm_port_unlock_irqrestore(&p->lock, flags);
		if (!room)
			smp_free(w, &o, "pool full");
	}
}

static void empty(struct worker *w, struct pool *p)
{
	scan(&p->shrinker, GFP_KERNEL, ~0ul);
}

void smp_shrinker_global_init(void)
{
	global_pool.shrinker.scan = scan;
	global_pool.shrinker.name = "smp-global-pool";
	register_shrinker(&global_pool.shrinker);
}

void smp_shrinker_global_fini(void)
{
	unregister_shrinker(&global_pool.shrinker);
	empty(&global_w, &global_pool);
}

unsigned long smp_shrinker_global_failures(void)
{
	return global_w.failures;
}

void smp_shrinker_op(struct worker *w)
{
	struct pool *p = pools[w->cpu];
	uint64_t r = smp_rand(&w->rng);

	if (!p) {
		p = kzalloc(sizeof(*p), GFP_KERNEL | __GFP_NOWARN);
		if (!p) {
			w->nulls++;
			return;
		}
		pools[w->cpu] = p;
		p->shrinker.scan = scan;
		p->shrinker.name = "smp-cpu-pool";
		p->w = w;
	}
	switch (r % 4) {
	case 0: /* the global pool: reclaim on any CPU frees it */
		fill(w, &global_pool, 1 + (unsigned int)(r >> 8) % 8);
		break;
	case 1:
		if (!p->registered) {
			register_shrinker(&p->shrinker);
			p->registered = true;
		}
		fill(w, p, 1 + (unsigned int)(r >> 8) % 16);
		break;
	case 2:
		if (p->registered) {
			unregister_shrinker(&p->shrinker);
			p->registered = false;
		}
		empty(w, p);
		break;
	default: /* as reclaim on this CPU would: a scan of the global pool */
		scan(&global_pool.shrinker, GFP_KERNEL, 4);
		break;
	}
}

void smp_shrinker_finish(struct worker *w)
{
	struct pool *p = pools[w->cpu];

	if (!p)
		return;
	if (p->registered)
		unregister_shrinker(&p->shrinker);
	empty(w, p);
	kfree(p);
	pools[w->cpu] = NULL;
}
