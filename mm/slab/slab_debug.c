/* SPDX-License-Identifier: MIT */
/*
 * Slab debugging (MM_DEBUG builds; every function is a no-op otherwise).
 *
 * Each slot carries, behind the object, a red zone of SLAB_RED_BYTE (at
 * least 8 bytes) and a state word, SLAB_STATE_ALLOC or SLAB_STATE_FREE; the
 * free pointer lives after the state word, outside the object. A free object
 * is filled with SLAB_POISON_FREE (unless the cache has a constructor, whose
 * state must survive). See the slot picture in mm/slab_internal.h.
 *
 *   on free:  state must be ALLOC (FREE: double free), red zone intact
 *             (an overflow past the object); then state = FREE, poison.
 *   on alloc: state must be FREE, red zone intact, poison intact (a write
 *             after free); then state = ALLOC.
 *
 * An underflow before object i lands in the red zone of object i-1 and is
 * found when that object is freed or allocated. These functions are only
 * called with no lock held, so they may panic.
 */
#include "build.h"

#include "slab/slab.h"

#if MM_DEBUG


static uint64_t *state_word(const struct kmem_cache *s, void *obj)
{
	return (uint64_t *)((char *)obj + s->meta_offset);
}

/* First byte in [from, to) of obj that is not `pattern`, or -1. */
static long find_mismatch(const void *obj, uint32_t from, uint32_t to,
			  uint8_t pattern)
{
	const uint8_t *b = obj;
	uint64_t word = 0x0101010101010101ull * pattern;
	uint32_t i = from;

	for (; i < to && (i & 7); i++)
		if (b[i] != pattern)
			return i;
	for (; i + 8 <= to; i += 8)
		if (*(const uint64_t *)(b + i) != word)
			break;
	for (; i < to; i++)
		if (b[i] != pattern)
			return i;
	return -1;
}

static void check_red_zone(struct kmem_cache *s, void *obj, const char *fn)
{
	long bad = find_mismatch(obj, s->object_size, s->meta_offset,
				 SLAB_RED_BYTE);
	if (bad >= 0)
		mm_panic("%s: red zone of %p overwritten in cache %s "
			   "(byte %ld past the %u-byte object is 0x%x)", fn, obj,
			   s->name, bad - (long)s->object_size, s->object_size,
			   ((uint8_t *)obj)[bad]);
}

void mm_slab_debug_init_free(struct kmem_cache *s, void *obj)
{
	if (!s->ctor)
		__builtin_memset(obj, SLAB_POISON_FREE, s->object_size);
	__builtin_memset((char *)obj + s->object_size, SLAB_RED_BYTE,
			 s->meta_offset - s->object_size);
	*state_word(s, obj) = SLAB_STATE_FREE;
}

void mm_slab_debug_on_alloc(struct kmem_cache *s, void *obj, const char *fn)
{
	uint64_t state = *state_word(s, obj);
	if ((uintptr_t)obj & (s->align - 1))
		mm_panic("%s: object %p of cache %s is not aligned to %u", fn,
			   obj, s->name, s->align);
	if (state != SLAB_STATE_FREE)
		mm_panic("%s: object %p of cache %s handed out while not free "
			   "(state 0x%llx): free list corrupted", fn, obj, s->name,
			   (unsigned long long)state);
	check_red_zone(s, obj, fn);
	if (!s->ctor) {
		long bad = find_mismatch(obj, 0, s->object_size, SLAB_POISON_FREE);
		if (bad >= 0)
			mm_panic("%s: write after free in cache %s at %p "
				   "(object %p + %ld is 0x%x, poison 0x%x)", fn,
				   s->name, (void *)((char *)obj + bad), obj, bad,
				   ((uint8_t *)obj)[bad], SLAB_POISON_FREE);
	}
	*state_word(s, obj) = SLAB_STATE_ALLOC;
}

void mm_slab_debug_on_free(struct kmem_cache *s, void *obj, const char *fn)
{
	uint64_t state = *state_word(s, obj);
	if (state == SLAB_STATE_FREE)
		mm_panic("%s: double free of %p in cache %s", fn, obj, s->name);
	if (state != SLAB_STATE_ALLOC)
		mm_panic("%s: object %p of cache %s has a corrupted state word "
			   "(0x%llx): overflow from the object before it?", fn, obj,
			   s->name, (unsigned long long)state);
	check_red_zone(s, obj, fn);
	*state_word(s, obj) = SLAB_STATE_FREE;
	if (!s->ctor)
		__builtin_memset(obj, SLAB_POISON_FREE, s->object_size);
}

#endif /* MM_DEBUG */
