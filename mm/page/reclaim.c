/* SPDX-License-Identifier: MIT */
/*
 * Direct reclaim. There is no scheduler and no swap: "reclaim" is giving
 * back the frames cached on per-CPU lists and asking the registered
 * shrinkers (caches that can free memory on demand) for frames. The
 * allocator runs it synchronously when a request that may "sleep"
 * (__GFP_DIRECT_RECLAIM) cannot be met.
 */
#include "build.h"

#include "core.h"
#include "page/node.h"
#include "page/reclaim.h"
#include "page/zone.h"
#include "stats.h"

/*
 * The shrinker list. Reclaim walks it without holding shrinker_lock while
 * it calls scan() (a shrinker may allocate or free), so registration may
 * run at any time on any CPU: the walker counts itself in s->users around
 * the call, and unregister_shrinker() unlinks s, then waits for users to
 * drop to 0. After a call the walker goes on from s->next if s is still
 * registered, else from the head, skipping the shrinkers this run already
 * asked (asked_in_run: each run has its own number).
 */
static struct shrinker *shrinkers;
static mm_spinlock_t shrinker_lock = MM_SPINLOCK_INIT;
static unsigned long shrinker_runs; /* under shrinker_lock */

/* Reclaim running on this CPU: a shrinker's own allocations do not reclaim
 * again (they fail instead of recursing into the shrinkers). */
static struct {
	bool active;
} __attribute__((aligned(MM_CACHE_LINE))) in_reclaim[MM_MAX_CPUS];

void mm_shrinkers_reset(void)
{
	shrinkers = NULL;
	shrinker_runs = 0;
	__builtin_memset(in_reclaim, 0, sizeof(in_reclaim));
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
	s->users = 0;
	s->asked_in_run = 0;
	s->registered = true;
	s->next = shrinkers;
	shrinkers = s;
	mm_port_unlock_irqrestore(&shrinker_lock, irq);
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	mm_check_task_context("unregister_shrinker"); /* waits for scans */
	unsigned long irq = mm_port_lock_irqsave(&shrinker_lock);
	struct shrinker **pp = &shrinkers;

	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (!*pp) {
		mm_port_unlock_irqrestore(&shrinker_lock, irq);
		mm_panic("unregister_shrinker: shrinker %s is not registered",
			 s && s->name ? s->name : "?");
	}
	*pp = s->next;
	s->registered = false;
	while (s->users) { /* a CPU is inside s->scan() */
		mm_port_unlock_irqrestore(&shrinker_lock, irq);
		irq = mm_port_lock_irqsave(&shrinker_lock);
	}
	s->next = NULL;
	mm_port_unlock_irqrestore(&shrinker_lock, irq);
}

/* The next shrinker run `run` has not asked, counted in its users; from
 * the head when prev is NULL or was unregistered meanwhile. NULL at the
 * end. Drops the count on prev. */
static struct shrinker *next_shrinker(struct shrinker *prev, unsigned long run)
{
	unsigned long irq = mm_port_lock_irqsave(&shrinker_lock);
	struct shrinker *s = shrinkers;

	if (prev) {
		prev->users--;
		if (prev->registered)
			s = prev->next;
	}
	while (s && s->asked_in_run == run)
		s = s->next;
	if (s) {
		s->users++;
		s->asked_in_run = run;
	}
	mm_port_unlock_irqrestore(&shrinker_lock, irq);
	return s;
}

static unsigned long new_run(void)
{
	unsigned long irq = mm_port_lock_irqsave(&shrinker_lock);
	unsigned long run = ++shrinker_runs;

	mm_port_unlock_irqrestore(&shrinker_lock, irq);
	return run;
}

/* Frames free in the zones gfp may use: its zonelist from node, buddy
 * lists and per-CPU lists (what the watermark check counts). */
static uint64_t zonelist_free(gfp_t gfp, unsigned int node)
{
	uint16_t zl[MM_NR_ZONE_SLOTS];
	unsigned int nz = mm_zonelist(node, gfp, zl);
	uint64_t n = 0;

	for (unsigned int i = 0; i < nz; i++)
		n += zone_free_frames(&mm_zones[zl[i]]);
	return n;
}

/* Frames an order-`order` request with gfp still lacks: the least, over
 * the zones of its zonelist, of mark + 2^order - free(z); 0 once one zone
 * passes the watermark check (or when none has RAM: nothing to want). */
static uint64_t zonelist_shortfall(gfp_t gfp, unsigned int node,
				   unsigned int order)
{
	enum zone_type c = gfp_classzone(gfp);
	uint64_t least = UINT64_MAX;
	uint16_t zl[MM_NR_ZONE_SLOTS];
	unsigned int nz = mm_zonelist(node, gfp, zl);

	for (unsigned int i = 0; i < nz; i++) {
		const struct zone *z = &mm_zones[zl[i]];
		uint64_t need = zone_alloc_mark(z, gfp, c) + (1ull << order);
		uint64_t have = zone_free_frames(z);

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
	unsigned int node; /* the request's preferred node */
	unsigned long nr_frames;
	int fit_order; /* -1: frame count only (contigmalloc) */
};

static uint64_t still_wanted(const struct shrink_goal *g, unsigned long usable)
{
	uint64_t want = usable < g->nr_frames ? g->nr_frames - usable : 0;

	if (g->fit_order >= 0) {
		uint64_t fit = zonelist_shortfall(g->gfp, g->node,
						  (unsigned int)g->fit_order);
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
	unsigned long run = new_run();
	struct shrinker *s = NULL;

	/* Progress is measured on the zones, not taken from scan()'s answer:
	 * a shrinker frees where its memory is, which may be a zone this
	 * request cannot use, and a shrinker may claim more than it frees. */
	while (want && (s = next_shrinker(s, run))) {
		for (int pass = 0; pass < SHRINKER_MAX_PASSES && want; pass++) {
			uint64_t before = zonelist_free(g->gfp, g->node);

			mm_stat_inc(MM_STAT_SHRINKER_CALLS);
			unsigned long said = s->scan(s, g->gfp, (unsigned long)want);
			uint64_t after = zonelist_free(g->gfp, g->node);
			if (after > before)
				r.usable += after - before;
			r.reported += said;
			want = still_wanted(g, r.usable);
			if (!said)
				break; /* nothing more here */
		}
	}
	if (s) { /* stopped early: drop the count */
		unsigned long irq = mm_port_lock_irqsave(&shrinker_lock);
		s->users--;
		mm_port_unlock_irqrestore(&shrinker_lock, irq);
	}
	return r;
}

/* Runs the shrinkers unless this CPU is already inside them (a shrinker's
 * own allocation): then nothing, as if none were registered. */
static struct shrink_result run_shrinkers_once(const struct shrink_goal *g)
{
	unsigned int cpu = mm_this_cpu();
	struct shrink_result r = { 0, 0 };

	if (in_reclaim[cpu].active)
		return r;
	in_reclaim[cpu].active = true;
	r = run_shrinkers(g);
	in_reclaim[cpu].active = false;
	return r;
}

struct shrink_result mm_shrink_for_alloc(gfp_t gfp, unsigned int node,
					 unsigned int order)
{
	struct shrink_goal g = { gfp, node, 1ul << order, (int)order };

	return run_shrinkers_once(&g);
}

unsigned long mm_direct_reclaim(gfp_t gfp, unsigned long nr_frames)
{
	struct shrink_goal g = { gfp, (unsigned int)numa_node_id(), nr_frames, -1 };

	drain_all_pages();
	return run_shrinkers_once(&g).usable;
}
