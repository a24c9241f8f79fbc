/* SPDX-License-Identifier: MIT */
/*
 * The task-side work of one CPU: one operation of the kind asked for, on
 * the CPU's held objects (a slot is allocated when empty, verified and
 * freed when full) or on shared state. A NULL from an allocation is fine
 * (the others may hold everything: see pressure); a wrong zone, a
 * contigmalloc result outside its constraints or memory that should be
 * zero and is not counts as a failure.
 */
#include "smp_stress.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define SMALL_ORDER 4
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t new_tag(struct worker *w)
{
	return (uint64_t)w->cpu << 56 | (w->serial++ & 0xffffffffffull);
}

static struct obj *pick_slot(struct worker *w)
{
	return &w->held[smp_rand(&w->rng) % HELD_SLOTS];
}

/* A random held slot: empty, to allocate into; or full, then its object
 * is verified and freed and NULL returned. */
static struct obj *empty_slot(struct worker *w, const char *where)
{
	struct obj *o = pick_slot(w);

	if (!o->kind)
		return o;
	smp_free(w, o, where);
	return NULL;
}

/* Files a fresh allocation in o (a NULL one is counted, not a failure):
 * zero-checked if asked, then stamped. */
static void keep(struct worker *w, struct obj *o, struct obj fresh, bool zero,
		 const char *what)
{
	if (!fresh.p) {
		w->nulls++;
		return;
	}
	fresh.tag = new_tag(w);
	*o = fresh;
	if (zero)
		smp_check_zero(w, o, what);
	smp_stamp(o);
}

static const gfp_t page_gfps[] = {
	GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_ZERO,
	GFP_NOWAIT, GFP_KERNEL | __GFP_DMA, GFP_ATOMIC | __GFP_ZERO,
	GFP_KERNEL | __GFP_COLD, GFP_KERNEL | __GFP_NORETRY,
};

static void op_pages(struct worker *w)
{
	struct obj *o = empty_slot(w, "pages");
	uint64_t r = smp_rand(&w->rng);

	if (!o)
		return;
	/* half order 0 (the per-CPU lists), most of the rest up to SMALL_ORDER,
	 * one in 16 any order (the large ones are slow to poison and check) */
	unsigned int order = (r & 1)		 ? 0 :
			     ((r >> 1) & 7) == 0 ? (unsigned int)(r >> 16) % (MM_MAX_ORDER + 1) :
						   (unsigned int)(r >> 16) % (SMALL_ORDER + 1);
	gfp_t gfp = page_gfps[(r >> 8) % ARRAY_LEN(page_gfps)] | __GFP_NOWARN;
	struct page *pg = alloc_pages(gfp, order);

	if (!pg) {
		w->nulls++;
		return;
	}
	uint64_t pa = page_to_phys(pg), len = PAGE_SIZE << order;
	if (((gfp & __GFP_DMA32) && pa + len > 4 * GiB) ||
	    ((gfp & __GFP_DMA) && pa + len > 16 * MiB) || (pa & (len - 1)))
		smp_fail(w, "alloc_pages(0x%x, %u) = pa 0x%llx: wrong zone or alignment",
			 gfp, order, (unsigned long long)pa);
	keep(w, o, (struct obj){ page_address(pg), len, 0, NULL, OBJ_PAGES, (uint8_t)order },
	     gfp & __GFP_ZERO, "alloc_pages __GFP_ZERO");
}

static const uint32_t kmalloc_sizes[] = { 8,   13,  16,   24,   32,   64,   96,
					  100, 128, 192,  256,  500,  512,  1000,
					  1024, 2048, 3000, 4096, 8192, 9000, 16384,
					  65536 };

