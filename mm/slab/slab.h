/* SPDX-License-Identifier: MIT */
/*
 * Slab internals shared by mm/slab.c (object paths), mm/slab_cache.c (cache
 * life cycle, shrinking, report), mm/slab_debug.c and mm/kmalloc.c.
 *
 * A slab is 2^order frames holding objs_per_slab slots of `size` bytes:
 *
 *   on-slab descriptor (slots smaller than SLAB_OFFSLAB_MIN):
 *   base (page aligned)
 *   +--------+--------+--------+-- ... --+--------+-------+-------------+
 *   | slot 0 | slot 1 | slot 2 |         | slot n |  pad  | struct slab |
 *   +--------+--------+--------+-- ... --+--------+-------+-------------+
 *   off-slab descriptor (larger slots): the same without the tail; the
 *   struct slab comes from the "slab_desc" cache.
 *
 * Every frame of a slab has page_owner() = the cache | SLAB_PRIV_CACHE,
 * so any object address finds its cache in O(1) (one struct page load, as
 * SLUB does); the offset in the slab is the physical address modulo the
 * slab size, since frame blocks are naturally aligned. Only the slow paths
 * need the struct slab: on-slab it sits at the slab's tail; off-slab
 * (order >= 1 then) its address is packed into the bits of frames 0 and 1
 * that a cache pointer leaves free, so every frame still reads as the
 * cache with no branch (a word the fast paths cannot tell apart costs a
 * mispredicted branch on a third of kfree()s in mixed-size churn):
 *
 *   63        48 47                               6 5     3 2   0
 *   +-----------+----------------------------------+-------+-----+
 *   | spare hi  | cache pointer, bits 47..6        | spare | 010 |
 *   | (16 bits) | (bits 63..48 are mm_slab_ptr_top)   | lo (3)|     |
 *   +-----------+----------------------------------+-------+-----+
 *
 *   spare = (hi << 3) | lo, 19 bits per frame; off-slab slabs: frame 0
 *   holds bits 0..18 and frame 1 bits 19..37 of the descriptor's physical
 *   address / 64 (descriptors are 64-byte aligned and below 16 TiB); all
 *   other frames, and on-slab slabs, hold spare = 0.
 *
 * kmalloc's large blocks use odd values (mm/kmalloc.c).
 *
 * A slot (stride `size`, a multiple of `align`):
 *
 *   normal build                     MM_DEBUG build
 *   +------------------+-----+      +-------------+----------+-------+-------+---+
 *   | object           | pad |      | object      | red zone | state | free  |pad|
 *   | (free: next ptr  |     |      | (free: 0x6b | 0xbb,    | word  | ptr   |   |
 *   |  at fp_offset 0) |     |      |  poison)    | >= 8 B   | (8 B) | (8 B) |   |
 *   +------------------+-----+      +-------------+----------+-------+-------+---+
 *   0             object_size       0     object_size   meta_offset
 *
 * With a constructor the free pointer moves behind the object (fp_offset =
 * object_size rounded up to 8), so a free object keeps its constructed state.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/page_alloc.h>
#include <mm/port.h>
#include <mm/slab.h>

#include "core.h"
#include "owner.h"
#include "page/gfp_check.h"
#include "page/state.h"

#define SLAB_MAGIC 0x51ab0b1eu
#define SLAB_CACHE_MAGIC 0xcac4ecacu
#define SLAB_PRIV_CACHE OWNER_SLAB  /* page_private tag: a struct kmem_cache */
#define SLAB_PRIV_PTR 0x0000ffffffffffc0ul /* the cache pointer's bits */
#define SLAB_PRIV_SPARE 0xffff000000000038ul /* 19 bits free for slab's use */
#define SLAB_PRIV_SPARE_BITS 19u
#define SLAB_PRIV_SPARE_MAX ((1u << SLAB_PRIV_SPARE_BITS) - 1)
#define SLAB_DESC_ALIGN 64          /* off-slab descriptors: address / 64 ... */
#define SLAB_DESC_PA_LIMIT (1ull << 44) /* ... below 16 TiB: 38 bits, 2 frames */
#define SLAB_MAX_PREFERRED_ORDER 3  /* slabs of up to 32 KiB when they fit */
#define SLAB_OFFSLAB_MIN 512        /* slots this large keep the descriptor off-slab */
#define SLAB_MAX_OBJECT_SIZE (1u << 20)
#define SLAB_EMPTY_KEEP 4           /* empty slabs a cache keeps for reuse */
#define SLAB_NAME_MAX 32

