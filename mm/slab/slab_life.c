/* SPDX-License-Identifier: MIT */
/*
 * A slab's life (no lock held): made from frames of a node with its free
 * list threaded and every slot constructed, and given back with its
 * frames (and an off-slab descriptor). The lists it lives on between the
 * two, and the objects moving in and out, are mm/slab/slab.c's.
 */
#include "build.h"

#include <mm/page_alloc.h>

#include "owner.h"
#include "slab/slab.h"

struct slab *mm_slab_new(struct kmem_cache *s, gfp_t gfp, int node)
{
	gfp_t page_gfp = (gfp & ~(GFP_ZONEMASK | __GFP_ZERO)) | s->zone_gfp;
	struct page *page = alloc_pages_node(node, page_gfp, s->order);
	struct slab *slab;
	uintptr_t base;

	if (!page)
		return NULL;
	base = (uintptr_t)page_address(page);
	/* The slot lookup relies on naturally aligned blocks (page_alloc.h). */
	if (MM_DEBUG && (mm_port_virt_to_phys((void *)base) & s->slab_mask))
		mm_panic("mm_slab_new: cache %s: block at %p is not aligned to its "
			   "%lu bytes", s->name, (void *)base,
			   (unsigned long)slab_bytes(s));
	if (!s->offslab) {
		slab = (struct slab *)(base + slab_bytes(s) - sizeof(struct slab));
		slab->offslab = 0;
	} else {
		slab = kmem_cache_alloc(&mm_slab_desc_cache,
					gfp & ~(GFP_ZONEMASK | __GFP_ZERO));
		if (!slab) {
			__free_pages(page, s->order);
			return NULL;
		}
		slab->offslab = 1;
	}
	slab->cache = s;
	slab->base = base;
	slab->inuse = 0;
	slab->magic = SLAB_MAGIC;
	slab->list = SLAB_LIST_NONE;
	slab->node = (uint16_t)page_to_nid(page);
	slab->cpu = SLAB_NO_CPU;
	slab->next = slab->prev = NULL;
	/* Off-slab: the descriptor's address / 64 in the spare bits of frames
	 * 0 and 1 (picture in mm/slab_internal.h). */
	uint64_t desc = 0;
	if (s->offslab) {
		uint64_t pa = mm_port_virt_to_phys(slab);
		if ((pa & (SLAB_DESC_ALIGN - 1)) || pa >= SLAB_DESC_PA_LIMIT)
			mm_panic("mm_slab_new: cache %s: descriptor at physical 0x%llx "
				   "is not 64-byte aligned below 16 TiB",
				   s->name, (unsigned long long)pa);
		desc = pa / SLAB_DESC_ALIGN;
	}
	for (uintptr_t off = 0, i = 0; off < slab_bytes(s); off += MM_PAGE_SIZE, i++)
		set_page_owner(virt_to_page((void *)(base + off)),
				 slab_priv_make(s, i < 2 ? (uint32_t)(desc >> (SLAB_PRIV_SPARE_BITS * i)) &
						    SLAB_PRIV_SPARE_MAX : 0));

	/* Thread the free list in address order; construct every slot. */
	void *next = NULL;
	for (uint32_t i = s->objs_per_slab; i-- > 0;) {
		void *obj = (void *)(base + (uintptr_t)i * s->size);
		if (s->ctor)
			s->ctor(obj);
		mm_slab_debug_init_free(s, obj);
		slab_set_fp(s, obj, next);
		next = obj;
	}
	slab->freelist = next;
	return slab;
}

/* Gives a slab's frames back; returns them, and the frames of a slab of
 * descriptors that its off-slab descriptor emptied (straight to its slab,
 * not through a per-CPU array, so every frame freed is counted; those
 * slabs keep their descriptors on-slab, so this goes one level deep). */
static unsigned long free_slab(struct slab *slab)
{
	struct kmem_cache *s = slab->cache;
	uintptr_t base = slab->base;
	unsigned long frames = 1ul << s->order;

	slab->magic = 0;
	for (uintptr_t off = 0; off < slab_bytes(s); off += MM_PAGE_SIZE)
		set_page_owner(virt_to_page((void *)(base + off)), 0);
	if (slab->offslab) {
		mm_slab_debug_on_free(&mm_slab_desc_cache, slab, "free_slab");
		frames += mm_slab_put_objects(&mm_slab_desc_cache, (void *const *)&slab, 1);
	}
	__free_pages(virt_to_page((void *)base), s->order);
	return frames;
}

unsigned long mm_slab_free_chain(struct slab *chain)
{
	unsigned long frames = 0;

	while (chain) {
		struct slab *next = chain->next;
		frames += free_slab(chain);
		chain = next;
	}
	return frames;
}