static void op_kmalloc(struct worker *w)
{
	struct obj *o = empty_slot(w, "kmalloc");
	uint64_t r = smp_rand(&w->rng);

	if (!o)
		return;
	uint32_t size = kmalloc_sizes[r % ARRAY_LEN(kmalloc_sizes)];
	gfp_t gfp = ((r >> 8) & 1 ? GFP_ATOMIC : GFP_KERNEL) | __GFP_NOWARN;
	bool zero = (r >> 9) & 1;
	void *p = zero ? kzalloc(size, gfp) : kmalloc(size, gfp);

	keep(w, o, (struct obj){ p, size, 0, NULL, OBJ_KMALLOC, 0 }, zero, "kzalloc");
}

static void op_cache(struct worker *w)
{
	struct obj *o = empty_slot(w, "shared cache");
	uint64_t r = smp_rand(&w->rng);

	if (!o)
		return;
	gfp_t gfp = ((r & 1) ? GFP_ATOMIC : GFP_KERNEL) | __GFP_NOWARN;
	bool zero = (r >> 1) & 1;
	void *p = kmem_cache_alloc(smp_shared_cache, gfp | (zero ? __GFP_ZERO : 0));

	keep(w, o, (struct obj){ p, SMP_SHARED_SIZE, 0, smp_shared_cache, OBJ_CACHE, 0 },
	     zero, "kmem_cache_alloc __GFP_ZERO");
}

/* Frees one object another CPU passed on, passes one of ours on. */
static void op_handoff(struct worker *w)
{
	struct obj in, *o = pick_slot(w);

	if (smp_handoff_take(w->cpu, &in))
		smp_free(w, &in, "handed over");
	if (o->kind && o->kind != OBJ_OWN && smp_handoff_put(w->cpu, o))
		o->kind = OBJ_NONE;
}

static void op_cachelife(struct worker *w)
{
	enum { MAX_OBJS = 48 };
	static const char *const names[] = { "smp-own-0", "smp-own-1", "smp-own-2",
					     "smp-own-3" };
	uint64_t r = smp_rand(&w->rng);
	size_t size = 16 + (size_t)(r % 1000);
	struct kmem_cache *c = kmem_cache_create(names[w->cpu % 4], size,
						 (r >> 10) & 1 ? 64 : 0,
						 (r >> 11) & 1 ? SLAB_HWCACHE_ALIGN : 0, NULL);
	struct obj objs[MAX_OBJS];
	unsigned int n = 1 + (unsigned int)(r >> 12) % MAX_OBJS, got_n = 0;

	if (!c) {
		w->nulls++;
		return;
	}
	for (; got_n < n; got_n++) {
		void *p = kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN);
		if (!p)
			break;
		objs[got_n] = (struct obj){ p, size, new_tag(w), c, OBJ_OWN, 0 };
		smp_stamp(&objs[got_n]);
	}
	for (unsigned int i = 0; i < got_n; i += 2)
		smp_free(w, &objs[i], "own cache");
	kmem_cache_shrink(c);
	for (unsigned int i = 1; i < got_n; i += 2)
		smp_free(w, &objs[i], "own cache");
	kmem_cache_destroy(c);
}

/* Where a contigmalloc may land, and what it must meet. */
struct window {
	vm_paddr_t low, high;
};
static const struct window windows[] = {
	{ 0, 4 * GiB }, { 0, 16 * MiB }, { 16 * MiB, 4 * GiB }, { 4 * GiB, 8 * GiB },
	{ 0, ~0ull },
};

