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
 * Every frame of a slab has page_private() = the cache | SLAB_PRIV_CACHE,
 * so any object address finds its cache in O(1) (one struct page load, as
 * SLUB does); the offset in the slab is the physical address modulo the
 * slab size, since frame blocks are naturally aligned. Only the slow paths
 * need the struct slab: on-slab it sits at the slab's tail; off-slab
 * (order >= 1 then) its pointer is the page_private() of the second frame:
 *
 *   frame:          0              1             2 .. 2^order-1
 *   page_private:   cache|2        cache|2       cache|2        (on-slab)
 *                   cache|2        struct slab * cache|2        (off-slab)
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

#include "page_alloc_internal.h"

#ifndef MM_DEBUG
#define MM_DEBUG 0
#endif

#define SLAB_MAGIC 0x51ab0b1eu
#define SLAB_CACHE_MAGIC 0xcac4ecacu
#define SLAB_PRIV_CACHE 0x2ul       /* page_private tag: a struct kmem_cache */
#define SLAB_MAX_PREFERRED_ORDER 3  /* slabs of up to 32 KiB when they fit */
#define SLAB_OFFSLAB_MIN 512        /* slots this large keep the descriptor off-slab */
#define SLAB_MAX_OBJECT_SIZE (1u << 20)
#define SLAB_EMPTY_KEEP 2           /* empty slabs a cache keeps for reuse */
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
 * The per-CPU object array ("magazine"): objs[0..avail) are free objects
 * owned by one CPU. Discipline (no lock, no atomic instruction): only the
 * owning CPU touches it, and only with `busy` set; code that finds `busy`
 * already set (an interrupt handler that interrupted the owner, or reclaim
 * entered from the owner's own slow path) leaves the array alone and takes
 * the locked path. On one CPU an interrupt runs to completion before the
 * interrupted code resumes, so a compiler barrier orders the flag and the
 * array. See mm/slab.c.
 */
struct kmem_cpu_cache {
	uint32_t busy;
	uint32_t avail;
	uint32_t limit;
	uint32_t batch; /* objects moved per refill or flush */
	void *objs[];
};
#define SLAB_CPU_LIMIT_MAX 120
#define SLAB_CPU_ARRAY_BYTES (sizeof(struct kmem_cpu_cache) + SLAB_CPU_LIMIT_MAX * sizeof(void *))

enum slab_list_id { SLAB_LIST_NONE, SLAB_LIST_PARTIAL, SLAB_LIST_FULL, SLAB_LIST_EMPTY };

struct slab {
	struct slab *next, *prev;  /* on one of the cache's lists */
	struct kmem_cache *cache;
	uintptr_t base;            /* address of slot 0 (the first frame) */
	void *freelist;            /* free slots not in any per-CPU array */
	uint32_t inuse;            /* slots off the freelist */
	uint32_t magic;            /* SLAB_MAGIC while the slab lives */
	uint16_t list;             /* enum slab_list_id */
	uint16_t offslab;          /* descriptor from slab_desc_cache */
	uint32_t pad;
};
_Static_assert(sizeof(struct slab) == 56, "struct slab layout");

struct slab_list {
	struct slab head;          /* sentinel: head.next is the first slab */
	unsigned long count;
};

struct kmem_cache {
	/* hot: read on every allocation and free */
	struct kmem_cpu_cache *cpu[MM_MAX_CPUS];
	uint32_t magic;            /* SLAB_CACHE_MAGIC while the cache lives */
	uint32_t offslab;          /* descriptors from slab_desc_cache */
	uint64_t slab_mask;        /* slab bytes - 1: offset of a physical address */
	uint32_t size;             /* slot stride */
	uint32_t object_size;      /* usable bytes (ksize) */
	uint64_t recip;            /* ceil(2^64 / size): slot index by multiply */
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
	struct slab_list partial, full, empty;
	unsigned long inuse;       /* slots off all freelists */
	struct kmem_cache *next;   /* on the global cache list */
	char name[SLAB_NAME_MAX];
} __attribute__((aligned(64)));
_Static_assert(_Alignof(struct kmem_cache) >= 8, "low bits of a cache pointer are free for tags");

/* ---- named helpers ---- */

static inline size_t slab_align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline bool slab_is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

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

/* ---- mm/slab.c: object paths ---- */
extern struct kmem_cache slab_cpu_array_cache; /* per-CPU arrays */
extern struct kmem_cache slab_desc_cache;      /* off-slab descriptors */
extern struct kmem_cache slab_cache_cache;     /* struct kmem_cache */

/*
 * slab_cache_of - the cache of the slab holding obj, checked: panics naming
 * @fn and the address if obj is not in a live slab. No lock held.
 */
struct kmem_cache *slab_cache_of(const void *obj, const char *fn);
/* The descriptor of the slab holding obj, an object of s (slow paths). */
struct slab *slab_of_object(struct kmem_cache *s, const void *obj);
/* Page-private value of a frame, or 0 when obj is not managed RAM. */
unsigned long slab_page_private_of(const void *obj);
/* The locked paths behind the per-CPU arrays. */
void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp);
void slab_free_slow(struct kmem_cache *s, void *obj);
/* Cold reports (panics): a pointer that is no slab object; a free into the
 * wrong cache or not at an object start; a double free. */