/* Internal cache flags (above the public SLAB_* bits). */
#define SLAB_NO_CPU_CACHE 0x10000u  /* always the locked path */
#define SLAB_FORCE_ONSLAB 0x20000u  /* descriptor at the slab's tail */
#define SLAB_STATIC       0x40000u  /* struct kmem_cache is not from kmem_cache_cache */
#define SLAB_PUBLIC_FLAGS (SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_PANIC)

/* Debug patterns. */
#define SLAB_POISON_FREE 0x6b
#define SLAB_RED_BYTE    0xbb
#define SLAB_STATE_ALLOC 0xa110ca7edull
#define SLAB_STATE_FREE  0xf4eef4eeull

/*
 * The per-CPU object array ("magazine"): slot[base+1 .. avail] are free
 * objects owned by one CPU, slot[avail] the one handed out next, and
 * slot[base] is NULL, so a pop finds "empty" by loading the top slot and
 * "the last object freed" is slot[avail] even when there is none (the
 * double-free check needs no emptiness test). base is 0 except after a
 * flush from an interrupt (below).
 *
 * Who touches an array (no lock, no atomic instruction; README, Benchmarks):
 * - The owner CPU's fast paths, in task context only: a pop reads avail
 *   and slot[avail] and stores avail - 1; a push reads avail, limit and
 *   slot[avail], stores the object above it, then avail + 1. No flag: the
 *   fast paths never call out, so nothing of mm/ runs inside one except an
 *   interrupt, and interrupt handlers never use the arrays (they allocate
 *   and free through the slabs, under the cache lock). So the caller must
 *   not let a second thread run mm code on this CPU while a first is inside
 *   an mm call (no kernel preemption inside mm calls: docs/EMBEDDING.md).
 * - The owner's slow paths (refill, flush when full, bulk calls, shrinking
 *   its own arrays) claim it (slab_cpu_claim): busy set, avail 0 and limit
 *   0, so that a fast path reached from inside the claim (reclaim calling a
 *   shrinker that frees) finds it empty and full, takes the slow path and
 *   finds it busy: it uses the slabs. The claim moves a flush's leftovers
 *   down to slot[1..] (base back to 0). Released by slab_cpu_release.
 * - A cross-CPU flush, which runs on the owner as an interrupt
 *   (mm_slab_cpu_empty), may fall in the middle of a fast path, which has
 *   read avail (= A) and is about to store A - 1 or A + 1 (slot[A + 1]
 *   perhaps already written). It takes only slot[base+1 .. A-1], sets
 *   slot[A-1] to NULL and base to A - 1: slot[A], slot[A + 1] and avail
 *   are the fast path's, and both of its endings leave a valid array (a
 *   pop: avail A - 1 = base, empty; a push: slot[A], slot[A + 1]). So a
 *   flush in an interrupt leaves at most one object; one in task context
 *   (the owner's own, or a call run while the owner waits) empties it.
 *   A claimed array is only flagged (flush_pending): the owner empties it
 *   when it releases the claim.
 * An interrupt on a CPU runs to completion before the code it interrupted
 * resumes, so compiler barriers order these. avail and base are read by
 * other CPUs (reports), so they are stored with relaxed atomic stores (a
 * plain mov). An array is freed only by its own CPU outside any operation
 * on the cache (with interrupts off, so no flush reaches it meanwhile), or
 * by destroy.
 */