static void op_contig(struct worker *w)
{
	uint64_t r = smp_rand(&w->rng);
	int flags = ((r & 1) ? M_NOWAIT : M_WAITOK) | ((r >> 1) & 1 ? M_ZERO : 0);

	if ((r >> 2) % 4 == 0) { /* misses: the search fails (M_WAITOK reclaims) */
		void *p = (r >> 4) & 1 ?
			contigmalloc(64 * MiB, M_SMP, flags, 0, 16 * MiB, PAGE_SIZE, 0) :
			contigmalloc(PAGE_SIZE, M_SMP, flags, 0xc0000000, 0xd0000000,
				     PAGE_SIZE, 0); /* no RAM in the PCI hole */
		if (p) {
			smp_fail(w, "contigmalloc returned %p for an impossible request", p);
			contigfree(p, (r >> 4) & 1 ? 64 * MiB : PAGE_SIZE, M_SMP);
		}
		return;
	}
	struct obj *o = empty_slot(w, "contig");
	if (!o)
		return;
	const struct window *win = &windows[(r >> 4) % 5];
	unsigned long size = (r >> 8) & 1 ? 5000 : PAGE_SIZE * (1 + (r >> 9) % 16);
	unsigned long align = (r >> 13) & 1 ? 64 * 1024 : PAGE_SIZE;
	unsigned long boundary = (r >> 14) & 1 ? MiB : 0;
	void *p = contigmalloc(size, M_SMP, flags, win->low, win->high, align, boundary);

	if (!p) {
		w->nulls++;
		return;
	}
	vm_paddr_t pa = vtophys(p), end = pa + ((size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	if (pa < win->low || end > win->high || (pa & (align - 1)) ||
	    (boundary && (pa / boundary != (end - 1) / boundary)))
		smp_fail(w, "contigmalloc(%lu, [0x%llx, 0x%llx), align %lu, boundary %lu) "
			 "= pa 0x%llx", size, (unsigned long long)win->low,
			 (unsigned long long)win->high, align, boundary,
			 (unsigned long long)pa);
	keep(w, o, (struct obj){ p, size, 0, NULL, OBJ_CONTIG, 0 }, flags & M_ZERO,
	     "contigmalloc M_ZERO");
}

/* Takes what it can get (order 2, then single frames) up to the worker's
 * hold buffer, holds it a moment while the other CPUs run short, gives it
 * all back. */
static void op_pressure(struct worker *w)
{
	struct obj *hold = w->hold;
	uint64_t r = smp_rand(&w->rng);
	gfp_t gfp = ((r & 3) ? GFP_KERNEL | __GFP_NORETRY : GFP_ATOMIC) | __GFP_NOWARN;
	unsigned int n = 0;

	for (unsigned int order = 2;; order = 0) {
		struct page *pg;
		while (n < w->hold_cap && (pg = alloc_pages(gfp, order))) {
			hold[n] = (struct obj){ page_address(pg), PAGE_SIZE << order,
						new_tag(w), NULL, OBJ_PAGES, (uint8_t)order };
			smp_stamp(&hold[n++]);
		}
		if (order == 0)
			break;
	}
	while (n)
		smp_free(w, &hold[--n], "pressure");
}

void smp_do_op(struct worker *w, enum smp_op op)
{
	switch (op) {
	case OP_PAGES: op_pages(w); break;
	case OP_KMALLOC: op_kmalloc(w); break;
	case OP_CACHE: op_cache(w); break;
	case OP_HANDOFF: op_handoff(w); break;
	case OP_DRAIN: drain_all_pages(); break;
	case OP_SHRINK:
		if (smp_rand(&w->rng) % 4)
			kmem_cache_shrink(smp_shared_cache);
		else
			kmem_cache_shrink_all();
		break;
	case OP_CACHELIFE: op_cachelife(w); break;
	case OP_SHRINKER: smp_shrinker_op(w); break;
	case OP_CONTIG: op_contig(w); break;
	case OP_PRESSURE: op_pressure(w); break;
	default: break;
	}
}

void smp_worker_finish(struct worker *w)
{
	for (unsigned int i = 0; i < HELD_SLOTS; i++)
		if (w->held[i].kind)
			smp_free(w, &w->held[i], "end of run");
	smp_shrinker_finish(w);
	/* this CPU's cached objects and frames back (others' are theirs) */
	kmem_cache_shrink(smp_shared_cache);
	kmem_cache_shrink_all();
}
