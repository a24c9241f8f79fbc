/* SPDX-License-Identifier: MIT */
/* replace_kmalloc.c - a kernel heap with the common hobby signatures
 * (kmalloc(size), kfree(ptr), no flags) replaced by mm64's kmalloc. Its
 * names clash with mm64's Linux ones, so this file builds with
 * MM_API_PREFIX; everything else in the kernel keeps calling its own
 * names, now served by the slab caches (8 B to 8 KiB) and whole frames
 * above. */
#define MM_API_PREFIX 1
#include <stddef.h>
#include <mm/slab.h>

/* size bytes, 8-byte aligned (a power-of-two size up to 4 KiB is aligned
 * to its size), or NULL. Size 0 gives ZERO_SIZE_PTR, which kfree takes
 * but nothing may dereference. Task context: it may reclaim. */
void *kmalloc(size_t size)
{
	return mm_kmalloc(size, GFP_KERNEL);
}

/* The same, callable from interrupt handlers: never waits, may fail. */
void *kmalloc_atomic(size_t size)
{
	return mm_kmalloc(size, GFP_ATOMIC);
}

/* n * size zeroed bytes; NULL when the product overflows. */
void *kcalloc(size_t n, size_t size)
{
	return mm_kcalloc(n, size, GFP_KERNEL);
}

/* Resized, contents kept (NULL p: kmalloc); size 0 frees p and gives
 * ZERO_SIZE_PTR. NULL when it cannot grow: p is still valid then. */
void *krealloc(void *p, size_t size)
{
	return mm_krealloc(p, size, GFP_KERNEL);
}

/* NULL is ignored; a pointer kmalloc did not return panics, naming it, and
 * so does a double free (every one in debug builds; in release builds
 * one of the object freed last on this CPU). */
void kfree(void *p)
{
	mm_kfree(p);
}