struct kmem_cpu_cache {
	uint32_t avail;         /* the top: slot[avail] goes next */
	uint32_t limit;         /* a push above it takes the slow path; 0 claimed */
	uint32_t base;          /* slot[base] is NULL; objects above it */
	uint32_t busy;          /* claimed by a slow path of its owner */
	uint32_t cap;           /* limit when not claimed */
	uint32_t batch;         /* objects moved per refill or flush */
	uint32_t flush_pending; /* set by a flush that found it claimed */
	uint32_t unused;
	void *slot[];           /* slot[0] = NULL, then the objects */
};
#define SLAB_CPU_LIMIT_MAX 120
#define SLAB_CPU_ARRAY_BYTES \
	(sizeof(struct kmem_cpu_cache) + (SLAB_CPU_LIMIT_MAX + 1) * sizeof(void *))
/* The objects of an array: cpu_objs(c)[0 .. avail). */
static inline void **cpu_objs(struct kmem_cpu_cache *c)
{
	return c->slot + 1;
}

static inline void slab_cpu_set_avail(struct kmem_cpu_cache *c, uint32_t n)
{
	__atomic_store_n(&c->avail, n, __ATOMIC_RELAXED);
}

static inline void slab_cpu_set_base(struct kmem_cpu_cache *c, uint32_t n)
{
	__atomic_store_n(&c->base, n, __ATOMIC_RELAXED);
}

/*
 * Which list of its cache a slab is on (all under the cache lock). A slab
 * with free slots is on the partial list of the CPU that owns it
 * (SLAB_LIST_CPU, cpu_partial[slab->cpu]), or, with no owner, on the
 * shared partial list. A CPU refills from its own slabs first, so the
 * objects of a slab, their cache lines and its descriptor tend to belong
 * to one CPU (Linux SLUB's per-CPU partial slabs). A CPU becomes a slab's
 * owner when it takes objects from it; a full slab keeps its owner, so the
 * frees that make it partial give it back to that CPU; an empty slab has
 * none. A slab of a dead CPU goes to the shared list (mm_cpu_dead).
 */
enum slab_list_id {
	SLAB_LIST_NONE, SLAB_LIST_PARTIAL, SLAB_LIST_FULL, SLAB_LIST_EMPTY,
	SLAB_LIST_CPU,
};
#define SLAB_NO_CPU UINT32_MAX     /* slab->cpu of a slab no CPU owns */
#define SLAB_ANY_NODE 0xffffu      /* a refill that takes any node's slab */

struct slab {
	struct slab *next, *prev;  /* on one of the cache's lists */
	struct kmem_cache *cache;
	uintptr_t base;            /* address of slot 0 (the first frame) */
	void *freelist;            /* free slots not in any per-CPU array */
	uint32_t inuse;            /* slots off the freelist */
	uint32_t magic;            /* SLAB_MAGIC while the slab lives */
	uint8_t list;              /* enum slab_list_id */
	uint8_t offslab;           /* descriptor from mm_slab_desc_cache */
	uint16_t node;             /* NUMA node of its frames */
	uint32_t cpu;              /* owner, or SLAB_NO_CPU (cache lock) */
};
_Static_assert(sizeof(struct slab) == 56, "struct slab layout");
_Static_assert((SLAB_PRIV_PTR | SLAB_PRIV_SPARE | 7) == ~0ul &&
	       (SLAB_PRIV_PTR & SLAB_PRIV_SPARE) == 0,
	       "page_private of a slab frame: tag, spare bits and cache pointer");

/* A list of slabs, doubly linked through next/prev, NULL at both ends
 * (16 bytes, so a cache can have one per CPU). */
struct slab_list {
	struct slab *first;
	unsigned long count;
};

