/* SPDX-License-Identifier: MIT */
/*
 * Slab caches: geometry, creation and destruction, shrinking (on request and
 * by the frame allocator's reclaim), the slabinfo report and bring-up.
 * The object paths are in mm/slab.c, whose opening comment has the design.
 */
#include "build.h"

#include "slab/slab.h"
#include "stats.h"


/* Every cache, built-in ones first. Lock order: slab_caches_lock, then a
 * cache's lock, then the frame allocator's zone locks. */
static struct kmem_cache *slab_caches;
static mm_spinlock_t slab_caches_lock = MM_SPINLOCK_INIT;
static struct shrinker slab_shrinker;

unsigned long kmem_cache_leaked_objects(void)
{
	return mm_stat_read(MM_STAT_SLAB_LEAKED);
}

void mm_slab_list_add_cache(struct kmem_cache *s)
{
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);
	struct kmem_cache **pp = &slab_caches;

	while (*pp) /* append: reports list caches in creation order */
		pp = &(*pp)->next;
	s->next = NULL;
	*pp = s;
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
}

static void list_remove_cache(struct kmem_cache *s)
{
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);

	for (struct kmem_cache **pp = &slab_caches; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
}

/* ---- geometry ---- */

/* Frames per slab: the smallest order up to SLAB_MAX_PREFERRED_ORDER that
 * holds 8 slots with at most 1/8 waste; else the one with the most slots
 * within 1/8 waste; else the least waste; else what one slot needs. */
/*
 * How many free objects a CPU's array of the cache may hold: fewer as they
 * grow, so one CPU keeps at most about 120 KiB of a cache idle (30 KiB of
 * 256-byte objects, 120 KiB of 1, 2 or 4 KiB ones). Larger arrays for the
 * larger objects mean fewer trips to the slab lists under the cache lock,
 * which CPUs share: kmalloc churn on two CPUs at once ran 1.3x faster with
 * them than with 60/24 (bench smp.kmalloc_churn4096).
 */
static const struct {
	uint32_t max_size, limit;
} cpu_limit_ladder[] = {
	{ 256, SLAB_CPU_LIMIT_MAX }, { 1024, 120 }, { 2048, 60 }, { 4096, 30 },
	{ UINT32_MAX, 8 },
};

static uint32_t cpu_limit_for(uint32_t size)
{
	unsigned int i = 0;

	while (size > cpu_limit_ladder[i].max_size)
		i++;
	return cpu_limit_ladder[i].limit;
}

static unsigned int pick_order(uint32_t size, bool onslab, uint32_t *objs)
{
	unsigned int best = 0;
	uint64_t best_n = 0, best_waste_frac = ~0ull;
	bool best_ok = false;

	/* Off-slab slabs keep their descriptor's address in frames 0 and 1
	 * (mm/slab_internal.h): order >= 1. */
	for (unsigned int o = onslab ? 0 : 1; o <= SLAB_MAX_PREFERRED_ORDER; o++) {
		uint64_t bytes = MM_PAGE_SIZE << o;
		uint64_t usable = bytes - (onslab ? sizeof(struct slab) : 0);
		uint64_t n = usable / size;
		if (!n)
			continue;
		uint64_t waste = bytes - n * size;
		bool ok = waste * 8 <= bytes;
		if (ok && n >= 8) {
			*objs = (uint32_t)n;
			return o;
		}
		uint64_t frac = (waste << 16) / bytes;
		if ((ok && (!best_ok || n > best_n)) ||
		    (!ok && !best_ok && frac < best_waste_frac)) {
			best = o;
			best_n = n;
			best_ok = ok;
			best_waste_frac = frac;
		}
	}
	if (best_n) {
		*objs = (uint32_t)best_n;
		return best;
	}
	for (unsigned int o = SLAB_MAX_PREFERRED_ORDER + 1; o <= MAX_ORDER; o++) {
		/* (order >= 1 here, as off-slab slabs need) */
		uint64_t usable = (MM_PAGE_SIZE << o) - (onslab ? sizeof(struct slab) : 0);
		if (usable >= size) {
			*objs = (uint32_t)(usable / size);
			return o;
		}
	}
	mm_panic("kmem_cache_create: no slab order fits a %u-byte slot", size);
}

