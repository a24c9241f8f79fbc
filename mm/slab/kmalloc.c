/* SPDX-License-Identifier: MIT */
/*
 * The kmalloc family over the slab caches: thirteen size classes, a second
 * set of caches for GFP_DMA, and whole frames above KMALLOC_MAX_CACHE_SIZE.
 *
 * A large allocation is 2^order frames straight from alloc_pages. Its
 * frames are marked in page_owner() so kfree() tells them from slabs
 * without a header: the first frame holds OWNER_KMALLOC_LARGE_HEAD |
 * order << 1, the others OWNER_KMALLOC_LARGE_TAIL (a pointer into the
 * middle is refused). The tag space is mm/owner.h.
 */
#include "build.h"

#include "owner.h"
#include "slab/slab.h"

#define KMALLOC_CLASSES 13

static const uint32_t kmalloc_sizes[KMALLOC_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};
static const char *const kmalloc_names[2][KMALLOC_CLASSES] = {
	{ "kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	  "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	  "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k" },
	{ "dma-kmalloc-8", "dma-kmalloc-16", "dma-kmalloc-32", "dma-kmalloc-64",
	  "dma-kmalloc-96", "dma-kmalloc-128", "dma-kmalloc-192",
	  "dma-kmalloc-256", "dma-kmalloc-512", "dma-kmalloc-1k",
	  "dma-kmalloc-2k", "dma-kmalloc-4k", "dma-kmalloc-8k" },
};
/*
 * The cache for each size, by (size + 7) / 8, so that kmalloc's fast path
 * finds its cache with one load (8 KiB of pointers; a size touches one
 * line of it). Built by mm_kmalloc_init().
 */
#define KMALLOC_STEPS (KMALLOC_MAX_CACHE_SIZE / 8 + 1)
static struct kmem_cache *kmalloc_cache_by_step[KMALLOC_STEPS];

/* kmalloc's caches, [0] ordinary and [1] GFP_DMA, each in a slot of a
 * power-of-two size, so that kfree proves a cache pointer from a frame's
 * page_owner() is one of them with a subtract, a rotate and a compare. */
#define KMALLOC_SLOT_SHIFT 11
struct kmalloc_slot {
	struct kmem_cache s;
	char pad[(1u << KMALLOC_SLOT_SHIFT) - sizeof(struct kmem_cache)];
};
_Static_assert(sizeof(struct kmalloc_slot) == 1u << KMALLOC_SLOT_SHIFT,
	       "a kmalloc cache slot is a power of two");
static struct kmalloc_slot kmalloc_caches[2][KMALLOC_CLASSES];

/* page_owner() of a frame of a slab of kmalloc_caches[0][0], spare bits 0. */
static unsigned long kmalloc_owner_key;

/* Whether page_owner() word priv (any spare bits) is that of a frame of a
 * slab of one of kmalloc's caches, *s then: one subtract from the word of
 * the first cache, and a rotate that folds the tag and alignment tests into
 * the range test (a word with another tag, or one pointing between caches
 * or outside them, leaves low bits set or a large offset). */
static inline bool kmalloc_cache_of_owner(unsigned long priv, struct kmem_cache **s)
{
	uint64_t off = (priv & ~SLAB_PRIV_SPARE) - kmalloc_owner_key;
	uint64_t slot = (off >> KMALLOC_SLOT_SHIFT) | (off << (64 - KMALLOC_SLOT_SHIFT));

	*s = (struct kmem_cache *)((uintptr_t)kmalloc_caches + off);
	return slot < 2 * KMALLOC_CLASSES;
}
_Static_assert(KMALLOC_MAX_CACHE_SIZE == 8192, "classes end at 8 KiB");

/* Size class index of size (1 .. KMALLOC_MAX_CACHE_SIZE): the first
 * class that holds it. */
static unsigned int kmalloc_class(size_t size)
{
	unsigned int i = 0;

	while (kmalloc_sizes[i] < size)
		i++;
	return i;
}

/* The (non-DMA) cache for size (1 .. KMALLOC_MAX_CACHE_SIZE). */
static inline struct kmem_cache *kmalloc_cache_for(size_t size)
{
	return kmalloc_cache_by_step[(size + 7) >> 3];
}