struct kmem_cache {
	/* hot: read on every allocation and free (the first line also holds
	 * cpu[0..2]) */
	uint32_t magic;            /* SLAB_CACHE_MAGIC while the cache lives */
	uint32_t size;             /* slot stride */
	uint64_t slab_mask;        /* slab bytes - 1: offset of a physical address */
	uint64_t recip;            /* ceil(2^64 / size): slot index by multiply */
	uint32_t slab_used;        /* objs_per_slab * size: slot bytes of a slab */
	uint32_t object_size;      /* usable bytes (ksize) */
	uint64_t priv_key;         /* page_private of its slab frames, spare bits 0 */
	struct kmem_cpu_cache *cpu[MM_MAX_CPUS];

	uint32_t offslab;          /* descriptors from mm_slab_desc_cache */
	uint32_t fp_offset;        /* free pointer within a free slot */
	uint32_t meta_offset;      /* debug: state word (red zone ends here) */
	uint32_t objs_per_slab;
	uint32_t order;
	uint32_t align;
	uint32_t flags;
	void (*ctor)(void *);
	gfp_t zone_gfp;            /* zone modifiers for slab frames */
	uint32_t cpu_limit, cpu_batch;

	/* cold: under lock */
	mm_spinlock_t lock;
	/* unowned partial and empty slabs by node: a refill takes its
	 * node's, a node's request (kmem_cache_alloc_node) finds them */
	struct slab_list partial[MM_MAX_NUMNODES], full, empty[MM_MAX_NUMNODES];
	unsigned long inuse;       /* slots off all freelists */
	struct kmem_cache *next;   /* on the global cache list */
	char name[SLAB_NAME_MAX];
	/* partial slabs each CPU owns (lock): written only on slow paths, so
	 * last, away from the fields the fast paths read */
	struct slab_list cpu_partial[MM_MAX_CPUS];
} __attribute__((aligned(64)));
_Static_assert(_Alignof(struct kmem_cache) >= 64,
	       "bits 5..0 of a cache pointer are free for the tag and spare bits");
_Static_assert(offsetof(struct kmem_cache, cpu) == 40, "hot fields and cpu[0] share a line");

/* ---- named helpers ---- */

/* ceil(2^64 / d) for d >= 2: slab_index_of() divides by multiplying. */
static inline uint64_t slab_reciprocal(uint32_t d)
{
	return ~0ull / d + 1;
}

/* off / size for off < 2^32, by one multiply (exact: off * size < 2^64). */
static inline uint32_t slab_index_of(uint64_t off, uint64_t recip)
{
	return (uint32_t)(((unsigned __int128)off * recip) >> 64);
}

/* size divides off, for off < 2^32 and recip = slab_reciprocal(size): one
 * multiply (Lemire, Kaser, Kurz 2019: n % d == 0 iff n * ceil(2^64 / d)
 * mod 2^64 < ceil(2^64 / d), for 32-bit n and d). */
static inline bool slab_divides(uint64_t off, uint64_t recip)
{
	return off * recip < recip;
}

static inline void *slab_get_fp(const struct kmem_cache *s, const void *obj)
{
	return *(void *const *)((const char *)obj + s->fp_offset);
}

static inline void slab_set_fp(const struct kmem_cache *s, void *obj, void *next)
{
	*(void **)((char *)obj + s->fp_offset) = next;
}

static inline uintptr_t slab_bytes(const struct kmem_cache *s)
{
	return (uintptr_t)MM_PAGE_SIZE << s->order;
}

#define slab_barrier() __asm__ volatile("" ::: "memory")

/* ---- page_private of a slab frame (picture at the top) ---- */

/* Bits 63..48 of every cache pointer (set by mm_slab_init; mm_slab_cache_setup
 * checks each cache against it). */
extern uintptr_t mm_slab_ptr_top;

static inline unsigned long slab_priv_make(const struct kmem_cache *s,
					   uint32_t spare)
{
	return ((uintptr_t)s & SLAB_PRIV_PTR) | ((unsigned long)(spare & 7) << 3) |
	       ((unsigned long)(spare >> 3) << 48) | SLAB_PRIV_CACHE;
}

/* The cache of a word tagged SLAB_PRIV_CACHE (two ALU operations). */
static inline struct kmem_cache *slab_priv_cache(unsigned long priv)
{
	return (struct kmem_cache *)((priv & SLAB_PRIV_PTR) | mm_slab_ptr_top);
}

