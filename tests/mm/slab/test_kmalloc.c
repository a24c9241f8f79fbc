/* SPDX-License-Identifier: MIT */
/*
 * The kmalloc family: every size class and large sizes, alignment, ksize,
 * zeroing after dirty reuse, overflow, krealloc, kmalloc(0), GFP_DMA, and a
 * seeded random churn with a shadow check that no two live objects overlap.
 * Runs in the test kernel on the live allocator and on the host.
 */
#include <ktest.h>
#include <mm/mm.h>

#include "../page/page_test_util.h"
#include "slab/slab.h"

static unsigned long settled_free(void)
{
	kmem_cache_shrink_all();
	drain_all_pages();
	return nr_free_pages();
}

/* The alignment kmalloc states for a request of size bytes. */
static size_t stated_align(size_t size)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return MM_PAGE_SIZE;
	size_t cls = size <= 8 ? 8 : size <= 16 ? 16 : size <= 32 ? 32 :
		     size <= 64 ? 64 : size <= 96 ? 96 : size <= 128 ? 128 :
		     size <= 192 ? 192 : 1ul << (64 - __builtin_clzll(size - 1));
	size_t a = cls & -cls; /* largest power of two dividing the class */
	return a > MM_PAGE_SIZE ? MM_PAGE_SIZE : a;
}

