/* SPDX-License-Identifier: MIT */
/*
 * The mm_ops fuzz target's slab and kmalloc operations (tests/fuzz/mm_ops.c
 * runs them): kmalloc/kzalloc/kcalloc/kmalloc_array/krealloc/kfree, and
 * kmem_cache create/alloc/zalloc/bulk/free/shrink/destroy, each result
 * checked against include/mm/slab.h and README "The slab allocator and
 * kmalloc": size class (ksize), alignment, zone, zeroing, constructed
 * state, no overlap, stamps, krealloc's keep-or-move rules, and the reclaim
 * rules when a new slab cannot be had.
 */
#include <stdio.h>
#include <string.h>

#include "mm_ops.h"

#define KMALLOC_CLASSES 13
static const size_t kmalloc_sizes[KMALLOC_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* ksize() the documentation promises for a request of size bytes. */
static size_t expect_ksize(size_t size)
{
	if (size > KMALLOC_MAX_CACHE_SIZE) {
		size_t frames = (size + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE, f = 1;

		while (f < frames)
			f <<= 1;
		return f * MM_PAGE_SIZE;
	}
	for (int i = 0;; i++)
		if (kmalloc_sizes[i] >= size)
			return kmalloc_sizes[i];
}

/* README: power-of-two classes up to a page are naturally aligned, 96 and
 * 192 are 32- and 64-byte aligned, 8 KiB and larger page aligned. */
static size_t expect_kalign(size_t ks)
{
	size_t a = ks & -ks;

	return a > MM_PAGE_SIZE ? MM_PAGE_SIZE : a < KMALLOC_MIN_ALIGN ? KMALLOC_MIN_ALIGN : a;
}

static unsigned int order_of_bytes(size_t bytes)
{
	unsigned int o = 0;

	while ((MM_PAGE_SIZE << o) < bytes)
		o++;
	return o;
}

static size_t get_ksize_arg(struct reader *r)
{
	static const size_t special[] = {
		0, 1, 7, 8, 9, 95, 96, 97, 191, 192, 4095, 4096, 4097, 8191,
		8192, 8193, 16384, 16385, 65536, (4u << 20) + 1, /* too large */
	};
	uint16_t v = get16(r);

	switch (v >> 14) {
	case 0:
		return v & 0xff;
	case 1:
		return v & 0x1fff;
	case 2:
		return 8192 + (size_t)(v & 0x3fff) * 8; /* large: up to order 5 */
	default:
		return special[v % (sizeof(special) / sizeof(special[0]))];
	}
}

/* The mask for a kmalloc of size bytes: __GFP_DMA32 only above the slab
 * sizes (it panics below, documented); never __GFP_NOFAIL (we cannot
 * predict a new slab). */
static gfp_t kmalloc_gfp(struct reader *r, size_t size)
{
	gfp_t gfp = get_gfp(r) & ~__GFP_NOFAIL;

	if (size <= KMALLOC_MAX_CACHE_SIZE)
		gfp &= ~__GFP_DMA32;
	return gfp;
}

#define SLAB_MASK (__GFP_DIRECT_RECLAIM | __GFP_IO | __GFP_FS)

/* Checks a small or large kmalloc result and records it; p non-NULL. */
static void record_kmalloc(void *p, size_t size, gfp_t gfp)
{
	size_t ks = expect_ksize(size);
	unsigned int slot = live_new();
	struct live *l = &fz.live[slot];

	CHECK(ksize(p) == ks);
	CHECK(((uintptr_t)p & (expect_kalign(ks) - 1)) == 0);
	l->kind = LK_KMALLOC;
	l->va = p;
	l->pa = virt_to_phys(p);
	l->bytes = ks;
	if (gfp & __GFP_DMA)
		CHECK(l->pa + ks <= (16ull << 20));
	if (gfp & __GFP_DMA32)
		CHECK(l->pa + ks <= (4ull << 30));
	if (gfp & __GFP_ZERO)
		CHECK(all_zero(p, ks));
	if (ks > KMALLOC_MAX_CACHE_SIZE) {
		owner_claim(slot);
	} else {
		fz.nsmall++;
		small_check_overlap(slot);
	}
	stamp_write(l);
}

/* One kmalloc-family call of bytes (or the NULL/ZERO_SIZE_PTR rules). */
static void *checked_kmalloc(size_t size, gfp_t gfp, int variant, size_t n)
{
	struct call_ctx c;
	bool large = size > KMALLOC_MAX_CACHE_SIZE;
	void *p;

	call_begin(&c, gfp);
	expect_reclaim(variant == 1 || variant == 2 ? gfp | __GFP_ZERO : gfp,
		       large ? ~0u : SLAB_MASK);
	switch (variant) {
	case 0:
		p = kmalloc(size, gfp);
		break;
	case 1:
		p = kzalloc(size, gfp);
		gfp |= __GFP_ZERO;
		break;
	case 2:
		p = kcalloc(n, size / n, gfp);
		gfp |= __GFP_ZERO;
		break;
	default:
		p = kmalloc_array(n, size / n, gfp);
		break;
	}
	fz_may_reclaim = false;
	if (size == 0) {
		CHECK(p == ZERO_SIZE_PTR);
		return NULL;
	}
	if (large && size <= (MM_PAGE_SIZE << MM_MAX_ORDER))
		check_page_result(&c, gfp, order_of_bytes(size),
				  p ? virt_to_page(p) : NULL, false);
	else if (large)
		CHECK(p == NULL); /* larger than the largest block */
	else if (!fz_reclaims(gfp))
		check_no_reclaim(&c);
	else if (!p)
		check_reclaim_asked(&c, gfp, 1);
	if (p)
		record_kmalloc(p, size, gfp);
	return p;
}

void op_kmalloc(struct reader *r)
{
	size_t size = get_ksize_arg(r);
	uint8_t v = get8(r);
	int variant = v & 3;
	size_t n = 1 + (v >> 2) % 8;

	if (size < n)
		n = 1;
	size -= size % n; /* kcalloc(n, size / n) asks exactly size */
	gfp_t gfp = kmalloc_gfp(r, size);

	if ((v & 0xe0) == 0xe0 && variant >= 2) {
		/* n * size overflows: NULL, nothing allocated, no reclaim */
		struct call_ctx c;

		call_begin(&c, gfp);
		expect_reclaim(GFP_NOWAIT, 0);
		void *p = variant == 2 ? kcalloc(SIZE_MAX / 2, 3, gfp)
				       : kmalloc_array(3, SIZE_MAX / 2, gfp);
		CHECK(p == NULL);
		check_no_reclaim(&c);
		CHECK(nr_free_pages() == c.before.nr_free);
		return;
	}
	checked_kmalloc(size, gfp, variant, n);
}

static int pick_kmalloc(uint16_t pick)
{
	for (unsigned int i = 0; i < fz.nlive; i++) {
		unsigned int slot = fz.dense[(pick + i) % fz.nlive];

		if (fz.live[slot].kind == LK_KMALLOC)
			return (int)slot;
	}
	return -1;
}

/* krealloc: the same pointer when ksize(p) >= new size (contents kept);
 * else a new block with the old contents, the old one freed, or NULL with
 * the old one intact; NULL p is kmalloc; new size 0 frees. */
void op_krealloc(struct reader *r)
{
	uint16_t pick = get16(r);
	size_t size = get_ksize_arg(r);
	gfp_t gfp = kmalloc_gfp(r, size);
	int slot = (pick & 0x8000) ? -1 : pick_kmalloc(pick);

	if (slot < 0) {
		struct call_ctx c;

		call_begin(&c, gfp);
		expect_reclaim(gfp, size > KMALLOC_MAX_CACHE_SIZE ? ~0u : SLAB_MASK);
		void *p = krealloc(NULL, size, gfp);
		fz_may_reclaim = false;
		if (size == 0) {
			CHECK(p == ZERO_SIZE_PTR);
			return;
		}
		if (size > KMALLOC_MAX_CACHE_SIZE && size <= (MM_PAGE_SIZE << MM_MAX_ORDER))
			check_page_result(&c, gfp, order_of_bytes(size),
					  p ? virt_to_page(p) : NULL, false);
		else if (!fz_reclaims(gfp))
			check_no_reclaim(&c);
		if (p)
			record_kmalloc(p, size, gfp);
		return;
	}
	struct live *l = &fz.live[slot];
	struct live old = *l;
	void *p = l->va;

	CHECK(ksize(p) == l->bytes);
	if (size == 0) {
		stamp_verify(l);
		if (l->bytes > KMALLOC_MAX_CACHE_SIZE)
			owner_release((unsigned int)slot);
		CHECK(krealloc(p, 0, gfp) == ZERO_SIZE_PTR);
		live_drop((unsigned int)slot);
		return;
	}
	if (old.bytes >= size) { /* never fails, never moves */
		expect_reclaim(GFP_NOWAIT, 0);
		CHECK(krealloc(p, size, gfp) == p);
		stamp_verify(l);
		return;
	}
	struct call_ctx c;
	call_begin(&c, gfp);
	expect_reclaim(gfp, size > KMALLOC_MAX_CACHE_SIZE ? ~0u : SLAB_MASK);
	void *q = krealloc(p, size, gfp);
	fz_may_reclaim = false;
	if (q && old.bytes > KMALLOC_MAX_CACHE_SIZE) { /* the old block went back */
		c.freed_pfn = old.pa >> MM_PAGE_SHIFT;
		c.freed_nr = old.bytes >> MM_PAGE_SHIFT;
	}
	/* the new block's head holds the old contents, not zeroes */
	if (size > KMALLOC_MAX_CACHE_SIZE && size <= (MM_PAGE_SIZE << MM_MAX_ORDER))
		check_page_result(&c, gfp & ~__GFP_ZERO, order_of_bytes(size),
				  q ? virt_to_page(q) : NULL, false);
	else if (!fz_reclaims(gfp))
		check_no_reclaim(&c);
	if (!q) {
		stamp_verify(l); /* the old block is intact */
		return;
	}
	CHECK(q != p);
	struct live moved = old;
	moved.va = q;
	stamp_verify(&moved); /* the old contents came along */
	if (old.bytes > KMALLOC_MAX_CACHE_SIZE)
		owner_release((unsigned int)slot);
	live_drop((unsigned int)slot);
	record_kmalloc(q, size, gfp & ~__GFP_ZERO);
}

/* ---- kmem_cache ---- */

static size_t get_obj_size(struct reader *r)
{
	uint16_t v = get16(r);

	switch (v >> 14) {
	case 0:
		return 1 + (v & 0x7f);
	case 1:
		return 1 + (v & 0x3ff);
	case 2:
		return 1 + (v & 0x1fff);
	default:
		return 1 + (size_t)(v & 0x3fff) * 4;
	}
}

void op_cache_create(struct reader *r)
{
	int c = get8(r) % FZ_CACHES;
	size_t size = get_obj_size(r);
	uint8_t a = get8(r), f = get8(r);
	size_t align = (a & 0x80) ? 0 : (size_t)1 << (a % 13);
	unsigned int flags = ((f & 1) ? SLAB_HWCACHE_ALIGN : 0) | ((f & 2) ? SLAB_CACHE_DMA : 0);
	bool ctor = f & 4;
	struct fz_cache *fc = &fz.cache[c];
	static const char *const names[FZ_CACHES] = { "fz-0", "fz-1", "fz-2", "fz-3" };

	if (fc->s)
		return;
	size_t want = align ? align : 8;
	if (want < 8)
		want = 8;
	if ((flags & SLAB_HWCACHE_ALIGN) && want < SLAB_CACHE_LINE)
		want = SLAB_CACHE_LINE;
	fc->size = size;
	fc->align = want;
	fc->flags = flags;
	fc->ctor = ctor;
	expect_reclaim(GFP_KERNEL, SLAB_MASK);
	fc->s = kmem_cache_create(names[c], size, align, flags, ctor ? fz_ctors[c] : NULL);
	fz_may_reclaim = false;
	if (!fc->s)
		return;
	struct kmem_cache_info in;
	kmem_cache_get_info(fc->s, &in);
	CHECK(in.object_size == size);
	CHECK(in.align == want);
	CHECK(in.slot_size >= size && in.slot_size % want == 0);
	CHECK(in.active_objs == 0);
}

static gfp_t cache_gfp(struct reader *r, const struct fz_cache *fc)
{
	gfp_t gfp = get_gfp(r) & ~(__GFP_NOFAIL | GFP_ZONEMASK);

	(void)fc;
	return gfp;
}

/* Checks and records a new object of cache c. */
static void record_obj(int c, void *obj, gfp_t gfp)
{
	struct fz_cache *fc = &fz.cache[c];
	unsigned int slot = live_new();
	struct live *l = &fz.live[slot];

	CHECK(((uintptr_t)obj & (fc->align - 1)) == 0);
	l->kind = LK_OBJ;
	l->cache = (uint8_t)c;
	l->va = obj;
	l->pa = virt_to_phys(obj);
	l->bytes = fc->size;
	if (fc->flags & SLAB_CACHE_DMA)
		CHECK(l->pa + fc->size <= (16ull << 20));
	if (gfp & __GFP_ZERO)
		CHECK(all_zero(obj, fc->size));
	else if (fc->ctor) /* handed out in constructed state */
		CHECK(ctor_intact(fc, obj));
	fz.nsmall++;
	fc->live++;
	small_check_overlap(slot);
	stamp_write(l);
}

static gfp_t cache_call_gfp(const struct fz_cache *fc, gfp_t gfp)
{
	return (fc->flags & SLAB_CACHE_DMA) ? gfp | __GFP_DMA : gfp;
}

void op_cache_alloc(struct reader *r)
{
	int c = get8(r) % FZ_CACHES;
	struct fz_cache *fc = &fz.cache[c];
	uint8_t v = get8(r);
	gfp_t gfp = cache_gfp(r, fc);
	struct call_ctx cx;

	if (!fc->s || fz.nsmall >= FZ_MAX_SMALL)
		return;
	call_begin(&cx, cache_call_gfp(fc, gfp));
	expect_reclaim(gfp, SLAB_MASK);
	void *obj = (v & 1) ? kmem_cache_zalloc(fc->s, gfp) : kmem_cache_alloc(fc->s, gfp);
	fz_may_reclaim = false;
	if (v & 1)
		gfp |= __GFP_ZERO;
	if (!fz_reclaims(gfp))
		check_no_reclaim(&cx);
	if (!obj) {
		if (fz_reclaims(gfp))
			check_reclaim_asked(&cx, cache_call_gfp(fc, gfp), 1);
		return;
	}
	record_obj(c, obj, gfp);
}

void op_cache_bulk(struct reader *r)
{
	int c = get8(r) % FZ_CACHES;
	struct fz_cache *fc = &fz.cache[c];
	size_t n = 1 + get8(r) % 16;
	gfp_t gfp = cache_gfp(r, fc);
	void *p[16];
	struct call_ctx cx;

	if (!fc->s || fz.nsmall + n > FZ_MAX_SMALL)
		return;
	call_begin(&cx, cache_call_gfp(fc, gfp));
	expect_reclaim(gfp, SLAB_MASK);
	size_t got = kmem_cache_alloc_bulk(fc->s, gfp, n, p);
	fz_may_reclaim = false;
	if (!fz_reclaims(gfp))
		check_no_reclaim(&cx);
	CHECK(got == n || got == 0);
	if (!got) {
		if (fz_reclaims(gfp))
			check_reclaim_asked(&cx, cache_call_gfp(fc, gfp), 1);
		return;
	}
	for (size_t i = 0; i < n; i++)
		record_obj(c, p[i], gfp);
}

void op_cache_free_bulk(struct reader *r)
{
	int c = get8(r) % FZ_CACHES;
	struct fz_cache *fc = &fz.cache[c];
	size_t want = 1 + get8(r) % 16, n = 0;
	void *p[16];

	if (!fc->s)
		return;
	for (unsigned int i = fz.nlive; i-- > 0 && n < want;) {
		unsigned int slot = fz.dense[i];
		struct live *l = &fz.live[slot];

		if (l->kind != LK_OBJ || l->cache != c)
			continue;
		stamp_verify(l);
		if (fc->ctor)
			ctor_restore(l->va, fc->size);
		p[n++] = l->va;
		fc->live--;
		live_drop(slot);
	}
	kmem_cache_free_bulk(fc->s, n, p);
}

/* They return the frames they freed, exactly: a free never takes a frame
 * (no per-CPU array is made on the free path unless one exists already). */
void op_cache_shrink(struct reader *r)
{
	int c = get8(r) % FZ_CACHES;
	unsigned long before = nr_free_pages();

	if (!fz.cache[c].s)
		return;
	expect_reclaim(GFP_NOWAIT, 0);
	unsigned long n = kmem_cache_shrink(fz.cache[c].s);
	CHECK(nr_free_pages() == before + n);
}

void op_kmem_cache_shrink_all(struct reader *r)
{
	unsigned long before = nr_free_pages();

	expect_reclaim(GFP_NOWAIT, 0);
	unsigned long n = kmem_cache_shrink_all();
	CHECK(nr_free_pages() == before + n);
}

void cache_destroy(int c)
{
	struct fz_cache *fc = &fz.cache[c];
	unsigned long leaked = kmem_cache_leaked_objects();

	for (unsigned int i = fz.nlive; i-- > 0;) {
		unsigned int slot = fz.dense[i];

		if (fz.live[slot].kind == LK_OBJ && fz.live[slot].cache == c)
			free_slot(slot, false);
	}
	CHECK(fc->live == 0);
	kmem_cache_destroy(fc->s);
	CHECK(kmem_cache_leaked_objects() == leaked);
	fc->s = NULL;
}

void op_cache_destroy_op(struct reader *r)
{
	int c = get8(r) % FZ_CACHES;

	if (fz.cache[c].s)
		cache_destroy(c);
}