/* The 19 spare bits of a word. */
static inline uint32_t slab_priv_spare(unsigned long priv)
{
	return (uint32_t)(((priv >> 48) << 3) | ((priv >> 3) & 7));
}

/* priv is a frame of a slab of s (whatever its spare bits); s->priv_key is
 * slab_priv_make(s, 0). */
static inline bool slab_priv_is(unsigned long priv, const struct kmem_cache *s)
{
	return (priv & ~SLAB_PRIV_SPARE) == s->priv_key;
}

/* ---- mm/slab.c: object paths ---- */
extern struct kmem_cache mm_slab_cpu_array_cache; /* per-CPU arrays */
extern struct kmem_cache mm_slab_desc_cache;      /* off-slab descriptors */
extern struct kmem_cache mm_slab_cache_cache;     /* struct kmem_cache */

/*
 * mm_slab_cache_of - the cache of the slab holding obj, checked: panics naming
 * @fn and the address if obj is not in a live slab. No lock held.
 */
struct kmem_cache *mm_slab_cache_of(const void *obj, const char *fn);
/* The descriptor of the slab holding obj, an object of s (slow paths). */
struct slab *mm_slab_of_object(struct kmem_cache *s, const void *obj);
/* ---- mm/slab/slab_life.c ---- */
/* A new slab on node (NUMA_NO_NODE: this CPU's, as alloc_pages), or on
 * another node when node has no room and gfp lacks __GFP_THISNODE; on no
 * list yet. NULL when no frames (or no descriptor) can be had. */
struct slab *mm_slab_new(struct kmem_cache *s, gfp_t gfp, int node);

/* Page-private value of a frame, or 0 when obj is not managed RAM. */
unsigned long mm_slab_page_private_of(const void *obj);
/* The locked paths behind the per-CPU arrays. */
void *mm_slab_alloc_slow(struct kmem_cache *s, gfp_t gfp);
void mm_slab_free_slow(struct kmem_cache *s, void *obj);
/* Cold reports (panics): a pointer that is no slab object; a free into the
 * wrong cache or not at an object start; a double free. */
_Noreturn void mm_slab_bad_pointer(const void *obj, const char *fn);

/*
 * mm_slab_cache_ptr_valid - s may be dereferenced as a cache: one of the static
 * caches (kmalloc's, the internal ones) or an object that mm_slab_cache_cache
 * handed out. Reads nothing at s. A page_owner() word that only looks like
 * a slab tag (an owner's own value on a frame from alloc_pages()) fails here
 * instead of being followed.
 */
bool mm_slab_cache_ptr_valid(const struct kmem_cache *s);
/* Static storage [start, start + bytes) holds caches (mm_kmalloc_init):
 * a pointer into it may be read; its magic tells a cache start. */
void mm_slab_trust_static_caches(const void *start, size_t bytes);
_Noreturn void mm_slab_bad_free(struct kmem_cache *s, struct kmem_cache *owner,
			     const void *obj, const char *fn);
/* Panics naming fn, obj and the cache. Declared as returning, so that the
 * free fast paths reach it with a jump and keep no stack frame. */
void mm_slab_double_free(struct kmem_cache *s, const void *obj, const char *fn);
/* Empties this CPU's array of s into the slabs (interrupts off: the
 * owner's side of a cross-CPU flush): all of it in task context, all but
 * the top object in an interrupt handler (which may have interrupted a
 * fast path); a claimed array is flagged instead.
 * Returns the frames of slabs this freed (beyond the SLAB_EMPTY_KEEP kept). */
unsigned long mm_slab_cpu_empty(struct kmem_cache *s);
/* Empties the array and gives it back to its cache too: only for the
 * calling CPU outside any operation on s (shrinking from task context,
 * destroy). A claimed array is flagged and kept. Returns frames freed. */
