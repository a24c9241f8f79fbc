/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator: object paths (allocation, free, bulk, per-CPU arrays).
 *
 * Design. This follows Bonwick's slab allocator (USENIX 1994) and its
 * magazine layer (USENIX 2001), with Linux SLUB's way of finding metadata:
 *
 * - A cache hands out objects of one size. It keeps slabs (2^order frames
 *   cut into equal slots) on three lists, partial, full and empty, as
 *   Bonwick does. Objects that a constructor initialised stay constructed
 *   while free, so the constructor runs once per slot, when the slab is made.
 *
 * - In front of the slabs each CPU has an array of free objects (Bonwick's
 *   magazine, Linux SLAB's array_cache): allocation pops, free pushes, with
 *   no lock and no atomic instruction. When the array is empty it is
 *   refilled with `batch` objects under the cache lock; when full, the
 *   oldest `batch` go back to their slabs. Unlike Bonwick there is one
 *   array per CPU rather than a loaded/previous pair and a depot: the batch
 *   moves give the same amortisation with less machinery.
 *
 * - Like SLUB, and unlike Bonwick's hash table for large objects, there is
 *   no per-object header and no lookup structure: every frame of a slab has
 *   page_owner() pointing to the cache, so kfree() finds the cache in O(1)
 *   from the address alone (virt_to_page), and the slot from the physical
 *   address modulo the slab size (frame blocks are naturally aligned). The
 *   fast paths never touch the slab descriptor. It sits at the slab's tail
 *   for small slots (Bonwick's layout) and comes from a cache of its own for
 *   slots of 512 bytes and more, so a 4 KiB slot does not waste a frame per
 *   slab. The free list is threaded through the free slots (SLUB's free
 *   pointer). See the pictures in mm/slab/slab.h.
 *
 * - The fast paths (kmem_cache_alloc/free, kmalloc/kfree) are one call of
 *   mm_port_cpu_id(), a few loads and stores, no lock: the frame of an address
 *   comes from the frame allocator's largest region with one compare (then
 *   the span of this CPU's last lookup), kmem_cache_free proves the
 *   frame is a slab of its cache with one compare of page_owner(), the
 *   slot check is a multiply (slab_divides), and anything unusual (a frame
 *   the hint misses, a bad pointer, a large block, zeroing, GFP_DMA) falls
 *   to a checked path out of line that repeats every check in full. The
 *   always-on checks are the same on both. Off-slab descriptors are found
 *   through bits of page_owner() that a cache pointer leaves free, so
 *   every frame of a slab reads the same to the fast paths.
 *
 * - Per-CPU discipline, instead of disabling interrupts on every operation
 *   (picture and interleavings in slab.h): an array is used by its CPU's
 *   task context only. Interrupt handlers (mm_port_in_interrupt) allocate
 *   and free through the slabs under the cache lock, so the fast paths
 *   need no flag, no lock and no atomic instruction: two loads and a store
 *   for a pop, one more store for a push, and one load of the interrupt
 *   state. The owner's slow paths claim the array (busy, and it looks
 *   empty and full meanwhile), so a fast path reached from inside one
 *   (reclaim calling a shrinker) takes the locked path. A flush that
 *   other CPUs ask for runs on the owner as an interrupt and may fall
 *   inside a fast path: it takes everything below the top slot, which that
 *   path may be taking, and leaves the rest consistent whichever way the
 *   path ends. Only the owning CPU ever reads or writes its array (except
 *   kmem_cache_destroy, whose caller guarantees the cache is idle), and an
 *   interrupt on a CPU completes before the code it interrupted resumes,
 *   so compiler barriers are enough. The caller keeps other threads off
 *   the CPU id during a call (no kernel preemption inside mm calls).
 *   A per-operation busy flag (two more stores) cost 0.6-0.8 ns of a
 *   4-5 ns kmalloc+kfree pair (README, Benchmarks).
 *
 * - Partial slabs per CPU (SLUB's per-CPU partial lists, under the cache
 *   lock here): a slab with free slots belongs to the CPU that last took
 *   objects from it, and a refill takes from that CPU's own slabs first.
 *   With one shared partial list, two CPUs churning one cache mixed their
 *   objects in every slab, and each refill and flush pulled the slab
 *   descriptors and the objects' free pointers from the other CPU's cache
 *   (kmalloc churn on two CPUs spent 3-5x longer in those slow paths than
 *   on one). A CPU takes another CPU's partial slab only before it would
 *   make a new slab, so owning costs no memory.
 *
 * - Empty slabs: a cache keeps SLAB_EMPTY_KEEP of them for reuse and frees
 *   the rest at once. kmem_cache_shrink() and the "slab" shrinker (called by
 *   the frame allocator's direct reclaim) give back all of them, after
 *   returning this CPU's arrays, so GFP_KERNEL memory pressure recovers
 *   cache memory.
 *
 * - Locks: one spinlock per cache guards its lists. The frame allocator is
 *   never called with a slab lock held (it may reclaim and so call back into
 *   the shrinker), and nothing here panics with a lock held: problems found
 *   under a lock are carried out of it and reported after the unlock.
 *
 * - Not done (yet): Bonwick's cache colouring (slab offsets staggered per
 *   slab), a depot of full magazines shared between CPUs, and per-CPU
 *   arrays for interrupt handlers (they take the cache lock each time).
 *
 * Debug builds (MM_DEBUG) add to every slot a red zone after the object and
 * a state word (allocated/free), and poison free objects; see
 * mm/slab_debug.c and the slot picture in mm/slab_internal.h.
 */
#include "build.h"

#include "page/node.h"
#include "slab/slab.h"

struct kmem_cache mm_slab_cpu_array_cache;
struct kmem_cache mm_slab_desc_cache;
struct kmem_cache mm_slab_cache_cache;


/* ---- lists (cache lock held) ---- */

static struct slab_list *list_of(struct kmem_cache *s, unsigned int id,
				 uint32_t cpu, unsigned int node)
{
	switch (id) {
	case SLAB_LIST_PARTIAL:
		return &s->partial[node];
	case SLAB_LIST_FULL:
		return &s->full;
	case SLAB_LIST_CPU:
		MM_ASSERT(cpu < MM_MAX_CPUS, "list_of: cache %s: slab owner %u",
			  s->name, cpu);
		return &s->cpu_partial[cpu];
	default:
		return &s->empty[node];
	}
}

static void list_unlink(struct kmem_cache *s, struct slab *slab)
{
	if (slab->list == SLAB_LIST_NONE)
		return;
	struct slab_list *l = list_of(s, slab->list, slab->cpu, slab->node);
	if (slab->prev)
		slab->prev->next = slab->next;
	else
		l->first = slab->next;
	if (slab->next)
		slab->next->prev = slab->prev;
	l->count--;
	slab->list = SLAB_LIST_NONE;
}

static void list_push(struct kmem_cache *s, struct slab *slab, unsigned int id)
{
	struct slab_list *l = list_of(s, id, slab->cpu, slab->node);

	slab->next = l->first;
	slab->prev = NULL;
	if (l->first)
		l->first->prev = slab;
	l->first = slab;
	l->count++;
	slab->list = (uint8_t)id;
}

static struct slab *list_first(struct slab_list *l)
{
	return l->first;
}

/* Puts slab on the list its fill level and owner ask for (an empty slab
 * loses its owner). */
static void slab_place(struct kmem_cache *s, struct slab *slab)
{
	unsigned int want = slab->inuse == 0 ? SLAB_LIST_EMPTY :
			    slab->inuse == s->objs_per_slab ? SLAB_LIST_FULL :
			    slab->cpu != SLAB_NO_CPU ? SLAB_LIST_CPU :
						       SLAB_LIST_PARTIAL;
	if (slab->list == want)
		return;
	list_unlink(s, slab);
	if (want == SLAB_LIST_EMPTY)
		slab->cpu = SLAB_NO_CPU;
	list_push(s, slab, want);
}

/* The first slab of l on node (any node: SLAB_ANY_NODE). */
static struct slab *first_on_node(struct slab_list *l, unsigned int node)
{
	struct slab *slab = l->first;

	while (slab && node != SLAB_ANY_NODE && slab->node != node)
		slab = slab->next;
	return slab;
}

/* The slab a refill on cpu takes objects from. With node SLAB_ANY_NODE
 * (kmem_cache_alloc): its own partial slabs, then the unowned ones of its
 * node, then that node's empty ones; with steal (the refill has nothing
 * yet), another CPU's partial slab rather than a new slab while free slots
 * sit on another CPU's list. With a node (kmem_cache_alloc_node): only
 * slabs of that node, found the same way. */
static struct slab *refill_slab_locked(struct kmem_cache *s, unsigned int cpu,
				       unsigned int node, bool steal)
{
	unsigned int home = node == SLAB_ANY_NODE ? mm_pcp_node(cpu) : node;
	struct slab *slab;

	MM_ASSERT_LOCKED(&s->lock, "refill_slab_locked");
	if ((slab = first_on_node(&s->cpu_partial[cpu], node)) ||
	    (slab = list_first(&s->partial[home])) ||
	    (slab = list_first(&s->empty[home])))
		return slab;
	if (!steal)
		return NULL;
	for (unsigned int c = 0, cpus = mm_cpus_running(); c < cpus; c++)
		if ((slab = first_on_node(&s->cpu_partial[c], node)))
			return slab;
	/* Any node, and this CPU's is short of frames: the other nodes'
	 * partial slabs, nearest first, before a new slab would come from
	 * them anyway. */
	if (node == SLAB_ANY_NODE && mm_node_short(home))
		for (unsigned int k = 1; k < mm_nr_nodes; k++)
			if ((slab = list_first(&s->partial[mm_node_order[home][k]])))
				return slab;
	return NULL;
}

unsigned long mm_slab_count_locked(struct kmem_cache *s)
{
	unsigned long n = s->full.count;

	MM_ASSERT_LOCKED(&s->lock, "mm_slab_count_locked");
	for (unsigned int nd = 0; nd < MM_MAX_NUMNODES; nd++)
		n += s->partial[nd].count + s->empty[nd].count;
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		n += s->cpu_partial[c].count;
	return n;
}

void mm_slab_disown_cpu(struct kmem_cache *s, unsigned int cpu)
{
	unsigned long irq = mm_port_lock_irqsave(&s->lock);
	struct slab *slab;

	while ((slab = list_first(&s->cpu_partial[cpu]))) {
		list_unlink(s, slab);
		slab->cpu = SLAB_NO_CPU;
		list_push(s, slab, SLAB_LIST_PARTIAL);
	}
	mm_port_unlock_irqrestore(&s->lock, irq);
}

/* A free pointer read from a slot is NULL or a slot of the same slab. */
static bool fp_valid(const struct kmem_cache *s, const struct slab *slab,
		     const void *fp)
{
	uintptr_t off = (uintptr_t)fp - slab->base;

	if (!fp)
		return true;
	return off < (uintptr_t)s->objs_per_slab * s->size &&
	       off % s->size == 0;
}

/* ---- moving objects between slabs and arrays (cache lock held) ---- */

/*
 * Takes up to n free objects from partial slabs, then empty ones. Returns
 * how many. In debug builds stops at a corrupted free pointer and leaves
 * the slot in *bad for the caller to report after unlocking.
 */
static uint32_t grab_locked(struct kmem_cache *s, unsigned int cpu,
			    unsigned int node, void **objs, uint32_t n, void **bad)
{
	uint32_t got = 0;

	MM_ASSERT_LOCKED(&s->lock, "grab_locked");

	while (got < n) {
		struct slab *slab = refill_slab_locked(s, cpu, node, got == 0);
		if (!slab)
			break;
		/* cpu owns it from now on, if it is of the node its refills
		 * serve (another node's slab stays on that node's list) */
		if (slab->cpu != cpu && slab->node == mm_pcp_node(cpu)) {
			list_unlink(s, slab);
			slab->cpu = cpu;
		}
		while (got < n && slab->freelist) {
			void *obj = slab->freelist;
			void *next = slab_get_fp(s, obj);
			if (MM_DEBUG && !fp_valid(s, slab, next)) {
				*bad = obj;
				slab_place(s, slab);
				return got;
			}
			slab->freelist = next;
			slab->inuse++;
			objs[got++] = obj;
		}
		slab_place(s, slab);
	}
	s->inuse += got;
	return got;
}

/*
 * Returns objects to their slabs (slabs[i] holds objs[i]). Slabs that
 * become empty beyond SLAB_EMPTY_KEEP are unlinked onto *to_free for the
 * caller to free after unlocking.
 */
static void put_locked(struct kmem_cache *s, void *const *objs,
		       struct slab *const *slabs, uint32_t n,
		       struct slab **to_free)
{
	MM_ASSERT_LOCKED(&s->lock, "put_locked");
	for (uint32_t i = 0; i < n; i++) {
		void *obj = objs[i];
		struct slab *slab = slabs[i];

		slab_set_fp(s, obj, slab->freelist);
		slab->freelist = obj;
		slab->inuse--;
		if (slab->inuse == 0 && s->empty[slab->node].count >= SLAB_EMPTY_KEEP) {
			list_unlink(s, slab);
			slab->next = *to_free;
			*to_free = slab;
		} else {
			slab_place(s, slab);
		}
	}
	s->inuse -= n;
}

#define SLAB_PUT_CHUNK 64 /* objects whose slabs one lock hold returns them to */

/*
 * Returns objs[0..n) to their slabs, as put_locked, taking the cache lock
 * once per SLAB_PUT_CHUNK objects. Each object's descriptor is found, and
 * its line and the object's free pointer fetched for writing, before the
 * lock (an object the caller holds keeps its slab alive), so the lock is
 * held for list work on lines already here rather than for cache misses.
 */
static void put_objects(struct kmem_cache *s, void *const *objs, uint32_t n,
			struct slab **to_free)
{
	struct slab *slabs[SLAB_PUT_CHUNK];

	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < SLAB_PUT_CHUNK ? n - done : SLAB_PUT_CHUNK;
		for (uint32_t i = 0; i < k; i++) {
			void *obj = objs[done + i];
			slabs[i] = mm_slab_of_object(s, obj);
			__builtin_prefetch(slabs[i], 1);
			__builtin_prefetch((char *)obj + s->fp_offset, 1);
		}
		unsigned long irq = mm_port_lock_irqsave(&s->lock);
		put_locked(s, objs + done, slabs, k, to_free);
		mm_port_unlock_irqrestore(&s->lock, irq);
		done += k;
	}
}