/* Alignment of a class: the largest power of two dividing it, <= a page. */
static size_t class_align(size_t size)
{
	size_t a = size & -size;

	return a > MM_PAGE_SIZE ? MM_PAGE_SIZE : a;
}

/* Smallest order whose block holds size bytes (size > 0). */
static inline unsigned int order_for(size_t size)
{
	size_t frames = (size + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;

	return frames <= 1 ? 0 : (unsigned int)(64 - __builtin_clzll(frames - 1));
}

void mm_kmalloc_init(void)
{
	for (size_t step = 1; step < KMALLOC_STEPS; step++)
		kmalloc_cache_by_step[step] = &kmalloc_caches[0][kmalloc_class(step * 8)].s;
	kmalloc_cache_by_step[0] = kmalloc_cache_by_step[1];
	for (int dma = 0; dma < 2; dma++)
		for (int i = 0; i < KMALLOC_CLASSES; i++) {
			struct kmem_cache *s = &kmalloc_caches[dma][i].s;
			mm_slab_cache_setup(s, kmalloc_names[dma][i], kmalloc_sizes[i],
					 class_align(kmalloc_sizes[i]),
					 SLAB_STATIC | (dma ? SLAB_CACHE_DMA : 0), NULL);
			mm_slab_list_add_cache(s);
		}
	mm_slab_trust_static_caches(kmalloc_caches, sizeof(kmalloc_caches));
	kmalloc_owner_key = slab_priv_make(&kmalloc_caches[0][0].s, 0);
}

/* ---- large allocations ---- */

static void *kmalloc_large(size_t size, gfp_t gfp, int nid)
{
	if (size > (MM_PAGE_SIZE << MAX_ORDER)) {
		if (gfp & __GFP_NOFAIL)
			mm_panic("kmalloc: __GFP_NOFAIL request of %zu bytes is "
				   "larger than the largest block (%llu)", size,
				   (unsigned long long)(MM_PAGE_SIZE << MAX_ORDER));
		if (!(gfp & __GFP_NOWARN))
			mm_port_log("kmalloc: %zu bytes is larger than the largest "
				    "block (%llu bytes)\n", size,
				    (unsigned long long)(MM_PAGE_SIZE << MAX_ORDER));
		return NULL;
	}
	unsigned int order = order_for(size);
	struct page *page = alloc_pages_node(nid, gfp, order);
	if (!page)
		return NULL;
	char *addr = page_address(page);
	set_page_owner(page, OWNER_KMALLOC_LARGE_HEAD | (unsigned long)order << 1);
	for (size_t off = MM_PAGE_SIZE; off < (MM_PAGE_SIZE << order); off += MM_PAGE_SIZE)
		set_page_owner(virt_to_page(addr + off), OWNER_KMALLOC_LARGE_TAIL);
	return addr;
}

/* Order of the large block at p, or panics naming fn when p is not one. */
static unsigned int large_order(const void *p, unsigned long priv, const char *fn)
{
	if ((priv & OWNER_KMALLOC_LARGE_MASK) != OWNER_KMALLOC_LARGE_HEAD ||
	    ((uintptr_t)p & (MM_PAGE_SIZE - 1)))
		mm_panic("%s: invalid free of %p (inside a large kmalloc block)",
			   fn, p);
	return (unsigned int)((priv & ~OWNER_KMALLOC_LARGE_MASK) >> 1);
}

__attribute__((noinline)) static void kfree_large(void *p, unsigned long priv)
{
	unsigned int order = large_order(p, priv, "kfree");

	for (size_t off = 0; off < (MM_PAGE_SIZE << order); off += MM_PAGE_SIZE)
		set_page_owner(virt_to_page((char *)p + off), 0);
	__free_pages(virt_to_page(p), order);
}

/* ---- the family ---- */

/* The cache of a request of 1 .. KMALLOC_MAX_CACHE_SIZE bytes; panics,
 * naming fn, on __GFP_DMA32 (no DMA32 caches). */
static struct kmem_cache *kmalloc_slab_for(size_t size, gfp_t gfp, const char *fn)
{
	if (gfp & __GFP_DMA32)
		mm_panic("%s: __GFP_DMA32 is not a slab flag (size %zu, gfp "
			 "0x%x): use GFP_DMA or alloc_pages", fn, size, gfp);
	struct kmem_cache *s = kmalloc_cache_for(size);
	if (gfp & __GFP_DMA) /* the same class in the second row */
		s = &((struct kmalloc_slot *)s + KMALLOC_CLASSES)->s;
	return s;
}

/* kmalloc beyond the fast path: large, zero, DMA and zeroed requests. */
__attribute__((noinline)) static void *kmalloc_checked(size_t size, gfp_t gfp)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(size, gfp, NUMA_NO_NODE);
	if (size == 0)
		return ZERO_SIZE_PTR;
	return slab_alloc_inline(kmalloc_slab_for(size, gfp, "kmalloc"), gfp);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	/* One test sends sizes 0 and > KMALLOC_MAX_CACHE_SIZE, zone modifiers
	 * and zeroing to the checked path. */
	if (unlikely(size - 1 >= KMALLOC_MAX_CACHE_SIZE ||
		     (gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_ZERO))))
		return kmalloc_checked(size, gfp);
	if (gfp & __GFP_ZERO) /* tested above: the fast path need not */
		__builtin_unreachable();
	return slab_alloc_inline(kmalloc_cache_for(size), gfp);
}

