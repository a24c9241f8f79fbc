/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator and the kmalloc family: objects smaller than a frame,
 * carved from slabs of frames. Linux's names and behaviour, so code ports
 * both ways. Flags: <mm/gfp.h>. Design: mm/slab.c.
 *
 * Locking: every function takes the locks it needs itself. Allocations that
 * may reclaim (__GFP_DIRECT_RECLAIM, as in GFP_KERNEL) must not be made with
 * an mm lock held; GFP_ATOMIC and GFP_NOWAIT allocations and every free may
 * be made from interrupt handlers. kmem_cache_create/destroy/shrink are for
 * task context only.
 *
 * Alignment: every kmalloc() result is at least KMALLOC_MIN_ALIGN (8) bytes
 * aligned; a request rounded to a power-of-two class up to PAGE_SIZE is
 * naturally aligned (kmalloc(64) is 64-byte aligned, kmalloc(3000) is
 * 4096-byte aligned); 96 and 192 are 32- and 64-byte aligned; 8 KiB and
 * larger are page aligned.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <stddef.h>
#include <stdint.h>
#include <mm/gfp.h>
#include <mm/names.h>

struct kmem_cache;

/* ---- kmem_cache flags (kmem_cache_create) ----
 *
 * SLAB_HWCACHE_ALIGN: objects start on a cache line (SLAB_CACHE_LINE bytes),
 * so two objects never share one. Default: the align argument, at least 8.
 *
 * SLAB_CACHE_DMA: slabs come from ZONE_DMA (below 16 MiB); allocations are
 * GFP_DMA whatever the caller passes. Default: any zone, NORMAL first.
 *
 * SLAB_PANIC: kmem_cache_create panics instead of returning NULL.
 */
#define SLAB_HWCACHE_ALIGN 0x0001u
#define SLAB_CACHE_DMA     0x0002u
#define SLAB_PANIC         0x0004u
#define SLAB_CACHE_LINE    64

/* ---- kmalloc constants ---- */
#define KMALLOC_MIN_ALIGN 8
#define KMALLOC_MIN_SIZE 8
#define KMALLOC_MAX_CACHE_SIZE 8192 /* larger requests take whole frames */

/* kmalloc(0) returns ZERO_SIZE_PTR: not NULL, but faults when used. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((uintptr_t)(x) <= (uintptr_t)ZERO_SIZE_PTR)

/* ---- object caches ---- */

/*
 * kmem_cache_create - a cache of objects of @size bytes.
 * @name:  for reports (copied; up to 31 characters kept).
 * @align: power of two up to PAGE_SIZE, or 0 (= 8). Objects are aligned to
 *         max(align, 8, and SLAB_CACHE_LINE with SLAB_HWCACHE_ALIGN).
 * @flags: SLAB_* above; other bits panic.
 * @ctor:  if not NULL, called once on every object when its slab is created
 *         (not on every allocation): an object is handed out in constructed
 *         state and must be freed in constructed state (Bonwick).
 * Returns the cache, or NULL when memory is short (panics with SLAB_PANIC).
 * Panics on size 0, a size above 1 MiB, or a bad align. May reclaim.
 */
struct kmem_cache *mm_kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned int flags, void (*ctor)(void *));

/*
 * kmem_cache_destroy - frees the cache and all its slabs. The caller
 * guarantees nobody uses it any more. When objects are still allocated it
 * logs "kmem_cache_destroy: cache NAME still has N objects allocated",
 * adds N to kmem_cache_leaked_objects() and leaves the cache alive (as
 * Linux does), so its objects stay valid. NULL is ignored. Each CPU gives
 * its array back itself (a cross-CPU call), so the caller waits: not in an
 * interrupt handler, no mm lock held. Panics, naming the CPU, when a slow
 * path on the cache (a refill, a flush) is still running on some CPU; an
 * allocation or free on the fast path at that moment is not caught (it
 * touches only its CPU's array, with no flag to see).
 */
void mm_kmem_cache_destroy(struct kmem_cache *s);

/*
 * kmem_cache_alloc - one object, or NULL when gfp's rules cannot be met
 * (never NULL with __GFP_NOFAIL). Zone modifiers in gfp are ignored: the
 * cache decides the zone. __GFP_ZERO zeroes the object. May reclaim if gfp
 * allows, to get a new slab.
 * kmem_cache_zalloc - the same, zeroed.
 */
void *mm_kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void *mm_kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);

/*
 * kmem_cache_free - gives back an object of @s. Never reclaims. Panics
 * naming the cache and the address on a pointer that is not an object start
 * of @s (an object of another cache, not an object at all) and on a double
 * free (debug builds always; others when the object is the last one freed).
 */
void mm_kmem_cache_free(struct kmem_cache *s, void *obj);

/*
 * kmem_cache_alloc_node - an object of @s whose memory is on node @nid
 * (NUMA_NO_NODE: kmem_cache_alloc). Slabs are kept per node: the object
 * comes from a slab of @nid, or from a new slab on @nid; when @nid has no
 * room the new slab may come from another node, unless @gfp has
 * __GFP_THISNODE, which returns NULL instead. An object of this CPU's node
 * may come from the per-CPU array; another node's come from that node's
 * slabs under the cache lock (slower: for per-node structures, not a hot
 * path). A @nid outside NUMA_NO_NODE and 0 .. MM_MAX_NUMNODES - 1 panics.
 */
