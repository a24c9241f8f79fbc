/* SPDX-License-Identifier: MIT */
/*
 * kmem_cache: geometry, constructors, zeroing, bulk, shrinking and reclaim,
 * leak reports, the per-CPU discipline, and every debug check (red zone,
 * write after free, double free, invalid free). Runs in the test kernel on
 * the live allocator and on the host; every test ends with the free frame
 * count it started with.
 */
#include <ktest.h>
#include <mm/mm.h>

#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"
#include "slab/slab.h"
#include "stats.h"

/* Free frames with no empty slab and no per-CPU array of this CPU held. */
static unsigned long settled_free(void)
{
	kmem_cache_shrink_all();
	drain_all_pages();
	return nr_free_pages();
}

static bool aligned(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

KTEST(slab, reciprocal_index_is_exact)
{
	static const uint32_t sizes[] = { 8, 24, 40, 96, 120, 192, 1000, 4104, 8192, 12344 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t r = slab_reciprocal(sizes[i]);
		for (uint64_t off = 0; off < (1u << 22); off += 1 + off / 64) {
			if (slab_index_of(off, r) != off / sizes[i]) {
				KT_EXPECT_EQ(slab_index_of(off, r), off / sizes[i]);
				return;
			}
		}
	}
}

KTEST(slab, geometry_and_alignment)
{
	unsigned long start = settled_free();
	static const size_t sizes[] = { 1, 8, 13, 40, 64, 100, 250, 512, 700, 3000, 5000, 20000 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t align = 0; align <= MM_PAGE_SIZE; align = align ? align * 4 : 8) {
			struct kmem_cache *c = kmem_cache_create("t-geom", sizes[i], align, 0, NULL);
			struct kmem_cache_info in;
			void *p[5];
			KT_ASSERT(c);
			kmem_cache_get_info(c, &in);
			KT_EXPECT(in.slot_size >= sizes[i]);
			KT_EXPECT(in.objs_per_slab >= 1);
			KT_EXPECT(in.objs_per_slab * in.slot_size <= (MM_PAGE_SIZE << in.order));
			for (int k = 0; k < 5; k++) {
				p[k] = kmem_cache_alloc(c, GFP_KERNEL);
				KT_ASSERT(p[k]);
				KT_EXPECT(aligned(p[k], align ? align : 8));
				KT_EXPECT(ksize(p[k]) >= sizes[i]);
				__builtin_memset(p[k], 0x5a, sizes[i]);
			}
			for (int k = 0; k < 5; k++)
				kmem_cache_free(c, p[k]);
			kmem_cache_destroy(c);
		}
	struct kmem_cache *hw = kmem_cache_create("t-hw", 24, 0, SLAB_HWCACHE_ALIGN, NULL);
	KT_ASSERT(hw);
	void *a = kmem_cache_alloc(hw, GFP_KERNEL), *b = kmem_cache_alloc(hw, GFP_KERNEL);
	KT_EXPECT(aligned(a, SLAB_CACHE_LINE) && aligned(b, SLAB_CACHE_LINE));
	kmem_cache_free(hw, a);
	kmem_cache_free(hw, b);
	kmem_cache_destroy(hw);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, many_objects_distinct_and_writable)
{
	unsigned long start = settled_free();
	enum { N = 3000 };
	static uint32_t *objs[N];
	struct kmem_cache *c = kmem_cache_create("t-many", 48, 0, 0, NULL);

	KT_ASSERT(c);
	for (int i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT(objs[i]);
		for (int w = 0; w < 12; w++)
			objs[i][w] = (uint32_t)i;
	}
	for (int i = 0; i < N; i++)
		for (int w = 0; w < 12; w++)
			if (objs[i][w] != (uint32_t)i) {
				KT_EXPECT_EQ(objs[i][w], i);
				goto out;
			}
out:
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

static unsigned long ctor_calls;

static void ctor_pattern(void *obj)
{
	uint64_t *w = obj;

	ctor_calls++;
	w[0] = 0xc0ffee;
	w[1] = (uintptr_t)obj;
	w[2] = 0;
}

KTEST(slab, ctor_state_in_every_object)
{
	unsigned long start = settled_free();
	enum { N = 500 };
	static uint64_t *objs[N];
	struct kmem_cache *c = kmem_cache_create("t-ctor", 40, 0, 0, ctor_pattern);

	KT_ASSERT(c);
	ctor_calls = 0;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			KT_ASSERT(objs[i]);
			KT_EXPECT_EQ(objs[i][0], 0xc0ffee);
			KT_EXPECT_EQ(objs[i][1], (uintptr_t)objs[i]);
			KT_EXPECT_EQ(objs[i][2], 0);
		}
		for (int i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]); /* in constructed state */
	}
	/* Once per slot, not once per allocation. */
	struct kmem_cache_info in;
	kmem_cache_get_info(c, &in);
	KT_EXPECT(ctor_calls >= N && ctor_calls < 3 * N);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, cache_dma_objects_below_16m)
{
	unsigned long start = settled_free();
	enum { N = 200 };
	static void *p[N];
	struct kmem_cache *c = kmem_cache_create("t-dma", 700, 0, SLAB_CACHE_DMA, NULL);

	KT_ASSERT(c);
	for (int i = 0; i < N; i++) {
		/* The cache decides the zone, whatever the caller passes. */
		KT_ASSERT((p[i] = kmem_cache_alloc(c, GFP_KERNEL)));
		KT_EXPECT(virt_to_phys(p[i]) + 700 <= (16u << 20));
	}
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, zalloc_zero_after_dirty_reuse)
{
	unsigned long start = settled_free();
	struct kmem_cache *c = kmem_cache_create("t-zero", 200, 0, 0, NULL);

	KT_ASSERT(c);
	for (int round = 0; round < 50; round++) {
		uint8_t *p = kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT(p);
		__builtin_memset(p, 0xff, 200);
		kmem_cache_free(c, p);
		uint8_t *q = (round & 1) ? kmem_cache_zalloc(c, GFP_KERNEL) :
					    kmem_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
		KT_ASSERT(q);
		KT_EXPECT(q == p); /* LIFO: the dirtied object came back */
		for (int i = 0; i < 200; i++)
			if (q[i]) {
				KT_EXPECT_EQ(q[i], 0);
				break;
			}
		kmem_cache_free(c, q);
	}
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, bulk_alloc_free)
{
	unsigned long start = settled_free();
	enum { N = 700 };
	static void *p[N];
	struct kmem_cache *c = kmem_cache_create("t-bulk", 64, 0, SLAB_HWCACHE_ALIGN, NULL);

	KT_ASSERT(c);
	for (int round = 0; round < 4; round++) {
		size_t n = round == 0 ? 1 : round == 1 ? 37 : N;
		KT_ASSERT_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL | __GFP_ZERO, n, p), n);
		for (size_t i = 0; i < n; i++) {
			KT_ASSERT(p[i]);
			KT_EXPECT(aligned(p[i], 64));
			KT_EXPECT_EQ(((uint64_t *)p[i])[7], 0);
			((uint64_t *)p[i])[0] = i;
		}
		for (size_t i = 0; i < n; i++)
			KT_EXPECT_EQ(((uint64_t *)p[i])[0], i); /* distinct */
		kmem_cache_free_bulk(c, n, p);
	}
	struct kmem_cache_info in;
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.active_objs, 0);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, shrink_returns_every_empty_slab)
{
	unsigned long start = settled_free();
	enum { N = 2000 };
	static void *p[N];
	struct kmem_cache *c = kmem_cache_create("t-shrink", 256, 0, 0, NULL);
	struct kmem_cache_info in;

	KT_ASSERT(c);
	for (int i = 0; i < N; i++)
		KT_ASSERT((p[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.active_objs, N);
	KT_EXPECT(in.slabs >= N / in.objs_per_slab);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.active_objs, 0);
	KT_EXPECT(in.slabs > 0); /* the per-CPU array holds some objects */
	KT_EXPECT(kmem_cache_shrink(c) > 0);
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.slabs, 0);
	KT_EXPECT_EQ(in.pages, 0);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, reclaim_shrinker_returns_every_empty_slab)
{
	unsigned long start = settled_free();
	enum { N = 1500 };
	static void *p[N];
	struct kmem_cache *c = kmem_cache_create("t-reclaim", 1000, 0, 0, NULL);
	struct kmem_cache_info in;

	KT_ASSERT(c);
	for (int i = 0; i < N; i++)
		KT_ASSERT((p[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_get_info(c, &in);
	KT_EXPECT(in.pages > 0);
	unsigned long held = in.pages;
	unsigned long before = nr_free_pages();
	unsigned long calls = mm_stat_read(MM_STAT_SHRINKER_CALLS);
	/* What GFP_KERNEL reclaim does under pressure: the slab shrinker. */
	unsigned long got = mm_direct_reclaim(GFP_KERNEL, ~0ul >> 1);
	KT_EXPECT(mm_stat_read(MM_STAT_SHRINKER_CALLS) > calls);
	KT_EXPECT(got >= held);
	kmem_cache_get_info(c, &in);
	KT_EXPECT_EQ(in.slabs, 0);
	KT_EXPECT(nr_free_pages() >= before + held);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, destroy_reports_leaks_and_keeps_cache)
{
	unsigned long start = settled_free();
	struct kmem_cache *c = kmem_cache_create("t-leak", 128, 0, 0, NULL);
	void *p[3];

	KT_ASSERT(c);
	for (int i = 0; i < 3; i++)
		KT_ASSERT((p[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	unsigned long leaked = kmem_cache_leaked_objects();
	kmem_cache_destroy(c); /* reports 3 and keeps the cache */
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), leaked + 3);
	__builtin_memset(p[1], 1, 128); /* the leaked objects stay valid */
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(kmem_cache_leaked_objects(), leaked + 3);
	KT_EXPECT_EQ(settled_free(), start);
}

/* A slow path holds this CPU's array while it may reclaim (its refill):
 * an allocation or free reached from inside it (a shrinker's) finds the
 * array empty and full, and the slow path finds it claimed: both use the
 * slabs and leave the array as it was. */
KTEST(slab, claimed_cpu_array_takes_locked_path)
{
	unsigned long start = settled_free();
	struct kmem_cache *c = kmem_cache_create("t-claimed", 32, 0, 0, NULL);
	void *held[8];
	uint32_t n;

	KT_ASSERT(c);
	for (int i = 0; i < 8; i++)
		KT_ASSERT((held[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	for (int i = 0; i < 8; i++)
		kmem_cache_free(c, held[i]);
	struct kmem_cpu_cache *cc = c->cpu[mm_port_cpu_id()];
	KT_ASSERT(cc);
	KT_ASSERT(slab_cpu_claim(cc, &n));
	KT_ASSERT(n >= 8);
	void *before[SLAB_CPU_LIMIT_MAX];
	__builtin_memcpy(before, cpu_objs(cc), n * sizeof(void *));
	KT_EXPECT(!slab_cpu_claim(cc, &n)); /* claimed once only */
	void *p = kmem_cache_alloc(c, GFP_ATOMIC);
	KT_EXPECT(p != NULL);
	for (uint32_t i = 0; i < n; i++)
		KT_EXPECT(p != before[i]);
	kmem_cache_free(c, p);
	KT_EXPECT_EQ(cc->avail, 0); /* still looks empty and full */
	KT_EXPECT_EQ(cc->limit, 0);
	KT_EXPECT(__builtin_memcmp(before, cpu_objs(cc), n * sizeof(void *)) == 0);
	slab_cpu_release(c, cc, n);
	KT_EXPECT_EQ(cc->avail, n);
	KT_EXPECT_EQ(cc->limit, cc->cap);
	KT_EXPECT(kmem_cache_alloc(c, GFP_KERNEL) == before[n - 1]);
	kmem_cache_free(c, before[n - 1]);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

/* ---- debug checks ---- */

static uint64_t *state_of(struct kmem_cache *c, void *obj)
{
	return (uint64_t *)((char *)obj + c->meta_offset);
}

KTEST(slab, debug_red_zone_overwrite)
{
	if (!MM_DEBUG)
		KT_SKIP("red zones need MM_DEBUG");
	unsigned long start = settled_free();
	struct kmem_cache *c = kmem_cache_create("t-redzone", 20, 0, 0, NULL);
	KT_ASSERT(c);
	uint8_t *p = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT(p);
	p[20] = 0; /* one byte past the object */
	KT_EXPECT_PANIC_MSG(kmem_cache_free(c, p), "red zone");
	KT_EXPECT(ktest_panic_contains("t-redzone"));
	p[20] = SLAB_RED_BYTE;
	kmem_cache_free(c, p);

	/* kmalloc: the red zone starts at the class size (ksize). */
	uint8_t *k = kmalloc(64, GFP_KERNEL);
	KT_ASSERT(k);
	k[64 + 3] = 7;
	KT_EXPECT_PANIC_MSG(kfree(k), "red zone");
	KT_EXPECT(ktest_panic_contains("kmalloc-64"));
	k[64 + 3] = SLAB_RED_BYTE;
	kfree(k);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, debug_write_after_free)
{
	if (!MM_DEBUG)
		KT_SKIP("poisoning needs MM_DEBUG");
	unsigned long start = settled_free();
	struct kmem_cache *c = kmem_cache_create("t-uaf", 96, 0, 0, NULL);
	KT_ASSERT(c);
	uint8_t *p = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT(p);
	kmem_cache_free(c, p);
	p[50] = 0x42; /* write after free */
	void *q = NULL;
	KT_EXPECT_PANIC_MSG(q = kmem_cache_alloc(c, GFP_KERNEL), "write after free");
	KT_EXPECT(ktest_panic_contains("t-uaf"));
	KT_EXPECT(q == NULL);
	/* The object left the free list when the check fired: repair, return. */
	p[50] = SLAB_POISON_FREE;
	*state_of(c, p) = SLAB_STATE_ALLOC;
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, debug_double_free)
{
	unsigned long start = settled_free();
	struct kmem_cache *c = kmem_cache_create("t-dfree", 64, 0, 0, NULL);
	KT_ASSERT(c);
	void *p = kmem_cache_alloc(c, GFP_KERNEL), *q = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT(p && q);
	kmem_cache_free(c, p);
	/* The last object freed: caught even without MM_DEBUG. */
	KT_EXPECT_PANIC_MSG(kmem_cache_free(c, p), "double free");
	KT_EXPECT(ktest_panic_contains("t-dfree"));
	kmem_cache_free(c, q);
	if (MM_DEBUG) { /* an older one: the state word */
		KT_EXPECT_PANIC_MSG(kmem_cache_free(c, p), "double free");
		void *k = kmalloc(100, GFP_KERNEL);
		kfree(k);
		KT_EXPECT_PANIC_MSG(kfree(k), "double free");
		KT_EXPECT(ktest_panic_contains("kmalloc-128"));
	}
	kmem_cache_destroy(c);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, invalid_free)
{
	unsigned long start = settled_free();
	struct kmem_cache *a = kmem_cache_create("t-inv-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("t-inv-b", 64, 0, 0, NULL);
	KT_ASSERT(a && b);
	char *p = kmem_cache_alloc(a, GFP_KERNEL);
	KT_ASSERT(p);
	/* Not at an object start. */
	KT_EXPECT_PANIC_MSG(kmem_cache_free(a, p + 8), "not an object start");
	KT_EXPECT(ktest_panic_contains("t-inv-a"));
	char *k = kmalloc(200, GFP_KERNEL);
	KT_ASSERT(k);
	KT_EXPECT_PANIC_MSG(kfree(k + 1), "not an object start");
	KT_EXPECT(ktest_panic_contains("kmalloc-256"));
	/* Into another cache. */
	KT_EXPECT_PANIC_MSG(kmem_cache_free(b, p), "belongs to cache t-inv-a, not t-inv-b");
	/* The bulk free checks every object, also after one of the same slab. */
	void *q = kmem_cache_alloc(a, GFP_KERNEL);
	KT_ASSERT(q);
	void *bad_start[2] = { q, p + 8 };
	KT_EXPECT_PANIC_MSG(kmem_cache_free_bulk(a, 2, bad_start), "not an object start");
	void *other[1] = { p };
	KT_EXPECT_PANIC_MSG(kmem_cache_free_bulk(b, 1, other), "belongs to cache t-inv-a");
	kmem_cache_free(a, q);
	/* Not a slab object at all: a frame from the page allocator. */
	struct page *pg = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT(pg);
	set_page_private(pg, 0);
	KT_EXPECT_PANIC_MSG(kfree(page_address(pg)), "not a slab object");
	__free_pages(pg, 0);
	/* Inside a large kmalloc block. */
	char *big = kmalloc(5 * MM_PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(big);
	KT_EXPECT_PANIC_MSG(kfree(big + MM_PAGE_SIZE), "inside a large kmalloc block");
	KT_EXPECT_PANIC_MSG(kfree(big + 8), "inside a large kmalloc block");
	kfree(big);
	kfree(k);
	kmem_cache_free(a, p);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	KT_EXPECT_EQ(settled_free(), start);
}

KTEST(slab, bad_create_arguments_panic)
{
	KT_EXPECT_PANIC_MSG(kmem_cache_create("t-bad", 0, 0, 0, NULL), "bad object size");
	KT_EXPECT_PANIC_MSG(kmem_cache_create("t-bad", 64, 48, 0, NULL), "not a power of two");
	KT_EXPECT_PANIC_MSG(kmem_cache_create("t-bad", 64, 0, 0x800, NULL), "unknown flags");
}

/* The bit tricks behind kfree's O(1) checks, each against plain arithmetic:
 * slab_divides (is off a multiple of the slot size) and slab_index_of (which
 * slot) for every slot size the allocator can choose, at offsets across a
 * 4 MiB slab and at random offsets below 2^32. */
KTEST(slab, divides_and_index_of_match_division)
{
	static const uint32_t sizes[] = { 8, 16, 24, 40, 56, 64, 72, 96, 104, 128,
					  192, 200, 256, 520, 832, 1024, 1032,
					  2048, 3000, 4096, 8192, 12288, 65536,
					  1u << 20 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t d = sizes[i];
		uint64_t r = slab_reciprocal(d);
		for (uint64_t off = 0; off < (4u << 20); off += 1 + (off % 7) * 13) {
			KT_ASSERT_EQ(slab_divides(off, r), off % d == 0);
			KT_ASSERT_EQ(slab_index_of(off, r), off / d);
		}
		for (int k = 0; k < 2000; k++) {
			uint64_t off = ktest_rand_below(1ull << 32);
			off -= off % d; /* a multiple, and its neighbours */
			KT_ASSERT(slab_divides(off, r));
			KT_ASSERT_EQ(slab_index_of(off, r), off / d);
			if (off + 1 < (1ull << 32))
				KT_ASSERT_EQ(slab_divides(off + 1, r), d == 1);
		}
	}
}

/* page_private packing: the cache pointer and the 19 spare bits round-trip,
 * and the tag stays SLAB_PRIV_CACHE whatever the spare bits are. */
KTEST(slab, page_private_packing_round_trips)
{
	const struct kmem_cache *s = &mm_slab_cache_cache;

	for (int k = 0; k < 5000; k++) {
		uint32_t spare = (uint32_t)ktest_rand_below(1u << 19);
		unsigned long w = slab_priv_make(s, spare);
		KT_ASSERT_EQ(w & 7, SLAB_PRIV_CACHE);
		KT_ASSERT_EQ(slab_priv_cache(w), s);
		KT_ASSERT_EQ(slab_priv_spare(w), spare);
	}
}