void *kmalloc_node(size_t size, gfp_t gfp, int nid)
{
	if (nid == NUMA_NO_NODE)
		return kmalloc(size, gfp);
	gfp_check_context("kmalloc_node", gfp);
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(size, gfp, nid);
	if (size == 0)
		return ZERO_SIZE_PTR;
	return kmem_cache_alloc_node(kmalloc_slab_for(size, gfp, "kmalloc_node"),
				     gfp, nid);
}

void *kzalloc_node(size_t size, gfp_t gfp, int nid)
{
	return kmalloc_node(size, gfp | __GFP_ZERO, nid);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

/* kfree's checks in full (the fast path's test failed: a large block, a
 * frame the span hint misses, or a bad pointer). */
__attribute__((noinline)) static void kfree_checked(void *obj)
{
	struct page *page = slab_virt_to_page(obj);

	if (unlikely(!page))
		mm_panic("kfree: invalid free of %p (not in managed memory)", obj);
	unsigned long priv = page_owner(page);
	if (owner_is_kmalloc_large(priv)) {
		kfree_large(obj, priv);
		return;
	}
	slab_free_inline(slab_cache_check(obj, priv, "kfree"), obj, "kfree");
}

void kfree(const void *p)
{
	void *obj = (void *)(uintptr_t)p;

	if (ZERO_OR_NULL_PTR(obj))
		return;
	uint64_t pa = mm_port_virt_to_phys(obj);
	struct kmem_cache *s;
	/* Only kmalloc's own caches are trusted here without a lookup; an
	 * object of another cache, or a word that merely looks like a slab
	 * tag, takes the checked path (mm_slab_cache_ptr_valid). */
	if (likely(kmalloc_cache_of_owner(page_owner(slab_pa_to_page_hinted(pa)), &s) &&
		   slab_is_slot_start(s, pa))) {
		slab_free_push(s, obj, "kfree");
		return;
	}
	kfree_checked(obj);
}

size_t ksize(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return 0;
	unsigned long priv = mm_slab_page_private_of(p);
	if (owner_is_kmalloc_large(priv))
		return MM_PAGE_SIZE << large_order(p, priv, "ksize");
	return mm_slab_cache_of(p, "ksize")->object_size;
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	if (ZERO_OR_NULL_PTR(p))
		return kmalloc(new_size, gfp);
	if (new_size == 0) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	size_t old = ksize(p);
	/* A block with room is kept, however much smaller the new size (as
	 * Linux does): so shrinking needs no memory and never fails. */
	if (old >= new_size)
		return (void *)(uintptr_t)p;
	void *q = kmalloc(new_size, gfp);
	if (!q)
		return NULL;
	__builtin_memcpy(q, p, old < new_size ? old : new_size);
	kfree(p);
	return q;
}
