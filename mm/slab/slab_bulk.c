/* SPDX-License-Identifier: MIT */
/*
 * kmem_cache_alloc_bulk / kmem_cache_free_bulk: n objects through this
 * CPU's array at once, all or nothing, moving whole batches between the
 * array and the slabs when it runs empty or full (design: mm/slab.c).
 */
#include "build.h"

#include "slab/slab.h"

size_t kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t n, void **p)
{
	gfp_check_context("kmem_cache_alloc_bulk", gfp);
	unsigned int cpu = mm_this_cpu();
	struct kmem_cpu_cache *c = NULL;
	size_t done = 0;
	uint32_t have;

	/* A CPU that allocates in bulk gets an array like any other, so the
	 * objects the matching free_bulk parks there come back without a lock.
	 * Interrupt handlers use the slabs. */
	if (!mm_port_in_interrupt()) {
		c = s->cpu[cpu];
		if (unlikely(c == NULL) && !(s->flags & SLAB_NO_CPU_CACHE))
			c = mm_slab_cpu_array_install(s, cpu, gfp, true);
	}
	if (likely(c != NULL) && slab_cpu_claim(c, &have)) {
		uint32_t take = have < n ? have : (uint32_t)n;
		uint32_t left = have - take;
		__builtin_memcpy(p, cpu_objs(c) + left, take * sizeof(void *));
		slab_cpu_release(s, c, left);
		done = take;
	}
	for (size_t i = 0; i < done; i++)
		mm_slab_debug_on_alloc(s, p[i], "kmem_cache_alloc_bulk");
	/* The rest straight from the slabs, as many per lock as asked for. */
	while (done < n) {
		size_t want = n - done;
		uint32_t got = mm_slab_get_objects(s, p + done,
					   want > 0xffffffffu ? 0xffffffffu : (uint32_t)want,
					   gfp);
		if (!got) {
			kmem_cache_free_bulk(s, done, p);
			return 0;
		}
		for (uint32_t i = 0; i < got; i++)
			mm_slab_debug_on_alloc(s, p[done + i], "kmem_cache_alloc_bulk");
		done += got;
	}
	if (gfp & __GFP_ZERO)
		for (size_t i = 0; i < n; i++)
			__builtin_memset(p[i], 0, s->object_size);
	return n;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t n, void **p)
{
	/* The checks of kmem_cache_free; the frame lookup is skipped for an
	 * object in the same slab (physical block) as the one before. */
	const uint64_t mask = s->slab_mask;
	uint64_t checked_base = ~0ull;
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = mm_port_virt_to_phys(p[i]);
		if ((pa & ~mask) != checked_base) {
			const struct page *page = slab_pa_to_page_hinted(pa);
			if (unlikely(!slab_priv_is(page_owner(page), s))) {
				struct kmem_cache *owner =
					mm_slab_cache_of(p[i], "kmem_cache_free_bulk");
				if (unlikely(owner != s))
					mm_slab_bad_free(s, owner, p[i],
						      "kmem_cache_free_bulk");
			}
			checked_base = pa & ~mask;
		}
		if (unlikely(!slab_is_slot_start(s, pa)))
			mm_slab_bad_free(s, s, p[i], "kmem_cache_free_bulk");
	}
	/* All valid: only now change their state (a panic above leaves every
	 * object as it was). */
	for (size_t i = 0; i < n; i++)
		mm_slab_debug_on_free(s, p[i], "kmem_cache_free_bulk");

	unsigned int cpu = mm_this_cpu();
	struct kmem_cpu_cache *c = mm_port_in_interrupt() ? NULL : s->cpu[cpu];
	size_t done = 0;
	uint32_t have;
	if (likely(c != NULL) && slab_cpu_claim(c, &have)) {
		uint32_t room = c->cap - have;
		uint32_t put = room < n ? room : (uint32_t)n;
		__builtin_memcpy(cpu_objs(c) + have, p, put * sizeof(void *));
		slab_cpu_release(s, c, have + put);
		done = put;
	}
	/* What does not fit goes back to the slabs under one lock. */
	while (done < n) {
		size_t left = n - done;
		uint32_t k = left > 0xffffffffu ? 0xffffffffu : (uint32_t)left;
		mm_slab_put_objects(s, p + done, k);
		done += k;
	}
}
