/* SPDX-License-Identifier: MIT */
/*
 * Direct reclaim. There is no scheduler and no swap: "reclaim" is giving
 * back the frames cached on per-CPU lists and asking the registered
 * shrinkers (caches that can free memory on demand) for frames. The
 * allocator runs it synchronously when a request that may "sleep"
 * (__GFP_DIRECT_RECLAIM) cannot be met.
 */
#include "page_alloc_internal.h"

static struct shrinker *shrinkers;
static mm_spinlock_t shrinker_lock = MM_SPINLOCK_INIT;

void shrinkers_reset(void)
{
	shrinkers = NULL;
}

int register_shrinker(struct shrinker *s)
{
	if (!s)
		mm_panic("register_shrinker: shrinker is NULL");
	if (!s->scan)
		mm_panic("register_shrinker: shrinker %s has no scan function "
			 "(%p)", s->name ? s->name : "?", (void *)s);
	unsigned long irq = mm_port_lock(&shrinker_lock);
	for (struct shrinker *p = shrinkers; p; p = p->next) {
		if (p == s) {
			mm_port_unlock(&shrinker_lock, irq);
			mm_panic("register_shrinker: shrinker %s registered twice",
				 s->name ? s->name : "?");
		}
	}
	s->next = shrinkers;
	shrinkers = s;
	mm_port_unlock(&shrinker_lock, irq);
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	unsigned long irq = mm_port_lock(&shrinker_lock);

	for (struct shrinker **pp = &shrinkers; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			s->next = NULL;
			mm_port_unlock(&shrinker_lock, irq);
			return;
		}
	}
	mm_port_unlock(&shrinker_lock, irq);
	mm_panic("unregister_shrinker: shrinker %s is not registered",
		 s && s->name ? s->name : "?");
}

/* Frames free in the zones gfp may use: its zonelist, buddy lists and
 * per-CPU lists (what the watermark check counts). */
static uint64_t zonelist_free(gfp_t gfp)
{
	uint64_t n = 0;

	for (int z = (int)gfp_classzone(gfp); z >= 0; z--)
		n += __atomic_load_n(&mm_zones[z].free, __ATOMIC_RELAXED) +
		     pcp_zone_count(&mm_zones[z]);
	return n;
}

unsigned long mm_run_shrinkers(gfp_t gfp, unsigned long nr_frames)
{
	unsigned long progress = 0;

	/* The list is walked without the lock: a shrinker may allocate or
	 * free. Registration must not race with reclaim (documented).
	 * Progress is measured, not taken from scan()'s answer: a shrinker
	 * frees where its memory is, which may be a zone this request cannot
	 * use (and a shrinker that claims more than it frees is not
	 * believed). */
	for (struct shrinker *s = shrinkers; s && progress < nr_frames; s = s->next) {
		uint64_t before = zonelist_free(gfp);

		mm_stats.shrinker_calls++;
		s->scan(s, gfp, nr_frames - progress);
		uint64_t after = zonelist_free(gfp);
		if (after > before)
			progress += after - before;
	}
	return progress;
}

unsigned long mm_direct_reclaim(gfp_t gfp, unsigned long nr_frames)
{
	drain_all_pages();
	return mm_run_shrinkers(gfp, nr_frames);
}