KTEST(kmalloc, every_size_to_8k)
{
	unsigned long start = settled_free();

	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		uint8_t *p = kmalloc(size, GFP_KERNEL);
		KT_ASSERT(p);
		if (((uintptr_t)p & (stated_align(size) - 1)) ||
		    ((uintptr_t)p & (KMALLOC_MIN_ALIGN - 1))) {
			ktest_printf("# size %zu at %p\n", size, (void *)p);
			KT_EXPECT(!"aligned as stated");
		}
		size_t ks = ksize(p);
		if (ks < size) {
			KT_EXPECT(ks >= size);
			ktest_printf("# size %zu ksize %zu\n", size, ks);
		}
		__builtin_memset(p, (int)size, ks); /* writable end to end */
		if (p[0] != (uint8_t)size || p[ks - 1] != (uint8_t)size)
			KT_EXPECT(!"readable back");
		kfree(p); /* debug builds check the red zone here */
	}
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(kmalloc, large_sizes)
{
	unsigned long start = settled_free();
	static const size_t sizes[] = {
		8193, 12288, 65537, 200000, 1 << 20, (3 << 20) + 5, 4 << 20,
	};

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		/* Every configuration has a free 4 MiB block: the low 16 MiB
		 * is kept free of the kernel and its boot data. */
		uint8_t *p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (!p)
			ktest_printf("# no free block for %zu bytes\n", size);
		KT_ASSERT(p);
		KT_EXPECT(((uintptr_t)p & (MM_PAGE_SIZE - 1)) == 0);
		KT_EXPECT(ksize(p) >= size);
		__builtin_memset(p, 0xa5, size);
		KT_EXPECT_EQ(p[size - 1], 0xa5);
		KT_EXPECT_EQ(p[size / 2], 0xa5);
		kfree(p);
	}
	/* Larger than the largest block: NULL, nothing allocated. */
	KT_EXPECT(kmalloc((MM_PAGE_SIZE << MAX_ORDER) + 1, GFP_KERNEL | __GFP_NOWARN) == NULL);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(kmalloc, zero_size_and_null)
{
	unsigned long start = settled_free();

	KT_EXPECT(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	KT_EXPECT(kzalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	KT_EXPECT(kcalloc(0, 8, GFP_KERNEL) == ZERO_SIZE_PTR);
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	KT_EXPECT_EQ(ksize(NULL), 0);
	KT_EXPECT_EQ(ksize(ZERO_SIZE_PTR), 0);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(kmalloc, overflow_returns_null_allocating_nothing)
{
	unsigned long start = settled_free();
	unsigned long free0 = nr_free_pages();

	KT_EXPECT(kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	KT_EXPECT(kmalloc_array(SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	KT_EXPECT(kmalloc_array(2, SIZE_MAX / 2 + 1, GFP_KERNEL) == NULL);
	KT_EXPECT(kcalloc(SIZE_MAX, SIZE_MAX, GFP_KERNEL) == NULL);
	KT_EXPECT_EQ(nr_free_pages(), free0);
	void *p = kmalloc_array(1000, 8, GFP_KERNEL); /* no overflow: fine */
	KT_EXPECT(p && ksize(p) >= 8000);
	kfree(p);
	KT_EXPECT_EQ(settled_free(), start);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

KTEST(kmalloc, zeroed_even_after_dirty_reuse)
{
	unsigned long start = settled_free();
	static const size_t sizes[] = { 1, 8, 24, 64, 90, 128, 150, 256, 500, 1024,
					2000, 4096, 6000, 8192, 20000 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		for (int how = 0; how < 3; how++) {
			uint8_t *p = kmalloc(size, GFP_KERNEL);
			KT_ASSERT(p);
			__builtin_memset(p, 0xee, ksize(p));
			kfree(p);
			uint8_t *q = how == 0 ? kzalloc(size, GFP_KERNEL) :
				     how == 1 ? kcalloc(size, 1, GFP_KERNEL) :
						kmalloc(size, GFP_KERNEL | __GFP_ZERO);
			KT_ASSERT(q);
			if (size <= KMALLOC_MAX_CACHE_SIZE)
				KT_EXPECT(q == p); /* the dirtied object again */
			KT_EXPECT(all_zero(q, size));
			kfree(q);
		}
	}
	uint32_t *arr = kcalloc(1000, sizeof(uint32_t), GFP_KERNEL);
	KT_ASSERT(arr);
	KT_EXPECT(all_zero((uint8_t *)arr, 4000));
	kfree(arr);
	KT_EXPECT_EQ(settled_free(), start);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static bool check(const uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

KTEST(kmalloc, krealloc_keeps_content)
{
	unsigned long start = settled_free();
	static const size_t steps[] = { 10, 100, 100, 5000, 20000, 300000, 64, 3, 9000, 1 };

	uint8_t *p = krealloc(NULL, 5, GFP_KERNEL); /* = kmalloc */
	KT_ASSERT(p);
	size_t have = 5;
	fill(p, have, 3);
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t n = steps[i];
		uint8_t *q = krealloc(p, n, GFP_KERNEL);
		KT_ASSERT(q);
		KT_EXPECT(ksize(q) >= n);
		size_t keep = have < n ? have : n;
		KT_EXPECT(check(q, keep, 3));
		fill(q, n, 3);
		p = q;
		have = n;
	}
	/* krealloc(p, 0) frees and returns ZERO_SIZE_PTR. */
	KT_EXPECT(krealloc(p, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	KT_EXPECT_EQ(settled_free(), start);
}

/* slab.h: "When @p already has room (ksize(p) >= new_size) it is returned
 * as is" - small objects and large blocks alike, however much smaller the
 * new size (Linux keeps the block too). */
KTEST(kmalloc, krealloc_keeps_a_block_that_has_room)
{
	static const size_t cases[][2] = {
		{ 65536, 100 }, { 20000, 9000 }, { 1 << 20, 4096 }, { 1 << 20, 1 },
		{ 8192, 8000 }, { 4096, 100 }, { 100, 50 }, { 96, 96 }, { 9000, 16384 },
	};
	unsigned long start = settled_free();

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t old = cases[i][0], n = cases[i][1];
		uint8_t *p = kmalloc(old, GFP_KERNEL);
		KT_ASSERT(p);
		size_t room = ksize(p);
		fill(p, old, 5);
		uint8_t *q = krealloc(p, n, GFP_KERNEL);
		if (q != p)
			ktest_printf("#   krealloc(%zu -> %zu) moved the block\n", old, n);
		KT_EXPECT(q == p);
		KT_EXPECT_EQ(ksize(q), room);
		KT_EXPECT(check(q, n < old ? n : old, 5));
		kfree(q);
	}
	KT_EXPECT_EQ(settled_free(), start);
}

/* Shrinking never needs memory, so it never fails: with nothing left that
 * GFP_NOWAIT could take, shrinking a 1 MiB block still returns it. */
KTEST(kmalloc, shrinking_krealloc_never_fails)
{
	unsigned long start = settled_free();
	uint8_t *p = kmalloc(1 << 20, GFP_KERNEL);
	KT_ASSERT(p);
	fill(p, 1 << 12, 7);
	struct held hog = { 0 };
	held_take_all(&hog, GFP_NOWAIT | __GFP_NOWARN);
	KT_EXPECT(kmalloc(9000, GFP_NOWAIT | __GFP_NOWARN) == NULL);
	static const size_t sizes[] = { 1 << 19, 9000, 4096, 100, 1 };
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *q = krealloc(p, sizes[i], GFP_NOWAIT | __GFP_NOWARN);
		KT_EXPECT(q == p);
		if (q)
			p = q;
	}
	KT_EXPECT(check(p, 1, 7));
	held_free_all(&hog);
	kfree(p);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(kmalloc, gfp_dma_below_16m)
{
	unsigned long start = settled_free();
	enum { N = 300 };
	static void *p[N];

	for (int i = 0; i < N; i++) {
		size_t size = 1 + (size_t)ktest_rand_below(i % 10 == 0 ? 20000 : 2048);
		p[i] = kmalloc(size, GFP_KERNEL | GFP_DMA);
		KT_ASSERT(p[i]);
		uint64_t end = virt_to_phys(p[i]) + size;
		if (end > (16u << 20)) {
			KT_EXPECT(end <= (16u << 20));
			break;
		}
		__builtin_memset(p[i], 1, size);
	}
	/* Separate caches: a normal object of the same size is not DMA's. */
	void *n = kmalloc(64, GFP_KERNEL), *d = kmalloc(64, GFP_KERNEL | GFP_DMA);
	KT_ASSERT(n && d);
	KT_EXPECT(mm_slab_cache_of(n, "test") != mm_slab_cache_of(d, "test"));
	KT_EXPECT(virt_to_phys(d) < (16u << 20));
	kfree(n);
	kfree(d);
	for (int i = 0; i < N; i++)
		kfree(p[i]);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(kmalloc, dma32_is_not_a_slab_flag)
{
	KT_EXPECT_PANIC_MSG(kmalloc(64, GFP_KERNEL | GFP_DMA32), "__GFP_DMA32");
	void *big = kmalloc(64 << 10, GFP_KERNEL | GFP_DMA32); /* pages: fine */
	KT_ASSERT(big);
	KT_EXPECT(virt_to_phys(big) + (64 << 10) <= (4ull << 30));
	kfree(big);
}

/* ---- seeded churn with a shadow of live intervals ---- */

enum { CHURN_SLOTS = 1024, CHURN_OPS = 20000 };
static struct live {
	uintptr_t start, end;
} live[CHURN_SLOTS];
static size_t nlive;
static uint8_t *slot_ptr[CHURN_SLOTS];
static size_t slot_size[CHURN_SLOTS];

/* Inserts [s, e) into the sorted shadow; false if it overlaps a live one. */
static bool shadow_insert(uintptr_t s, uintptr_t e)
{
	size_t lo = 0, hi = nlive;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (live[mid].start < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((lo > 0 && live[lo - 1].end > s) || (lo < nlive && live[lo].start < e))
		return false;
	__builtin_memmove(&live[lo + 1], &live[lo], (nlive - lo) * sizeof(live[0]));
	live[lo].start = s;
	live[lo].end = e;
	nlive++;
	return true;
}

static void shadow_remove(uintptr_t s)
{
	for (size_t i = 0; i < nlive; i++)
		if (live[i].start == s) {
			__builtin_memmove(&live[i], &live[i + 1], (nlive - i - 1) * sizeof(live[0]));
			nlive--;
			return;
		}
}

KTEST(kmalloc, random_churn_no_overlap)
{
	unsigned long start = settled_free();
	bool ok = true;

	nlive = 0;
	__builtin_memset(slot_ptr, 0, sizeof(slot_ptr));
	for (int op = 0; op < CHURN_OPS && ok; op++) {
		unsigned int i = (unsigned int)ktest_rand_below(CHURN_SLOTS);
		if (slot_ptr[i]) {
			if (!check(slot_ptr[i], slot_size[i], (uint8_t)i)) {
				KT_EXPECT(!"object content intact");
				ok = false;
			}
			shadow_remove((uintptr_t)slot_ptr[i]);
			kfree(slot_ptr[i]);
			slot_ptr[i] = NULL;
			continue;
		}
		uint64_t r = ktest_rand_below(100);
		size_t size = r < 60 ? 1 + ktest_rand_below(256) :
			      r < 97 ? 1 + ktest_rand_below(4096) :
				       1 + ktest_rand_below(40000);
		uint8_t *p = kmalloc(size, (r & 1) ? GFP_KERNEL : GFP_ATOMIC);
		KT_ASSERT(p);
		if (!shadow_insert((uintptr_t)p, (uintptr_t)p + ksize(p))) {
			ktest_printf("# overlap at %p size %zu\n", (void *)p, size);
			KT_EXPECT(!"no two live objects overlap");
			ok = false;
		}
		fill(p, size, (uint8_t)i);
		slot_ptr[i] = p;
		slot_size[i] = size;
	}
	for (unsigned int i = 0; i < CHURN_SLOTS; i++)
		if (slot_ptr[i]) {
			KT_EXPECT(check(slot_ptr[i], slot_size[i], (uint8_t)i));
			kfree(slot_ptr[i]);
		}
	KT_EXPECT_EQ(settled_free(), start);
}

/* A frame from alloc_pages() whose owner word happens to look like a slab
 * tag (low bits 0b010) is not a kmalloc object: kfree and ksize refuse it
 * with a message instead of following the word as a cache pointer. */
KTEST(kmalloc, kfree_of_a_frame_whose_owner_word_looks_like_a_slab_tag)
{
	static const unsigned long fakes[] = {
		0x1002ul, 0x2ul, 0x00007fffffffffc2ul, 0xffffffffffffffc2ul,
	};
	struct page *pg = alloc_pages(GFP_KERNEL, 0);

	KT_ASSERT(pg != NULL);
	void *va = page_address(pg);
	for (unsigned i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
		set_page_private(pg, fakes[i]);
		KT_EXPECT_PANIC_MSG(kfree(va), "not a slab object");
		KT_EXPECT_PANIC_MSG(ksize(va), "not a slab object");
	}
	/* A tag that points at real RAM which is not a cache: this frame. */
	set_page_private(pg, ((unsigned long)va & 0x0000ffffffffffc0ul) | 2);
	KT_EXPECT_PANIC_MSG(kfree(va), "not a slab object");
	/* Into kmalloc's own caches, but between two of them (kfree's fast
	 * path trusts only a cache start there). */
	void *obj = kmalloc(64, GFP_KERNEL);
	KT_ASSERT(obj != NULL);
	unsigned long inside = (unsigned long)mm_slab_cache_of(obj, "test") + 64;
	kfree(obj);
	set_page_private(pg, (inside & 0x0000ffffffffffc0ul) | 2);
	KT_EXPECT_PANIC_MSG(kfree(va), "not a slab object");
	KT_EXPECT_PANIC_MSG(ksize(va), "not a slab object");
	set_page_private(pg, 0);
	__free_pages(pg, 0);
}