void mm_slab_cache_setup(struct kmem_cache *s, const char *name, size_t size,
		      size_t align, unsigned int flags, void (*ctor)(void *))
{
	size_t stride;
	size_t i;

	/* page_private keeps bits 47..6 of the cache pointer (slab_priv_make) */
	if (((uintptr_t)s & ~SLAB_PRIV_PTR) != mm_slab_ptr_top)
		mm_panic("kmem_cache_create: cache %s at %p is outside the half "
			   "of the address space of mm_slab_cache_cache (%p)",
			   name ? name : "?", (void *)s, (void *)&mm_slab_cache_cache);
	__builtin_memset(s, 0, sizeof(*s));
	for (i = 0; name && name[i] && i < SLAB_NAME_MAX - 1; i++)
		s->name[i] = name[i];
	s->name[i] = '\0';
	if (align < KMALLOC_MIN_ALIGN)
		align = KMALLOC_MIN_ALIGN;
	if ((flags & SLAB_HWCACHE_ALIGN) && align < SLAB_CACHE_LINE)
		align = SLAB_CACHE_LINE;
	s->object_size = (uint32_t)size;
	if (MM_DEBUG) {
		s->meta_offset = (uint32_t)(mm_align_up(size, 8) + 8);
		s->fp_offset = s->meta_offset + 8;
		stride = s->fp_offset + 8;
	} else if (ctor) {
		s->fp_offset = (uint32_t)mm_align_up(size, 8);
		s->meta_offset = s->fp_offset;
		stride = s->fp_offset + 8;
	} else {
		s->fp_offset = 0;
		s->meta_offset = (uint32_t)mm_align_up(size, 8);
		stride = s->meta_offset;
	}
	s->size = (uint32_t)mm_align_up(stride, align);
	s->align = (uint32_t)align;
	s->flags = flags;
	s->ctor = ctor;
	s->recip = slab_reciprocal(s->size);
	s->zone_gfp = (flags & SLAB_CACHE_DMA) ? __GFP_DMA : 0;
	bool onslab = (flags & SLAB_FORCE_ONSLAB) || s->size < SLAB_OFFSLAB_MIN;
	s->offslab = !onslab;
	s->order = pick_order(s->size, onslab, &s->objs_per_slab);
	s->slab_mask = (MM_PAGE_SIZE << s->order) - 1;
	s->slab_used = s->objs_per_slab * s->size;
	s->priv_key = slab_priv_make(s, 0);
	s->magic = SLAB_CACHE_MAGIC;
	s->cpu_limit = cpu_limit_for(s->size);
	s->cpu_batch = s->cpu_limit / 2;
	s->lock = (mm_spinlock_t)MM_SPINLOCK_INIT;
	mm_slab_lists_init(s);
}

/* ---- create / destroy ---- */

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *s;

	if (size == 0 || size > SLAB_MAX_OBJECT_SIZE)
		mm_panic("kmem_cache_create: cache %s: bad object size %zu "
			   "(1 .. %u)", name ? name : "?", size, SLAB_MAX_OBJECT_SIZE);
	if (align && (!mm_is_pow2(align) || align > MM_PAGE_SIZE))
		mm_panic("kmem_cache_create: cache %s: align %zu is not a "
			   "power of two <= %llu", name ? name : "?", align,
			   (unsigned long long)MM_PAGE_SIZE);
	if (flags & ~SLAB_PUBLIC_FLAGS)
		mm_panic("kmem_cache_create: cache %s: unknown flags 0x%x",
			   name ? name : "?", flags & ~SLAB_PUBLIC_FLAGS);
	s = kmem_cache_alloc(&mm_slab_cache_cache, GFP_KERNEL);
	if (!s) {
		if (flags & SLAB_PANIC)
			mm_panic("kmem_cache_create: cache %s: out of memory",
				   name ? name : "?");
		return NULL;
	}
	mm_slab_cache_setup(s, name, size, align, flags, ctor);
	mm_slab_list_add_cache(s);
	return s;
}

/* ---- per-CPU arrays, through their owners ---- */