_Noreturn void slab_bad_pointer(const void *obj, const char *fn);
_Noreturn void slab_bad_free(struct kmem_cache *s, struct kmem_cache *owner,
			     const void *obj, const char *fn);
_Noreturn void slab_double_free(struct kmem_cache *s, const void *obj,
				const char *fn);
/* Gives this CPU's array of s back (all objects to the slabs, the array to
 * its cache). all_cpus: every CPU's (destroy, when s is idle). Returns the
 * frames of slabs this freed (beyond the SLAB_EMPTY_KEEP kept). */
unsigned long slab_drop_cpu_arrays(struct kmem_cache *s, bool all_cpus);
/* Detaches up to max_frames frames' worth of empty slabs from s onto *out
 * (chained through next). Returns frames detached. */
unsigned long slab_take_empty(struct kmem_cache *s, struct slab **out,
			      unsigned long max_frames);
/* Frees a chain from slab_take_empty; returns its frames. */
unsigned long slab_free_chain(struct slab *chain);
/* Sets up a cache's geometry; see mm/slab_cache.c. */
void slab_cache_setup(struct kmem_cache *s, const char *name, size_t size,
		      size_t align, unsigned int flags, void (*ctor)(void *));
/* Objects of s sitting in per-CPU arrays (racy read, for reports). */
unsigned long slab_cpu_cached(const struct kmem_cache *s);
void slab_lists_init(struct kmem_cache *s);

/* ---- mm/slab_cache.c ---- */
void slab_list_add_cache(struct kmem_cache *s);

/* ---- mm/slab_debug.c (MM_DEBUG builds; empty inlines otherwise) ---- */
#if MM_DEBUG
void slab_debug_init_free(struct kmem_cache *s, void *obj);   /* new slab */
void slab_debug_on_alloc(struct kmem_cache *s, void *obj, const char *fn);
void slab_debug_on_free(struct kmem_cache *s, void *obj, const char *fn);
#else
static inline void slab_debug_init_free(struct kmem_cache *s, void *obj) {}
static inline void slab_debug_on_alloc(struct kmem_cache *s, void *obj,
				       const char *fn) {}
static inline void slab_debug_on_free(struct kmem_cache *s, void *obj,
				      const char *fn) {}
#endif

/* ---- the fast paths, inlined into kmem_cache_* and k* ---- */

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * virt_to_page() without the call, for kfree's fast path: the frame
 * allocator's span hint (mm/page_alloc_internal.h) hits for nearly every
 * lookup. NULL outside managed RAM, like virt_to_page.
 */