/* Panics, naming the slot, on a corrupted free pointer that grab_locked
 * left in bad (never under the lock). */
static void report_bad_free_pointer(const struct kmem_cache *s, void *bad)
{
	if (bad)
		mm_panic("%s: free list of cache %s corrupted at %p "
			   "(free pointer 0x%lx)", "kmem_cache_alloc", s->name,
			   bad, (unsigned long)slab_get_fp(s, bad));
}

/* Up to n objects that already exist on node (SLAB_ANY_NODE: a refill's
 * order): never makes a slab. */
static uint32_t get_existing_on(struct kmem_cache *s, void **objs, uint32_t n,
				unsigned int node)
{
	void *bad = NULL;
	unsigned int cpu = mm_this_cpu_raw();
	unsigned long irq = mm_port_lock_irqsave(&s->lock);
	uint32_t got = grab_locked(s, cpu, node, objs, n, &bad);

	mm_port_unlock_irqrestore(&s->lock, irq);
	report_bad_free_pointer(s, bad);
	return got;
}

uint32_t mm_slab_get_existing_objects(struct kmem_cache *s, void **objs,
				     uint32_t n)
{
	return get_existing_on(s, objs, n, SLAB_ANY_NODE);
}

/* Up to n objects (at least one unless memory is out) from node nid's
 * slabs (NUMA_NO_NODE: a refill's order, then a new slab on this CPU's
 * node). A new slab for nid may land on another node when nid has no room
 * and gfp lacks __GFP_THISNODE; its objects are taken then. */
