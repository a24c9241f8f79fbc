/* SPDX-License-Identifier: MIT */
/*
 * From an address to its slab: the owner word of an object's frame (found
 * through the frame map's span table, mm/page/memmap.h), the checks that
 * make a pointer from a caller safe to follow (mm_slab_cache_ptr_valid), and
 * the panics that name a bad pointer, a wrong cache or a double free. The fast paths inline the
 * span hint (slab_pa_to_page_hinted in mm/slab/slab.h); everything here is
 * the checked, slower way.
 */
#include "build.h"

#include "slab/slab.h"

const struct page mm_slab_no_page; /* page_private 0 */
uintptr_t mm_slab_ptr_top;

unsigned long mm_slab_page_private_of(const void *obj)
{
	struct page *page = slab_virt_to_page(obj);

	return page ? page_owner(page) : 0;
}

void mm_slab_bad_pointer(const void *obj, const char *fn)
{
	mm_panic("%s: invalid free of %p (not a slab object)", fn, obj);
}

/* Caches in static storage (kmalloc's): an address inside is a cache. */
static uintptr_t static_caches_start;
static size_t static_caches_bytes;

void mm_slab_trust_static_caches(const void *start, size_t bytes)
{
	static_caches_start = (uintptr_t)start;
	static_caches_bytes = bytes;
}

bool mm_slab_cache_ptr_valid(const struct kmem_cache *s)
{
	if (s == &mm_slab_cache_cache || s == &mm_slab_desc_cache ||
	    s == &mm_slab_cpu_array_cache ||
	    (uintptr_t)s - static_caches_start < static_caches_bytes)
		return true;
	/* Otherwise it must be a live slot of mm_slab_cache_cache: its frame
	 * carries that cache's tag and s is a slot start there. */
	struct page *page = slab_virt_to_page(s);
	if (!page)
		return false;
	unsigned long priv = page_owner(page);
	return owner_is_slab(priv) &&
	       slab_priv_cache(priv) == &mm_slab_cache_cache &&
	       slab_is_slot_start(&mm_slab_cache_cache, mm_port_virt_to_phys(s));
}

struct kmem_cache *mm_slab_cache_of(const void *obj, const char *fn)
{
	struct page *page = slab_virt_to_page(obj);

	if (unlikely(!page))
		mm_panic("%s: invalid free of %p (not in managed memory)", fn, obj);
	return slab_cache_check(obj, page_owner(page), fn);
}

struct slab *mm_slab_of_object(struct kmem_cache *s, const void *obj)
{
	uint64_t base = mm_port_virt_to_phys(obj) & ~s->slab_mask;

	if (!s->offslab)
		return (struct slab *)((char *)mm_port_phys_to_virt(base) +
				       slab_bytes(s) - sizeof(struct slab));
	uint64_t lo = slab_priv_spare(page_owner(pa_to_page(base)));
	uint64_t hi = slab_priv_spare(page_owner(pa_to_page(base + MM_PAGE_SIZE)));
	uint64_t desc = (hi << SLAB_PRIV_SPARE_BITS) | lo;
	struct slab *slab = mm_port_phys_to_virt(desc * SLAB_DESC_ALIGN);
	if (MM_DEBUG && (slab->magic != SLAB_MAGIC || slab->cache != s ||
			 mm_port_virt_to_phys((void *)slab->base) != base))
		mm_panic("mm_slab_of_object: cache %s: no descriptor for %p (0x%llx)",
			   s->name, obj, (unsigned long long)desc);
	return slab;
}

/* ---- the panics that name a bad pointer ---- */

void mm_slab_bad_free(struct kmem_cache *s, struct kmem_cache *owner,
		   const void *obj, const char *fn)
{
	uint64_t off = mm_port_virt_to_phys(obj) & s->slab_mask;
	uint32_t idx = slab_index_of(off, s->recip);

	if (owner != s)
		mm_panic("%s: invalid free of %p: it belongs to cache %s, not "
			   "%s", fn, obj, owner->name, s->name);
	mm_panic("%s: invalid free of %p in cache %s (not an object start: "
		   "slot %u + %lu bytes)", fn, obj, s->name, idx,
		   (unsigned long)(off - (uint64_t)idx * s->size));
}

void mm_slab_double_free(struct kmem_cache *s, const void *obj, const char *fn)
{
	mm_panic("%s: double free of %p in cache %s", fn, obj, s->name);
}
