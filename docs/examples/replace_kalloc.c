/* SPDX-License-Identifier: MIT */
/* replace_kalloc.c - xv6's page allocator (kalloc.c) replaced by mm64.
 * xv6 has a kfree(char *) of its own, so this file builds with
 * MM_API_PREFIX and calls mm64 by its mm_ names. kinit() becomes
 * mm_init() with the map of "With no firmware map" above. */
#define MM_API_PREFIX 1
#include <mm/page_alloc.h>

/* One 4096-byte page of physical memory, or 0 if none is free. */
char *kalloc(void)
{
	return (char *)mm___get_free_page(GFP_KERNEL);
}

/* Free the page at pa, which kalloc() returned. mm64 panics, naming the
 * frame, on an address that is not such a page or a double free (xv6's
 * own kfree panicked on the first; the second it could not see). */
void kfree(char *pa)
{
	mm_free_page((unsigned long)pa);
}