unsigned long mm_slab_cpu_drop(struct kmem_cache *s);
/* Per CPU: a flush in an interrupt left objects in this CPU's arrays
 * (their tops), which mm_cpu_idle() gives back. Written and read by the
 * CPU itself only. */
struct slab_idle_work {
	uint32_t pending;
} __attribute__((aligned(MM_CACHE_LINE)));
extern struct slab_idle_work mm_slab_idle_work[MM_MAX_CPUS];
/* Empties every CPU's array of s (NULL: of every cache), each on its own
 * CPU through a cross-CPU call; this CPU's arrays are dropped. May wait:
 * never in an interrupt handler, no mm lock held. Returns frames freed. */
unsigned long mm_slab_flush_cpu_arrays(struct kmem_cache *s);
/* Empties c (no longer installed, nobody uses it) and frees it. */
unsigned long mm_slab_cpu_array_release(struct kmem_cache *s, struct kmem_cpu_cache *c);
/* Gives every array of a dead CPU back (mm_cpu_dead). */
void mm_slab_release_dead_cpu(unsigned int cpu);
/* The owner's flush of an array a flush found claimed (after the claim
 * ends: slab_cpu_release). */
void mm_slab_cpu_flush_deferred(struct kmem_cache *s, struct kmem_cpu_cache *c);
/* Detaches up to max_frames frames' worth of empty slabs from s onto *out
 * (chained through next). Returns frames detached. */
unsigned long mm_slab_take_empty(struct kmem_cache *s, struct slab **out,
			      unsigned long max_frames);
/* Frees a chain from mm_slab_take_empty; returns its frames. */
unsigned long mm_slab_free_chain(struct slab *chain);
/* Sets up a cache's geometry; see mm/slab_cache.c. */
void mm_slab_cache_setup(struct kmem_cache *s, const char *name, size_t size,
		      size_t align, unsigned int flags, void (*ctor)(void *));
/* Up to n objects from slabs that exist already (no new slab, so no frame
 * taken); returns how many. No lock held. */
uint32_t mm_slab_get_existing_objects(struct kmem_cache *s, void **objs, uint32_t n);
/* Gets between 1 and n objects into objs, making a new slab when the lists
 * have none. Returns 0 when the frame allocator refuses. No lock held. */
uint32_t mm_slab_get_objects(struct kmem_cache *s, void **objs, uint32_t n,
			  gfp_t gfp);
/* Returns objects to their slabs; returns the frames of slabs freed. */
unsigned long mm_slab_put_objects(struct kmem_cache *s, void *const *objs,
			       uint32_t n);
/* Installs this CPU's array for s, if memory allows: with may_grow, a new
 * slab of arrays with gfp if need be; without (the free path), only an
 * array object that exists already. Returns it or NULL. */
struct kmem_cpu_cache *mm_slab_cpu_array_install(struct kmem_cache *s,
					      unsigned int cpu, gfp_t gfp,
					      bool may_grow);
/* Objects of s sitting in per-CPU arrays (racy read, for reports). */
unsigned long mm_slab_cpu_cached(const struct kmem_cache *s);
void mm_slab_lists_init(struct kmem_cache *s);
/* Slabs on the cache's lists, the per-CPU ones included (cache lock held). */
unsigned long mm_slab_count_locked(struct kmem_cache *s);
/* Hands the partial slabs cpu owns to the shared list (mm_cpu_dead). */
void mm_slab_disown_cpu(struct kmem_cache *s, unsigned int cpu);

/* ---- mm/slab/slab_cache.c ---- */
void mm_slab_list_add_cache(struct kmem_cache *s);
/* Builds the kmalloc caches and registers the slab shrinker. Called by
 * mm_init() after the frame allocator is up; on the host a second call
 * forgets every cache. */
void mm_slab_init(void);
/* Prints the slabinfo table through mm_port_log() (mm_report). */
void mm_slab_report(void);