struct array_call {
	struct kmem_cache *s; /* NULL: every cache */
	unsigned long frames;
	bool busy;            /* destroy: the array was in use */
};

/* On the CPU whose arrays it empties (a cross-CPU call, interrupts off). */
static void empty_arrays_here(void *arg)
{
	struct array_call *a = arg;

	if (a->s) {
		a->frames += mm_slab_cpu_empty(a->s);
		return;
	}
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);
	for (struct kmem_cache *s = slab_caches; s; s = s->next)
		if (s != &mm_slab_cpu_array_cache)
			a->frames += mm_slab_cpu_empty(s);
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
}

unsigned long mm_slab_flush_cpu_arrays(struct kmem_cache *s)
{
	unsigned int me = mm_this_cpu_raw();
	unsigned long frames = 0;

	for (unsigned int cpu = 0, cpus = mm_cpus_running(); cpu < cpus; cpu++) {
		struct array_call a = { s, 0, false };

		if (cpu == me || (s && !__atomic_load_n(&s->cpu[cpu], __ATOMIC_RELAXED)))
			continue;
		if (mm_call_on_online_cpu(cpu, empty_arrays_here, &a))
			frames += a.frames;
	}
	if (s)
		return frames + mm_slab_cpu_drop(s);
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);
	for (struct kmem_cache *c = slab_caches; c; c = c->next)
		if (c != &mm_slab_cpu_array_cache)
			frames += mm_slab_cpu_drop(c);
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
	return frames;
}

/* On each CPU for kmem_cache_destroy: no operation on the cache may be in
 * flight anywhere (the caller's promise), so the array is freed there. A
 * claimed array proves a slow path in flight (a fast path leaves no mark). */
static void destroy_array_here(void *arg)
{
	struct array_call *a = arg;
	struct kmem_cpu_cache *c = a->s->cpu[mm_this_cpu_raw()];

	if (c && c->busy)
		a->busy = true;
	else
		a->frames += mm_slab_cpu_drop(a->s);
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	struct slab *chain = NULL;
	unsigned long leaked, irq;

	if (!s)
		return;
	if (s->flags & SLAB_STATIC)
		mm_panic("kmem_cache_destroy: %s is a built-in cache", s->name);
	mm_check_task_context("kmem_cache_destroy");
	/* Unlinked first, so no shrinker or flush reaches it from now on. */
	list_remove_cache(s);
	for (unsigned int cpu = 0, cpus = mm_cpus_running(); cpu < cpus; cpu++) {
		struct array_call a = { s, 0, false };

		struct kmem_cpu_cache *c = __atomic_load_n(&s->cpu[cpu], __ATOMIC_RELAXED);

		if (!c)
			continue;
		if (!mm_call_on_online_cpu(cpu, destroy_array_here, &a)) {
			/* cpu is dead (or dying: mm_cpu_dead waits for no call
			 * of ours) and s was unlinked before its arrays were
			 * given back: ours to give back */
			__atomic_store_n(&s->cpu[cpu], NULL, __ATOMIC_RELAXED);
			mm_slab_cpu_array_release(s, c);
			continue;
		}
		if (a.busy)
			mm_panic("kmem_cache_destroy: cache %s is in use on CPU %u "
				 "(a slow path on it is in flight)", s->name, cpu);
	}
	irq = mm_port_lock_irqsave(&s->lock);
	leaked = s->inuse;
	mm_port_unlock_irqrestore(&s->lock, irq);
	if (leaked) {
		mm_port_log("kmem_cache_destroy: cache %s still has %lu objects "
			    "allocated; cache kept\n", s->name, leaked);
		mm_stat_add(MM_STAT_SLAB_LEAKED, leaked);
		mm_slab_list_add_cache(s);
		return;
	}
	mm_slab_take_empty(s, &chain, ~0ul);
	mm_slab_free_chain(chain);
	s->magic = 0;
	kmem_cache_free(&mm_slab_cache_cache, s);
}