static uint32_t get_objects_on(struct kmem_cache *s, void **objs, uint32_t n,
			       gfp_t gfp, int nid)
{
	unsigned int node = nid == NUMA_NO_NODE ? SLAB_ANY_NODE : (unsigned int)nid;
	void *bad = NULL;
	uint32_t got = get_existing_on(s, objs, n, node);

	while (!got && !bad) {
		struct slab *slab = mm_slab_new(s, gfp, nid);
		if (!slab) {
			/* no frame anywhere it may go: for any node, the slots
			 * other nodes' slabs still have */
			for (unsigned int nd = 0; !got && node == SLAB_ANY_NODE &&
			     nd < mm_num_online_nodes(); nd++)
				got = get_existing_on(s, objs, n, nd);
			return got;
		}
		unsigned long irq = mm_port_lock_irqsave(&s->lock);
		list_push(s, slab, SLAB_LIST_EMPTY);
		/* from the new slab's node: it may not be the one a refill
		 * looks at first (no room there, the frames came from another) */
		got = grab_locked(s, mm_this_cpu_raw(), slab->node, objs, n, &bad);
		mm_port_unlock_irqrestore(&s->lock, irq);
	}
	report_bad_free_pointer(s, bad);
	return got;
}

uint32_t mm_slab_get_objects(struct kmem_cache *s, void **objs, uint32_t n,
			     gfp_t gfp)
{
	return get_objects_on(s, objs, n, gfp, NUMA_NO_NODE);
}

