/* SPDX-License-Identifier: MIT */
/*
 * The two replacement shims of docs/EMBEDDING.md ("Replacing an existing
 * allocator"), compiled as shown (MM_API_PREFIX, the kernel's own kfree)
 * and run: xv6's kalloc/kfree over mm64's frames, and a flag-less hobby
 * kmalloc/kfree over mm64's kmalloc. Both shims define kfree, so this file
 * includes them under other names, before any other header: in this file
 * the mm_ names are the only ones (host only).
 */
#define kalloc xv6_kalloc
#define kfree xv6_kfree
#include "../../docs/examples/replace_kalloc.c"
#undef kalloc
#undef kfree
#define kmalloc heap_kmalloc
#define kmalloc_atomic heap_kmalloc_atomic
#define kcalloc heap_kcalloc
#define krealloc heap_krealloc
#define kfree heap_kfree
#include "../../docs/examples/replace_kmalloc.c"
#undef kmalloc
#undef kmalloc_atomic
#undef kcalloc
#undef krealloc
#undef kfree

#include <stdint.h>
#include <string.h>
#include <ktest.h>
#include <mm/mm.h>

#include "host_port.h"

/* xv6's pattern: take pages until memory runs out, tag and check every
 * one, give them all back; a misaligned or second free panics. */
KTEST(embed_replace, xv6_kalloc_kfree_run_on_mm64_frames)
{
	host_mm_default();
	unsigned long before = mm_nr_free_pages(), n = 0;
	char *head = NULL, *p;

	while ((p = xv6_kalloc()) != NULL) {
		KT_ASSERT(((uintptr_t)p & 4095) == 0);
		memset(p, 0x5a, 4096);
		*(char **)p = head; /* a list through the pages, as xv6 keeps */
		head = p;
		n++;
	}
	KT_EXPECT(n > 0);
	KT_EXPECT(n <= before);
	for (char *q = head; q; q = *(char **)q)
		KT_EXPECT_EQ((unsigned char)q[4095], 0x5a);
	char *keep = head;
	head = *(char **)head;
	xv6_kfree(keep);
	KT_EXPECT_PANIC(xv6_kfree(keep));      /* freed twice */
	KT_EXPECT_PANIC(xv6_kfree(head + 8));  /* not a page start */
	while (head) {
		char *next = *(char **)head;
		xv6_kfree(head);
		head = next;
	}
	mm_drain_all_pages();
	KT_EXPECT_EQ(mm_nr_free_pages(), before);
}

KTEST(embed_replace, hobby_kmalloc_kfree_run_on_mm64_kmalloc)
{
	host_mm_default();
	unsigned long before = mm_nr_free_pages();
	char *a = heap_kmalloc(100);
	uint32_t *z = heap_kcalloc(64, sizeof(uint32_t));

	KT_ASSERT(a != NULL && z != NULL);
	for (int i = 0; i < 64; i++)
		KT_EXPECT_EQ(z[i], 0);
	memcpy(a, "mm64", 5);
	a = heap_krealloc(a, 5000);
	KT_ASSERT(a != NULL);
	KT_EXPECT(strcmp(a, "mm64") == 0);
	KT_EXPECT(mm_ksize(a) >= 5000);
	KT_EXPECT(heap_kcalloc(SIZE_MAX / 2, 4) == NULL); /* the product overflows */
	void *irq = heap_kmalloc_atomic(32);
	KT_EXPECT(irq != NULL);
	heap_kfree(irq);
	heap_kfree(NULL);
	heap_kfree(a);
	heap_kfree(z);
	KT_EXPECT_PANIC(heap_kfree((char *)z + 4)); /* not an object start */
	void *zero = heap_kmalloc(0);
	KT_EXPECT(zero == ZERO_SIZE_PTR);
	heap_kfree(zero);
	mm_kmem_cache_shrink_all();
	mm_drain_all_pages();
	KT_EXPECT_EQ(mm_nr_free_pages(), before);
}