/* ---- mm/slab_debug.c (MM_DEBUG builds; empty inlines otherwise) ---- */
#if MM_DEBUG
void mm_slab_debug_init_free(struct kmem_cache *s, void *obj);   /* new slab */
void mm_slab_debug_on_alloc(struct kmem_cache *s, void *obj, const char *fn);
void mm_slab_debug_on_free(struct kmem_cache *s, void *obj, const char *fn);
#else
/* (void) each parameter: mm/ is clean under -Wextra, which kernels use */
static inline void mm_slab_debug_init_free(struct kmem_cache *s, void *obj)
{
	(void)s, (void)obj;
}

static inline void mm_slab_debug_on_alloc(struct kmem_cache *s, void *obj,
				       const char *fn)
{
	(void)s, (void)obj, (void)fn;
}

static inline void mm_slab_debug_on_free(struct kmem_cache *s, void *obj,
				      const char *fn)
{
	(void)s, (void)obj, (void)fn;
}
#endif

/* ---- the fast paths, inlined into kmem_cache_* and k* ---- */

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * For the fast paths: the frame of pa when the largest region or this
 * CPU's span hint holds it, else a frame whose page_owner() is 0, which no fast-path test accepts, so the
 * caller falls back to its fully checked path (which searches).
 */
extern const struct page mm_slab_no_page;
static inline const struct page *slab_pa_to_page_hinted(uint64_t pa)
{
	if (likely(pa_in_main(pa)))
		return pa_main_page(pa);
	const struct mm_span *sp = span_hint();

	if (unlikely(pa - sp->pa_lo >= sp->bytes))
		return &mm_slab_no_page;
	return span_pa_to_page(sp, pa);
}

/* virt_to_page() for slab: NULL outside managed RAM. */
static inline struct page *slab_virt_to_page(const void *va)
{
	return pa_to_page(mm_port_virt_to_phys(va));
}

/* The cache of a slab frame from its page_owner() value; panics naming
 * fn and obj on anything else. */
static inline struct kmem_cache *slab_cache_check(const void *obj,
						  unsigned long priv,
						  const char *fn)
{
	if (unlikely(!owner_is_slab(priv)))
		mm_slab_bad_pointer(obj, fn);
	struct kmem_cache *s = slab_priv_cache(priv);
	if (unlikely(!mm_slab_cache_ptr_valid(s) || s->magic != SLAB_CACHE_MAGIC))
		mm_slab_bad_pointer(obj, fn);
	return s;
}

/* The physical address pa is the start of a slot of s (a multiply, no
 * division, no branch). */
static inline bool slab_is_slot_start(const struct kmem_cache *s, uint64_t pa)
{
	uint64_t off = pa & s->slab_mask;

	return slab_divides(off, s->recip) & (off < s->slab_used);
}

/* obj is the start of a slot. */
static inline bool slab_is_object_start(const struct kmem_cache *s,
					const void *obj)
{
	return slab_is_slot_start(s, mm_port_virt_to_phys(obj));
}

/*
 * Claims this CPU's array c for a slow path of its owner (task context):
 * false if it is claimed already (a slow path further up this CPU's stack
 * holds it). Otherwise its n objects are moved to cpu_objs(c)[0 .. n) and
 * it looks empty and full to the fast paths until slab_cpu_release.
 */
static inline bool slab_cpu_claim(struct kmem_cpu_cache *c, uint32_t *n)
{
	if (c->busy)
		return false;
	c->busy = 1;
	slab_barrier(); /* from here a flush only flags it */
	uint32_t top = c->avail, base = c->base;
	slab_cpu_set_avail(c, 0);
	c->limit = 0;
	if (unlikely(base != 0)) { /* what a flush in an interrupt left */
		__builtin_memmove(cpu_objs(c), cpu_objs(c) + base,
				  (top - base) * sizeof(void *));
		slab_cpu_set_base(c, 0);
	}
	*n = top - base;
	slab_barrier();
	return true;
}

/* Ends a claim with cpu_objs(c)[0 .. n) in the array, or first empties it
 * when a flush asked for that meanwhile. */