unsigned long mm_slab_put_objects(struct kmem_cache *s, void *const *objs,
			       uint32_t n)
{
	struct slab *to_free = NULL;

	put_objects(s, objs, n, &to_free);
	return mm_slab_free_chain(to_free);
}

/* ---- allocation ---- */

void *mm_slab_alloc_slow(struct kmem_cache *s, gfp_t gfp)
{
	unsigned int cpu = mm_this_cpu_slow();
	struct kmem_cpu_cache *c = NULL;
	void *obj = NULL;
	uint32_t n;

	/* Interrupt handlers never touch the arrays (slab.h). */
	if (!mm_port_in_interrupt()) {
		c = s->cpu[cpu];
		if (!c && !(s->flags & SLAB_NO_CPU_CACHE))
			c = mm_slab_cpu_array_install(s, cpu, gfp, true);
	}
	if (!c || !slab_cpu_claim(c, &n)) { /* none, or held further up */
		if (!mm_slab_get_objects(s, &obj, 1, gfp))
			return NULL;
		return obj;
	}
	if (n == 0) /* may reclaim: claimed, the array looks empty and full */
		n = mm_slab_get_objects(s, cpu_objs(c), c->batch, gfp);
	if (n)
		obj = cpu_objs(c)[--n];
	slab_cpu_release(s, c, n);
	return obj;
}