static inline struct page *slab_virt_to_page(const void *va)
{
	uint64_t pfn = mm_port_virt_to_phys(va) >> MM_PAGE_SHIFT;
	const struct mm_span *span = pfn_to_span(pfn);

	return span ? &mm_pages[span_index(span, pfn)] : NULL;
}

/* The cache of a slab frame from its page_private() value; panics naming
 * fn and obj on anything else. */
static inline struct kmem_cache *slab_cache_check(const void *obj,
						  unsigned long priv,
						  const char *fn)
{
	struct kmem_cache *s;

	if (likely((priv & 7) == SLAB_PRIV_CACHE)) {
		s = (struct kmem_cache *)(priv & ~7ul);
	} else {
		/* the second frame of an off-slab slab: its descriptor */
		struct slab *slab = (struct slab *)priv;
		if (!priv || (priv & 7) || (MM_DEBUG && !virt_to_page(slab)) ||
		    slab->magic != SLAB_MAGIC)
			slab_bad_pointer(obj, fn);
		s = slab->cache;
	}
	if (unlikely(s->magic != SLAB_CACHE_MAGIC))
		slab_bad_pointer(obj, fn);
	return s;
}

/* obj is the start of a slot (one multiply, no division). */
static inline bool slab_is_object_start(const struct kmem_cache *s,
					const void *obj)
{
	uint64_t off = mm_port_virt_to_phys(obj) & s->slab_mask;
	uint32_t idx = slab_index_of(off, s->recip);

	return (uint64_t)idx * s->size == off && idx < s->objs_per_slab;
}

/* Pops from this CPU's array; NULL when it is missing, empty or busy. */
static inline void *slab_cpu_pop(struct kmem_cache *s)
{
	struct kmem_cpu_cache *c = s->cpu[mm_port_cpu_id()];
	void *obj = NULL;

	if (likely(c != NULL && !c->busy)) {
		c->busy = 1;
		slab_barrier();
		uint32_t n = c->avail;
		if (likely(n)) {
			obj = c->objs[n - 1];
			c->avail = n - 1;
		}
		slab_barrier();
		c->busy = 0;
	}
	return obj;
}

/* Everything but a plain pop: refill (obj NULL), debug checks, zeroing. */
void *slab_alloc_finish(struct kmem_cache *s, void *obj, gfp_t gfp);

static inline void *slab_alloc_inline(struct kmem_cache *s, gfp_t gfp)
{
	void *obj = slab_cpu_pop(s);

	/* The common case returns at once; the rest is a tail call, so the
	 * fast path stays a short leaf-like sequence. */
	if (likely(obj != NULL && !(gfp & __GFP_ZERO) && !MM_DEBUG))
		return obj;
	return slab_alloc_finish(s, obj, gfp);
}

/* Frees obj, which the caller found in a slab of s. */
static inline void slab_free_inline(struct kmem_cache *s, void *obj,
				    const char *fn)
{
	if (unlikely(!slab_is_object_start(s, obj)))
		slab_bad_free(s, s, obj, fn);
	slab_debug_on_free(s, obj, fn);

	struct kmem_cpu_cache *c = s->cpu[mm_port_cpu_id()];
	if (likely(c != NULL && !c->busy)) {
		c->busy = 1;
		slab_barrier();
		uint32_t n = c->avail;
		bool dup = n && c->objs[n - 1] == obj;
		if (likely(n < c->limit && !dup)) {
			c->objs[n] = obj;
			c->avail = n + 1;
			slab_barrier();
			c->busy = 0;
			return;
		}
		slab_barrier();
		c->busy = 0;
		if (dup) /* the last object freed, freed again */
			slab_double_free(s, obj, fn);
	}
	slab_free_slow(s, obj);
}

/* ---- mm/kmalloc.c ---- */
void kmalloc_init(void);

#endif