void mm_slab_release_dead_cpu(unsigned int cpu)
{
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);

	for (struct kmem_cache *s = slab_caches; s; s = s->next) {
		struct kmem_cpu_cache *c = s->cpu[cpu];

		if (c) {
			__atomic_store_n(&s->cpu[cpu], NULL, __ATOMIC_RELAXED);
			mm_slab_cpu_array_release(s, c);
		}
		/* after the array's objects are back: they may have made a
		 * full slab of cpu's partial again. Full slabs keep their
		 * owner; the refill path takes from a dead CPU's list too. */
		mm_slab_disown_cpu(s, cpu);
	}
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
}

/* ---- shrinking ---- */

unsigned long kmem_cache_shrink(struct kmem_cache *s)
{
	struct slab *chain = NULL;
	unsigned long frames;

	mm_check_task_context("kmem_cache_shrink");
	frames = mm_slab_flush_cpu_arrays(s);
	mm_slab_take_empty(s, &chain, ~0ul);
	return frames + mm_slab_free_chain(chain);
}

static bool is_internal(const struct kmem_cache *s)
{
	return s == &mm_slab_cpu_array_cache || s == &mm_slab_desc_cache ||
	       s == &mm_slab_cache_cache;
}

static unsigned long left(unsigned long max, unsigned long done)
{
	return done < max ? max - done : 0;
}

static unsigned long free_empty(struct kmem_cache *s, unsigned long max_frames)
{
	struct slab *chain = NULL;

	mm_slab_take_empty(s, &chain, max_frames);
	return mm_slab_free_chain(chain);
}

/*
 * Empties every CPU's arrays (each on its own CPU; this CPU's are given
 * back too), then frees empty slabs until max_frames frames are freed:
 * ordinary caches first, then the internal ones, whose slabs empty as the
 * others' arrays and off-slab descriptors come back (freeing descriptors
 * may have set up a new slab_desc array here: drop it too). The internal
 * caches keep their descriptors on-slab, so freeing their slabs frees no
 * further objects.
 */
static unsigned long shrink_caches(unsigned long max_frames)
{
	unsigned long frames = mm_slab_flush_cpu_arrays(NULL);
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);

	for (struct kmem_cache *s = slab_caches; s && frames < max_frames; s = s->next)
		if (!is_internal(s))
			frames += free_empty(s, left(max_frames, frames));
	frames += mm_slab_cpu_drop(&mm_slab_desc_cache);
	frames += free_empty(&mm_slab_cache_cache, left(max_frames, frames));
	frames += free_empty(&mm_slab_desc_cache, left(max_frames, frames));
	frames += free_empty(&mm_slab_cpu_array_cache, left(max_frames, frames));
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
	return frames;
}

void mm_cpu_idle(void)
{
	/* Range-checked only: an idle loop may run before mm_init() (the
	 * flag is 0 then) and the online test is the slow path's. */
	unsigned int cpu = mm_this_cpu_raw();

	if (likely(!mm_slab_idle_work[cpu].pending))
		return;
	mm_this_cpu_slow();
	mm_check_task_context("mm_cpu_idle");
	mm_slab_idle_work[cpu].pending = 0;
	/* Task context outside any mm call: each array is emptied whole
	 * (mm_slab_cpu_empty claims it; a flush arriving meanwhile is
	 * flagged and runs at the release). */
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);
	for (struct kmem_cache *s = slab_caches; s; s = s->next)
		if (s != &mm_slab_cpu_array_cache)
			mm_slab_cpu_empty(s);
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
}

unsigned long kmem_cache_shrink_all(void)
{
	mm_check_task_context("kmem_cache_shrink_all");
	return shrink_caches(~0ul);
}

/* The frame allocator's reclaim calls this; slabs need no I/O or fs. */
static unsigned long slab_shrinker_scan(struct shrinker *sh, gfp_t gfp,
					unsigned long nr_to_free)
{
	(void)sh, (void)gfp;
	return shrink_caches(nr_to_free);
}

/* ---- inspection and report ---- */