__attribute__((noinline)) void *mm_slab_alloc_finish(struct kmem_cache *s, void *obj,
						 gfp_t gfp)
{
	if (!obj) {
		obj = mm_slab_alloc_slow(s, gfp);
		if (!obj)
			return NULL;
	}
	mm_slab_debug_on_alloc(s, obj, "kmem_cache_alloc");
	if (gfp & __GFP_ZERO)
		__builtin_memset(obj, 0, s->object_size);
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc_inline(s, gfp);
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

/* The node of an object (of a slab: its frames'). */
static unsigned int object_node(const void *obj)
{
	return (unsigned int)page_to_nid(virt_to_page(obj));
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int nid)
{
	gfp_check_context("kmem_cache_alloc_node", gfp);
	if (nid == NUMA_NO_NODE)
		return kmem_cache_alloc(s, gfp);
	unsigned int node = mm_request_node(nid, "kmem_cache_alloc_node");
	void *obj = NULL;

	/* The per-CPU array holds mostly this CPU's node's objects (it
	 * refills from them). One of another node is what a fallback would
	 * give when this node is short of frames; otherwise it goes back. */
	if (node == mm_pcp_node(mm_this_cpu())) {
		obj = kmem_cache_alloc(s, gfp & ~__GFP_ZERO);
		if (obj && object_node(obj) == node)
			goto done;
		if (!obj && (gfp & __GFP_THISNODE))
			return NULL;
		if (obj) {
			void *mine;
			if (get_existing_on(s, &mine, 1, node)) {
				kmem_cache_free(s, obj);
				obj = mine;
				mm_slab_debug_on_alloc(s, obj, "kmem_cache_alloc_node");
				goto done;
			}
			if (!(gfp & __GFP_THISNODE) && mm_node_short(node))
				goto done;
			kmem_cache_free(s, obj);
		}
	}
	/* Another node's objects: straight from that node's slabs under
	 * the cache lock, not through the array (which serves this CPU's
	 * node). */
	if (!get_objects_on(s, &obj, 1, gfp, (int)node))
		return NULL;
	mm_slab_debug_on_alloc(s, obj, "kmem_cache_alloc_node");
done:
	if (gfp & __GFP_ZERO)
		__builtin_memset(obj, 0, s->object_size);
	return obj;
}

/* ---- free ---- */

void mm_slab_free_slow(struct kmem_cache *s, void *obj)
{
	unsigned int cpu = mm_this_cpu_slow();
	struct kmem_cpu_cache *c = NULL;
	struct slab *to_free = NULL;
	uint32_t n;

	/* A CPU that only frees gets an array too, if it comes for free: an
	 * array object that exists already. A free never takes a frame (the
	 * slab shrinker frees objects too, and memory taken then is memory
	 * reclaim does not give back). Interrupt handlers use the slabs. */
	if (!mm_port_in_interrupt()) {
		c = s->cpu[cpu];
		if (!c && !(s->flags & SLAB_NO_CPU_CACHE))
			c = mm_slab_cpu_array_install(s, cpu, GFP_NOWAIT, false);
	}
	if (!c || !slab_cpu_claim(c, &n)) {
		mm_slab_put_objects(s, &obj, 1);
		return;
	}
	if (n >= c->cap) {
		/* Full: the oldest batch goes back to the slabs. */
		uint32_t b = c->batch;
		put_objects(s, cpu_objs(c), b, &to_free);
		__builtin_memmove(cpu_objs(c), cpu_objs(c) + b,
				  (n - b) * sizeof(void *));
		n -= b;
	}
	cpu_objs(c)[n++] = obj;
	slab_cpu_release(s, c, n);
	mm_slab_free_chain(to_free);
}

/* kmem_cache_free's checks in full, in their order (the fast path's test
 * failed: a bad pointer, or a frame the span hint misses). */
__attribute__((noinline)) static void cache_free_checked(struct kmem_cache *s,
							 void *obj)
{
	struct kmem_cache *owner = mm_slab_cache_of(obj, "kmem_cache_free");

	if (unlikely(owner != s))
		mm_slab_bad_free(s, owner, obj, "kmem_cache_free");
	slab_free_inline(s, obj, "kmem_cache_free");
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	uint64_t pa = mm_port_virt_to_phys(obj);
	const struct page *page = slab_pa_to_page_hinted(pa);

	/* One compare proves the frame belongs to a slab of s (page_private
	 * is the cache only on slab frames of a live cache); then the slot. */
	if (unlikely(!slab_priv_is(page_owner(page), s) ||
		     !slab_is_slot_start(s, pa))) {
		cache_free_checked(s, obj);
		return;
	}
	slab_free_push(s, obj, "kmem_cache_free");
}

/* ---- shrinking ---- */

unsigned long mm_slab_take_empty(struct kmem_cache *s, struct slab **out,
			      unsigned long max_frames)
{
	unsigned long frames = 0;
	unsigned long irq = mm_port_lock_irqsave(&s->lock);
	struct slab *slab;

	for (unsigned int nd = 0; nd < MM_MAX_NUMNODES; nd++)
		while (frames < max_frames && (slab = list_first(&s->empty[nd]))) {
			list_unlink(s, slab);
			slab->next = *out;
			*out = slab;
			frames += 1ul << s->order;
		}
	mm_port_unlock_irqrestore(&s->lock, irq);
	return frames;
}

/* ---- cache lists and geometry helpers shared with slab_cache.c ---- */

void mm_slab_lists_init(struct kmem_cache *s)
{
	s->full = (struct slab_list){ NULL, 0 };
	for (unsigned int nd = 0; nd < MM_MAX_NUMNODES; nd++)
		s->partial[nd] = s->empty[nd] = (struct slab_list){ NULL, 0 };
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		s->cpu_partial[c] = (struct slab_list){ NULL, 0 };
}
