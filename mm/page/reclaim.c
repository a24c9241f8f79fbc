/* SPDX-License-Identifier: MIT */
/*
 * Direct reclaim. There is no scheduler and no swap: "reclaim" is giving
 * back the frames cached on per-CPU lists and asking the registered
 * shrinkers (caches that can free memory on demand) for frames. The
 * allocator runs it synchronously when a request that may "sleep"
 * (__GFP_DIRECT_RECLAIM) cannot be met.
 */
#include "core.h"
#include "page/reclaim.h"
#include "page/zone.h"
#include "stats.h"

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
	unsigned long irq = mm_port_lock_irqsave(&shrinker_lock);
	for (struct shrinker *p = shrinkers; p; p = p->next) {
		if (p == s) {
			mm_port_unlock_irqrestore(&shrinker_lock, irq);
			mm_panic("register_shrinker: shrinker %s registered twice",
				 s->name ? s->name : "?");
		}
	}
	s->next = shrinkers;
	shrinkers = s;
	mm_port_unlock_irqrestore(&shrinker_lock, irq);
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	unsigned long irq = mm_port_lock_irqsave(&shrinker_lock);

	for (struct shrinker **pp = &shrinkers; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			s->next = NULL;
			mm_port_unlock_irqrestore(&shrinker_lock, irq);
			return;
		}
	}
	mm_port_unlock_irqrestore(&shrinker_lock, irq);
	mm_panic("unregister_shrinker: shrinker %s is not registered",
		 s && s->name ? s->name : "?");
}

/* Frames free in the zones gfp may use: its zonelist, buddy lists and
 * per-CPU lists (what the watermark check counts). */
static uint64_t zonelist_free(gfp_t gfp)
{
	uint64_t n = 0;

	for (int z = (int)gfp_classzone(gfp); z >= 0; z--)
		n += zone_free_frames(&mm_zones[z]);
	return n;
}

/* Frames an order-`order` request with gfp still lacks: the least, over
 * the zones of its zonelist, of mark + 2^order - free(z); 0 once one zone
 * passes the watermark check (or when none has RAM: nothing to want). */
static uint64_t zonelist_shortfall(gfp_t gfp, unsigned int order)
{
	enum zone_type c = gfp_classzone(gfp);
	uint64_t least = UINT64_MAX;

	for (int zi = (int)c; zi >= 0; zi--) {
		const struct zone *z = &mm_zones[zi];
		uint64_t need = zone_alloc_mark(z, gfp, c) + (1ull << order);
		uint64_t have = zone_free_frames(z);

		if (!z->managed)
			continue;
		if (have >= need)
			return 0;
		if (need - have < least)
			least = need - have;
	}
	return least == UINT64_MAX ? 0 : least;
}

/*
 * What a run of the shrinkers is for: nr_frames freed into gfp's zones and,
 * for an allocation (fit_order >= 0), one zone of its zonelist passing the
 * watermark check for that order (the frames a shrinker frees into a zone
 * below its mark only refill the reserve, so they are not enough).
 */
struct shrink_goal {
	gfp_t gfp;
	unsigned long nr_frames;
	int fit_order; /* -1: frame count only (contigmalloc) */
};

static uint64_t still_wanted(const struct shrink_goal *g, unsigned long usable)
{
	uint64_t want = usable < g->nr_frames ? g->nr_frames - usable : 0;

	if (g->fit_order >= 0) {
		uint64_t fit = zonelist_shortfall(g->gfp, (unsigned int)g->fit_order);
		if (fit > want)
			want = fit;
	}
	return want;
}

/* A shrinker is asked again while it reports frees the goal could not use
 * (it freed in another zone first), at most this often per reclaim round. */
#define SHRINKER_MAX_PASSES 16

static struct shrink_result run_shrinkers(const struct shrink_goal *g)
{
	struct shrink_result r = { 0, 0 };
	uint64_t want = still_wanted(g, 0);

	/* The list is walked without the lock: a shrinker may allocate or
	 * free. Registration must not race with reclaim (documented).
	 * Progress is measured on the zones, not taken from scan()'s answer:
	 * a shrinker frees where its memory is, which may be a zone this
	 * request cannot use, and a shrinker may claim more than it frees. */
	for (struct shrinker *s = shrinkers; s && want; s = s->next) {
		for (int pass = 0; pass < SHRINKER_MAX_PASSES && want; pass++) {
			uint64_t before = zonelist_free(g->gfp);

			mm_stat_inc(MM_STAT_SHRINKER_CALLS);
			unsigned long said = s->scan(s, g->gfp, (unsigned long)want);
			uint64_t after = zonelist_free(g->gfp);
			if (after > before)
				r.usable += after - before;
			r.reported += said;
			want = still_wanted(g, r.usable);
			if (!said)
				break; /* nothing more here */
		}
	}
	return r;
}

struct shrink_result mm_shrink_for_alloc(gfp_t gfp, unsigned int order)
{
	struct shrink_goal g = { gfp, 1ul << order, (int)order };

	return run_shrinkers(&g);
}

unsigned long mm_direct_reclaim(gfp_t gfp, unsigned long nr_frames)
{
	struct shrink_goal g = { gfp, nr_frames, -1 };

	drain_all_pages();
	return run_shrinkers(&g).usable;
}