void kmem_cache_get_info(struct kmem_cache *s, struct kmem_cache_info *info)
{
	unsigned long cached = mm_slab_cpu_cached(s);
	unsigned long irq = mm_port_lock_irqsave(&s->lock);
	unsigned long slabs = mm_slab_count_locked(s);

	info->name = s->name;
	info->object_size = s->object_size;
	info->slot_size = s->size;
	info->align = s->align;
	info->order = s->order;
	info->objs_per_slab = s->objs_per_slab;
	info->active_objs = s->inuse > cached ? s->inuse - cached : 0;
	info->total_objs = slabs * s->objs_per_slab;
	info->slabs = slabs;
	info->empty_slabs = 0;
	for (unsigned int nd = 0; nd < MM_MAX_NUMNODES; nd++)
		info->empty_slabs += s->empty[nd].count;
	info->pages = slabs << s->order;
	mm_port_unlock_irqrestore(&s->lock, irq);
}

/* The n-th cache's row, copied under the list lock; false past the end. */
static bool cache_row(unsigned int n, struct kmem_cache_info *in, bool *hidden)
{
	unsigned long irq = mm_port_lock_irqsave(&slab_caches_lock);
	struct kmem_cache *s = slab_caches;

	while (s && n--)
		s = s->next;
	if (s) {
		kmem_cache_get_info(s, in);
		*hidden = !in->slabs && (s->flags & SLAB_STATIC) &&
			  ((s->flags & SLAB_CACHE_DMA) || is_internal(s));
	}
	mm_port_unlock_irqrestore(&slab_caches_lock, irq);
	return s != NULL;
}

void mm_slab_report(void)
{
	unsigned long total_pages = 0, idle = 0;
	struct kmem_cache_info in;
	bool hidden;

	mm_port_log("slabinfo (debug %s; per-CPU arrays counted as free):\n",
		    MM_DEBUG ? "on" : "off");
	mm_port_log("  %-20s %8s %6s %10s %10s %7s %7s %11s\n", "cache", "objsize",
		    "slot", "active", "total", "slabs", "pages", "objs/frames");
	/* Row by row, printed with no lock held (a cache created or destroyed
	 * meanwhile may shift a row: a report, not a snapshot). */
	for (unsigned int n = 0; cache_row(n, &in, &hidden); n++) {
		total_pages += in.pages;
		if (hidden) {
			idle++;
			continue;
		}
		mm_port_log("  %-20s %8zu %6zu %10lu %10lu %7lu %7lu %7lu/%u\n",
			    in.name, in.object_size, in.slot_size, in.active_objs,
			    in.total_objs, in.slabs, in.pages, in.objs_per_slab,
			    1u << in.order);
	}
	mm_port_log("  (%lu idle DMA and internal caches not shown) slabs hold %lu "
		    "frames (%lu KiB)\n", idle, total_pages, total_pages * 4);
}

/* ---- bring-up ---- */

void mm_slab_init(void)
{
	for (unsigned int cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		mm_slab_idle_work[cpu].pending = 0;
	slab_caches = NULL;
	slab_caches_lock = (mm_spinlock_t)MM_SPINLOCK_INIT;
	mm_slab_ptr_top = (uintptr_t)&mm_slab_cache_cache & ~SLAB_PRIV_PTR;
	mm_slab_cache_setup(&mm_slab_cache_cache, "kmem_cache", sizeof(struct kmem_cache),
			 SLAB_CACHE_LINE, SLAB_STATIC | SLAB_FORCE_ONSLAB, NULL);
	mm_slab_cache_setup(&mm_slab_desc_cache, "slab_desc", sizeof(struct slab), SLAB_DESC_ALIGN,
			 SLAB_STATIC | SLAB_FORCE_ONSLAB, NULL);
	mm_slab_cache_setup(&mm_slab_cpu_array_cache, "slab_cpu_array",
			 SLAB_CPU_ARRAY_BYTES, SLAB_CACHE_LINE,
			 SLAB_STATIC | SLAB_FORCE_ONSLAB | SLAB_NO_CPU_CACHE, NULL);
	mm_slab_list_add_cache(&mm_slab_cache_cache);
	mm_slab_list_add_cache(&mm_slab_desc_cache);
	mm_slab_list_add_cache(&mm_slab_cpu_array_cache);
	__builtin_memset(&slab_shrinker, 0, sizeof(slab_shrinker));
	slab_shrinker.scan = slab_shrinker_scan;
	slab_shrinker.name = "slab";
	register_shrinker(&slab_shrinker);
}