void *mm_kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int nid);

/*
 * kmem_cache_alloc_bulk - fills p[0..n) with objects. Returns n, or 0 when
 * it could not get them all (then it allocated nothing). Same gfp rules as
 * kmem_cache_alloc.
 * kmem_cache_free_bulk - frees p[0..n), with the checks of kmem_cache_free.
 */
size_t mm_kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t n, void **p);
void mm_kmem_cache_free_bulk(struct kmem_cache *s, size_t n, void **p);

/*
 * kmem_cache_shrink - gives every CPU's cached objects of @s back to their
 * slabs and every empty slab back to the frame allocator. Returns the
 * frames freed. Each CPU empties its own array through a cross-CPU call,
 * so the caller waits: not in an interrupt handler (panics), no mm lock
 * held. A CPU that runs the call as an interrupt keeps the one object on
 * top of its array (a fast path it interrupted may be taking it) until it
 * next uses @s or calls mm_cpu_idle(); an array its CPU is in a slow path on right then is
 * emptied by that CPU when the slow path ends.
 */
unsigned long mm_kmem_cache_shrink(struct kmem_cache *s);

/* ---- kmalloc family ----
 *
 * kmalloc - @size bytes from the size classes 8, 16, 32, 64, 96, 128, 192,
 * 256, 512, 1K, 2K, 4K, 8K; larger sizes take 2^order whole frames. Returns
 * NULL when gfp's rules cannot be met, ZERO_SIZE_PTR for size 0. GFP_DMA
 * uses separate caches backed by ZONE_DMA. __GFP_DMA32 is not a slab flag
 * (as in Linux): for sizes up to KMALLOC_MAX_CACHE_SIZE it panics, naming
 * it; larger sizes pass it to the frame allocator (memory below 4 GiB).
 * __GFP_HIGHMEM only orders zones the default way and is accepted. The
 * other flags pass down to the frame allocator when a slab (or a large
 * block) is needed: GFP_ATOMIC/GFP_NOWAIT never reclaim, __GFP_NOFAIL
 * never returns NULL, __GFP_NORETRY fails at once, __GFP_NOWARN is quiet;
 * __GFP_ZERO zeroes the object (ksize bytes). May reclaim if gfp allows.
 */
void *mm_kmalloc(size_t size, gfp_t gfp);
void *mm_kzalloc(size_t size, gfp_t gfp);
/* kmalloc/kzalloc on node @nid, as kmem_cache_alloc_node (a large one:
 * alloc_pages_node). */
void *mm_kmalloc_node(size_t size, gfp_t gfp, int nid);
void *mm_kzalloc_node(size_t size, gfp_t gfp, int nid);
/* kmalloc_array/kcalloc - n * size bytes (kcalloc zeroed); NULL, allocating
 * nothing, when n * size overflows. */
void *mm_kmalloc_array(size_t n, size_t size, gfp_t gfp);
void *mm_kcalloc(size_t n, size_t size, gfp_t gfp);
/*
 * krealloc - resizes @p to @new_size keeping min(old, new) bytes. NULL @p:
 * kmalloc(). new_size 0: kfree(p), returns ZERO_SIZE_PTR. When @p already
 * has room (ksize(p) >= new_size) it is returned as is, small object or
 * large block, however much smaller new_size is (as Linux does): so a
 * shrinking krealloc never moves and never fails. Growing past ksize(p)
 * allocates a new block with @gfp, copies and frees @p; on failure returns
 * NULL and @p is untouched.
 */
void *mm_krealloc(const void *p, size_t new_size, gfp_t gfp);
/* kfree - gives back kmalloc memory; NULL and ZERO_SIZE_PTR do nothing.
 * Panics naming the address on a pointer kmalloc did not return. */
void mm_kfree(const void *p);
/* ksize - usable bytes at p (>= what was asked); 0 for NULL/ZERO_SIZE_PTR. */
size_t mm_ksize(const void *p);

/* ---- inspection, for reports and tests ---- */

struct kmem_cache_info {
	const char *name;
	size_t object_size;    /* what kmem_cache_create was asked (ksize) */
	size_t slot_size;      /* stride between objects in a slab */
	size_t align;
	unsigned int order;    /* frames per slab: 2^order */
	unsigned long objs_per_slab;
	unsigned long active_objs; /* handed out to users */
	unsigned long total_objs;  /* in all slabs */
	unsigned long slabs;       /* partial + full + empty */
	unsigned long empty_slabs;
	unsigned long pages;       /* frames held */
};
void mm_kmem_cache_get_info(struct kmem_cache *s, struct kmem_cache_info *info);

/* Objects kmem_cache_destroy has reported as leaked since mm_init(). */
unsigned long mm_kmem_cache_leaked_objects(void);

/* Shrinks every cache as kmem_cache_shrink does, and gives this CPU's
 * per-CPU object arrays back too. Returns frames freed. Waits for every
 * CPU: not in an interrupt handler (panics), no mm lock held. */
unsigned long mm_kmem_cache_shrink_all(void);

#endif