static inline void slab_cpu_release(struct kmem_cache *s, struct kmem_cpu_cache *c,
				    uint32_t n)
{
	slab_barrier();
	c->limit = c->cap;
	slab_cpu_set_avail(c, n);
	slab_barrier();
	c->busy = 0;
	slab_barrier(); /* a flush from here on empties it itself */
	if (unlikely(c->flush_pending))
		mm_slab_cpu_flush_deferred(s, c);
}

/* This CPU's array of s for a fast path, NULL when it has none or when
 * the caller is an interrupt handler (which uses the slabs). An id out of
 * range finds none too: the slow path the caller then takes reads the id
 * through mm_this_cpu_slow(), which panics naming it (so the fast paths
 * keep no stack frame for the panic call). Debug builds check at once,
 * online state included. */
static inline struct kmem_cpu_cache *slab_this_cpu_array(struct kmem_cache *s)
{
	if (unlikely(mm_port_in_interrupt()))
		return NULL;
	if (MM_DEBUG)
		return s->cpu[mm_this_cpu()];
	unsigned int cpu = mm_port_cpu_id();

	return likely(cpu < MM_MAX_CPUS) ? s->cpu[cpu] : NULL;
}

/* Pops from this CPU's array; NULL when it is missing or empty, or in an
 * interrupt handler. */
static inline void *slab_cpu_pop(struct kmem_cache *s)
{
	struct kmem_cpu_cache *c = slab_this_cpu_array(s);

	if (likely(c != NULL)) {
		uint32_t n = c->avail;
		void *obj = c->slot[n]; /* slot[base] is NULL: empty */
		if (likely(obj != NULL)) {
			slab_barrier();
			slab_cpu_set_avail(c, n - 1);
			return obj;
		}
	}
	return NULL;
}

/* Everything but a plain pop: refill (obj NULL), debug checks, zeroing. */
void *mm_slab_alloc_finish(struct kmem_cache *s, void *obj, gfp_t gfp);

static inline void *slab_alloc_inline(struct kmem_cache *s, gfp_t gfp)
{
	gfp_check_context("kmem_cache_alloc", gfp);
	void *obj = slab_cpu_pop(s);

	/* The common case returns at once; the rest is a tail call, so the
	 * fast path stays a short leaf-like sequence. */
	if (likely(obj != NULL && !(gfp & __GFP_ZERO) && !MM_DEBUG))
		return obj;
	return mm_slab_alloc_finish(s, obj, gfp);
}

/*
 * Frees obj, which the caller checked is an object start of s: pushes it on
 * this CPU's array, or takes the slow path when the array is missing, full
 * or claimed, or in an interrupt handler. Panics when obj is the last object freed (a double free in a row).
 */
static inline void slab_free_push(struct kmem_cache *s, void *obj,
				  const char *fn)
{
	mm_slab_debug_on_free(s, obj, fn);

	struct kmem_cpu_cache *c = slab_this_cpu_array(s);
	if (likely(c != NULL)) {
		uint32_t n = c->avail;
		void *top = c->slot[n]; /* the last object freed, or NULL */
		if (likely(n < c->limit && top != obj)) {
			c->slot[n + 1] = obj;
			slab_barrier(); /* the slot before the count */
			slab_cpu_set_avail(c, n + 1);
			return;
		}
		if (top == obj) { /* the last object freed, freed again */
			mm_slab_double_free(s, obj, fn);
			return;
		}
	}
	mm_slab_free_slow(s, obj);
}

/* Frees obj, which the caller found in a slab of s: checks it is an object
 * start (panics naming fn otherwise), then as slab_free_push. */
static inline void slab_free_inline(struct kmem_cache *s, void *obj,
				    const char *fn)
{
	if (unlikely(!slab_is_object_start(s, obj)))
		mm_slab_bad_free(s, s, obj, fn);
	slab_free_push(s, obj, fn);
}

/* ---- mm/kmalloc.c ---- */
/* Builds the kmalloc caches (mm_init, after mm_slab_init). */
void mm_kmalloc_init(void);

#endif
