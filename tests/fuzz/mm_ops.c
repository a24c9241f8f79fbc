/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is a sequence of operations on the whole of
 * mm64 (alloc_pages with every order and GFP mask, frees, the kmalloc
 * family, kmem_cache create/alloc/bulk/free/shrink/destroy with and without
 * constructors, contigmalloc with random windows, alignments and
 * boundaries, drain_all_pages, shrinkers that hold and give back memory,
 * exhaustion) on a small map of ~1500 frames in all three zones, with holes.
 * A shadow model (tests/fuzz/mm_ops_model.c) checks every result: zone and
 * window placement, alignment, boundary, zeroing, no overlap, a stamp in
 * every live allocation verified at its free, the watermark, zonelist and
 * reclaim rules, contigmalloc's lowest-fit and completeness, the documented
 * NULLs. Every input ends with all memory back (free blocks per zone and
 * order as after mm_init) and mm_check_invariants().
 *
 * Input: byte 0 configures (poisoning, what each shrinker needs), then
 * opcodes, each followed by its argument bytes (missing bytes read as 0).
 *
 *   make build/fuzz/mm_ops && build/fuzz/mm_ops tests/fuzz/mm_ops.corpus
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "contig/contig.h"
#include "host_port.h"
#include "mm_ops.h"
#include "page/pcp.h"
#include "stats.h"

struct fz_state fz;
MALLOC_DEFINE(M_FZ_A, "fuzz-a", "mm_ops fuzz target");
MALLOC_DEFINE(M_FZ_B, "fuzz-b", "mm_ops fuzz target");
static struct malloc_type *const fz_types[2] = { M_FZ_A, M_FZ_B };

/* The machine: DMA, a region across the 16 MiB edge, a small DMA32 island,
 * a region across the 4 GiB edge, NORMAL above a hole. ~1500 frames. */
#define MiB (1ull << 20)
#define GiB (1ull << 30)
static const struct mm_range fz_map[] = {
	{ 1 * MiB, MiB / 2, MM_RANGE_USABLE },              /* DMA 128 */
	{ 15 * MiB, 2 * MiB, MM_RANGE_USABLE },             /* DMA 256, DMA32 256 */
	{ 512 * MiB, MiB / 4, MM_RANGE_USABLE },            /* DMA32 64 */
	{ 4 * GiB - MiB / 2, MiB, MM_RANGE_USABLE },        /* DMA32 128, NORMAL 128 */
	{ 4 * GiB + 4 * MiB, 2 * MiB, MM_RANGE_USABLE },    /* NORMAL 512 */
};
static const struct mm_range fz_reserved[] = {
	{ 1 * MiB, 64 * 1024, MM_RANGE_RESERVED }, /* "kernel image" */
};
#define FZ_RAM_END (4 * GiB + 6 * MiB)

/* Points a contigmalloc window likes to start or end at. */
static const uint64_t fz_points[] = {
	0, 1 * MiB, 1 * MiB + MiB / 2, 15 * MiB, 16 * MiB, 17 * MiB, 512 * MiB,
	4 * GiB - MiB / 2, 4 * GiB, 4 * GiB + MiB / 2, 4 * GiB + 4 * MiB,
	4 * GiB + 5 * MiB, FZ_RAM_END, ~0ull,
};

/* ktest's output (tests/lib/ktest.c, which the host port's panic path
 * uses), to stderr: libFuzzer keeps stdout for itself. */
void ktest_env_vprintf(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
}

int ktest_env_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

_Noreturn void fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "mm_ops: op %lu (%s): check failed at %s:%d: %s\n", fz.op,
		fz.op_name ? fz.op_name : "?", file, line, what);
	fflush(NULL);
	abort();
}

/* ---- input ---- */

/* A mask from two bytes: a base type, a zone modifier, modifiers. */
gfp_t get_gfp(struct reader *r)
{
	static const gfp_t base[8] = {
		GFP_KERNEL, GFP_NOWAIT, GFP_ATOMIC, GFP_NOIO,
		GFP_NOFS, GFP_USER, GFP_HIGHUSER, __GFP_HIGH,
	};
	uint8_t a = get8(r), b = get8(r);
	gfp_t gfp = base[a & 7];

	if (!(gfp & __GFP_HIGHMEM))
		gfp |= ((a >> 3) & 3) == 1 ? __GFP_DMA : ((a >> 3) & 3) == 2 ? __GFP_DMA32 : 0;
	if (b & 0x01)
		gfp |= __GFP_NORETRY;
	if (b & 0x02)
		gfp |= __GFP_REPEAT;
	if ((b & 0x04) && !(gfp & __GFP_NORETRY))
		gfp |= __GFP_NOFAIL;
	if (b & 0x08)
		gfp |= __GFP_ZERO;
	if (b & 0x10)
		gfp |= __GFP_COLD;
	if (b & 0x20)
		gfp |= __GFP_ATOMIC;
	if (b & 0x40)
		gfp |= __GFP_HIGH;
	if (!(b & 0x80))
		gfp |= __GFP_NOWARN;
	return gfp;
}

/* ---- what a shrinker sees ---- */

bool fz_may_reclaim; /* the running call may run a shrinker */
static gfp_t fz_expect_gfp, fz_expect_mask;

static unsigned long fz_scan(struct shrinker *sh, gfp_t gfp, unsigned long nr)
{
	struct fz_shrinker *s = (struct fz_shrinker *)sh;
	unsigned long freed = 0;

	s->calls++;
	s->last_gfp = gfp;
	/* only reclaiming requests reclaim, with the caller's mask */
	CHECK(fz_may_reclaim);
	CHECK(fz_reclaims(gfp));
	if ((gfp & fz_expect_mask) != (fz_expect_gfp & fz_expect_mask))
		fprintf(stderr, "mm_ops: shrinker saw gfp 0x%x, the caller passed 0x%x\n",
			gfp, fz_expect_gfp);
	CHECK((gfp & fz_expect_mask) == (fz_expect_gfp & fz_expect_mask));
	CHECK(nr > 0);
	for (int z = 0; z < MM_NR_ZONES; z++) /* called with no mm lock held */
		CHECK(mm_zones[z].lock.locked == 0);
	if (s->needs & ~gfp)
		return 0;
	while (freed < nr && s->n) {
		unsigned int slot = s->held[--s->n];
		struct live *l = &fz.live[slot];

		stamp_verify(l);
		owner_release(slot);
		__free_pages(virt_to_page(l->va), l->order);
		freed += 1ul << l->order;
		if ((int)zone_of_pfn(l->pa >> MM_PAGE_SHIFT) <= fz_classzone(gfp))
			s->freed_elig += 1ul << l->order;
		live_drop(slot);
	}
	s->freed += freed;
	return freed;
}

/* Sets what the next call may do to the shrinkers. */
void expect_reclaim(gfp_t gfp, gfp_t mask)
{
	fz_may_reclaim = fz_reclaims(gfp);
	fz_expect_gfp = gfp;
	fz_expect_mask = mask;
}

/* ---- constructors: fill the object with a pattern (size from the cache) ---- */

/* Byte i of a constructed object is 0xc5 ^ (i * 13): kept ready for the
 * largest object, so filling and checking are one memcpy/memcmp. */
#define CTOR_PATTERN_BYTES 65536
static uint8_t ctor_pattern[CTOR_PATTERN_BYTES];

static const uint8_t *ctor_bytes(size_t size)
{
	CHECK(size <= CTOR_PATTERN_BYTES);
	if (ctor_pattern[0] == 0)
		for (size_t i = 0; i < CTOR_PATTERN_BYTES; i++)
			ctor_pattern[i] = (uint8_t)(0xc5 ^ (i * 13));
	return ctor_pattern;
}

void ctor_restore(void *obj, size_t size)
{
	memcpy(obj, ctor_bytes(size), size);
}

static void ctor_fill(int c, void *obj)
{
	struct fz_cache *fc = &fz.cache[c];

	CHECK(((uintptr_t)obj & (fc->align - 1)) == 0);
	ctor_restore(obj, fc->size);
	fc->ctor_calls++;
}

static void ctor0(void *o) { ctor_fill(0, o); }
static void ctor1(void *o) { ctor_fill(1, o); }
static void ctor2(void *o) { ctor_fill(2, o); }
static void ctor3(void *o) { ctor_fill(3, o); }
void (*const fz_ctors[FZ_CACHES])(void *) = { ctor0, ctor1, ctor2, ctor3 };

bool ctor_intact(const struct fz_cache *fc, const uint8_t *obj)
{
	return memcmp(obj, ctor_bytes(fc->size), fc->size) == 0;
}

/* ---- freeing one live entry, whatever it is ---- */

static void shrinker_unhold(unsigned int slot)
{
	struct fz_shrinker *s = &fz.shr[fz.live[slot].owner];

	for (unsigned int i = 0; i < s->n; i++)
		if (s->held[i] == slot) {
			s->held[i] = s->held[--s->n];
			return;
		}
	CHECK(!"held block not on its shrinker");
}

void free_slot(unsigned int slot, bool alt)
{
	struct live *l = &fz.live[slot];
	unsigned long before = nr_free_pages();
	uint64_t frames = l->bytes >> MM_PAGE_SHIFT;

	stamp_verify(l);
	switch (l->kind) {
	case LK_SHRINK:
		shrinker_unhold(slot);
		/* fall through */
	case LK_PAGES:
		owner_release(slot);
		if (alt)
			free_pages((unsigned long)l->va, l->order);
		else
			__free_pages(virt_to_page(l->va), l->order);
		CHECK(nr_free_pages() == before + frames);
		break;
	case LK_CONTIG:
		owner_release(slot);
		contigfree(l->va, l->size, fz_types[l->cache]);
		CHECK(nr_free_pages() == before + frames);
		break;
	case LK_KMALLOC:
		CHECK(ksize(l->va) == l->bytes);
		if (l->bytes > KMALLOC_MAX_CACHE_SIZE) {
			owner_release(slot);
			kfree(l->va);
			CHECK(nr_free_pages() == before + frames);
		} else {
			kfree(l->va);
		}
		break;
	case LK_OBJ: {
		struct fz_cache *fc = &fz.cache[l->cache];

		if (fc->ctor) /* freed in constructed state (Bonwick) */
			ctor_restore(l->va, fc->size);
		kmem_cache_free(fc->s, l->va);
		fc->live--;
		break;
	}
	}
	live_drop(slot);
}

/* ---- alloc_pages ---- */

/* One alloc_pages call with every check; the slot of the new block, or -1. */
static int do_alloc_pages(gfp_t gfp, unsigned int order)
{
	struct call_ctx c;

	if ((gfp & __GFP_NOFAIL) && !fz_would_succeed(gfp, order))
		gfp &= ~__GFP_NOFAIL; /* it would panic: only when it can succeed */
	call_begin(&c, gfp);
	expect_reclaim(gfp, ~0u);
	struct page *page = alloc_pages(gfp, order);
	fz_may_reclaim = false;
	check_page_result(&c, gfp, order, page, true);
	if (!page)
		return -1;
	unsigned int slot = live_new();
	struct live *l = &fz.live[slot];

	l->kind = LK_PAGES;
	l->order = (uint8_t)order;
	l->va = page_address(page);
	l->pa = page_to_phys(page);
	l->bytes = MM_PAGE_SIZE << order;
	owner_claim(slot);
	stamp_write(l);
	return (int)slot;
}

static unsigned int get_order(struct reader *r)
{
	uint8_t b = get8(r);

	return (b & 0x80) ? b % (MM_MAX_ORDER + 2) : b & 3; /* MAX + 1: NULL */
}

static void op_alloc_pages(struct reader *r)
{
	unsigned int order = get_order(r);

	do_alloc_pages(get_gfp(r), order);
}

static void op_free(struct reader *r)
{
	uint16_t pick = get16(r);

	if (fz.nlive)
		free_slot(fz.dense[pick % fz.nlive], pick & 0x8000);
}

/* Frees about one in k of the live entries. */
static void op_free_many(struct reader *r)
{
	unsigned int k = 1 + get8(r) % 4;

	for (unsigned int i = fz.nlive; i-- > 0;)
		if (i % k == 0 && i < fz.nlive)
			free_slot(fz.dense[i], false);
}

/* Allocates until NULL (at most a few hundred blocks). */
static void op_exhaust(struct reader *r)
{
	unsigned int order = get8(r) % 4;
	gfp_t gfp = get_gfp(r) & ~__GFP_NOFAIL;

	for (int i = 0; i < 256 && fz.nlive < FZ_MAX_LIVE - 16; i++)
		if (do_alloc_pages(gfp, order) < 0)
			break;
}

static void op_drain(struct reader *r)
{
	unsigned long before = nr_free_pages(), pcp = mm_pcp_count_all();

	CHECK(drain_all_pages() == pcp);
	CHECK(mm_pcp_count_all() == 0);
	CHECK(nr_free_pages() == before);
}

/* ---- shrinkers ---- */

static void op_shrinker_fill(struct reader *r)
{
	struct fz_shrinker *s = &fz.shr[get8(r) % FZ_SHRINKERS];
	unsigned int order = get8(r) % 4;
	int slot = do_alloc_pages(get_gfp(r), order);

	if (slot < 0)
		return;
	fz.live[slot].kind = LK_SHRINK;
	fz.live[slot].owner = (uint8_t)(s - fz.shr);
	s->held[s->n++] = (uint16_t)slot;
}

static void op_shrinker_take(struct reader *r)
{
	struct fz_shrinker *s = &fz.shr[get8(r) % FZ_SHRINKERS];

	if (s->n)
		free_slot(s->held[s->n - 1], false);
}

/* ---- contigmalloc ---- */

static uint64_t get_addr(struct reader *r)
{
	uint8_t a = get8(r), b = get8(r);
	uint64_t p = fz_points[a % (sizeof(fz_points) / sizeof(fz_points[0]))];
	int64_t off = (int64_t)(int8_t)b * (int64_t)((a & 0x80) ? 4096 : 4099);

	return (a & 0x40) ? p : p + (uint64_t)off;
}

/* The documented NULLs: boundary below the size, an empty window, no
 * region with room for the run inside the window. */
static bool contig_never_fits(uint64_t bytes, uint64_t low, uint64_t high,
			      uint64_t boundary)
{
	if ((boundary && boundary < bytes) || low >= high)
		return true;
	for (size_t i = 0; i < sizeof(fz_map) / sizeof(fz_map[0]); i++) {
		uint64_t s = fz_map[i].start, e = s + fz_map[i].length;

		s = s > low ? s : (low + MM_PAGE_SIZE - 1) & ~(uint64_t)(MM_PAGE_SIZE - 1);
		e = e < high ? e : high & ~(uint64_t)(MM_PAGE_SIZE - 1);
		if (s < e && e - s >= bytes)
			return false;
	}
	return true;
}

static void op_contig(struct reader *r)
{
	uint16_t sz = get16(r);
	uint64_t size = (sz & 0x8000) ? (uint64_t)(sz & 0x1ff) * MM_PAGE_SIZE + (sz >> 9 & 0xf)
				      : (uint64_t)(sz & 0x7fff) + 1;
	uint64_t low = get_addr(r), high = get_addr(r);
	uint8_t a = get8(r), b = get8(r), f = get8(r);
	uint64_t align = 1ull << (a % 24);
	uint64_t boundary = (b & 0x80) ? 0 : 1ull << (b % 26);
	int flags = ((f & 1) ? M_NOWAIT : M_WAITOK) | ((f & 2) ? M_ZERO : 0);
	unsigned int type = (f >> 2) & 1;
	struct call_ctx c;

	if (size == 0)
		size = 1;
	uint64_t bytes = (size + MM_PAGE_SIZE - 1) & ~(uint64_t)(MM_PAGE_SIZE - 1);
	call_begin(&c, GFP_KERNEL);
	unsigned long rounds = mm_stat_read(MM_STAT_CONTIG_RECLAIMS);
	expect_reclaim((flags & M_NOWAIT) ? GFP_NOWAIT : GFP_KERNEL,
		       __GFP_DIRECT_RECLAIM | __GFP_IO | __GFP_FS | __GFP_NORETRY);
	void *va = contigmalloc(size, fz_types[type], flags, low, high, align, boundary);
	fz_may_reclaim = false;
	if (flags & M_NOWAIT)
		check_no_reclaim(&c);
	if (!va) {
		/* complete: no fitting run of free frames, even with the per-CPU
		 * lists drained (the documented NULLs included) */
		CHECK(contig_oracle(bytes, low, high, align, boundary, true, 0, 0) ==
		      UINT64_MAX);
		rounds = mm_stat_read(MM_STAT_CONTIG_RECLAIMS) - rounds;
		if (contig_never_fits(bytes, low, high, boundary))
			CHECK(rounds == 0); /* the documented NULLs: at once */
		else if (!(flags & M_NOWAIT))
			for (int i = 0; rounds < CONTIG_RECLAIM_ROUNDS && i < FZ_SHRINKERS; i++)
				CHECK(fz.shr[i].n == 0); /* reclaim ran dry */
		return;
	}
	uint64_t pa = vtophys(va);

	if (getenv("MM_OPS_TRACE"))
		fprintf(stderr, "contigmalloc(%#llx, low %#llx, high %#llx, align %#llx, "
			"boundary %#llx, flags %#x) = %#llx\n", (unsigned long long)size,
			(unsigned long long)low, (unsigned long long)high,
			(unsigned long long)align, (unsigned long long)boundary, flags,
			(unsigned long long)pa);

	CHECK(pa >= low && pa + bytes <= high && pa + bytes > pa);
	CHECK(pa % (align < MM_PAGE_SIZE ? MM_PAGE_SIZE : align) == 0);
	CHECK(!boundary || !((pa ^ (pa + bytes - 1)) & ~(boundary - 1)));
	/* the lowest fitting run: none lower was free at the claim */
	CHECK(contig_oracle(bytes, low, high, align, boundary, false,
			    pa >> MM_PAGE_SHIFT, bytes >> MM_PAGE_SHIFT) == pa);
	if (flags & M_ZERO)
		CHECK(all_zero(va, bytes));
	CHECK(nr_free_pages() + (bytes >> MM_PAGE_SHIFT) >=
	      c.before.nr_free);
	unsigned int slot = live_new();
	struct live *l = &fz.live[slot];

	l->kind = LK_CONTIG;
	l->va = va;
	l->pa = pa;
	l->bytes = bytes;
	l->size = size;
	l->cache = (uint8_t)type;
	owner_claim(slot);
	for (uint64_t i = 0; i < bytes >> MM_PAGE_SHIFT; i++)
		CHECK(ps_kind(mm_page_state[frame_index((pa >> MM_PAGE_SHIFT) + i)]) ==
		      PS_CONTIG);
	stamp_write(l);
}

/* ---- one input ---- */

static void *arena;
static struct buddyinfo fz_start_bi;
static unsigned long fz_start_free;

static void fz_begin(uint8_t config)
{
	if (!arena) {
		arena = mmap(NULL, FZ_RAM_END, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		CHECK(arena != MAP_FAILED);
		host_set_log_quiet(true);
		host_set_cpu_count(1);
		host_set_cpu(0);
	}
	for (unsigned int i = 0; i < FZ_MAX_LIVE; i++)
		fz.live[i].used = false;
	memset(fz.frame_owner, 0, sizeof(fz.frame_owner));
	memset(fz.cache, 0, sizeof(fz.cache));
	memset(fz.shr, 0, sizeof(fz.shr));
	fz.nlive = fz.nsmall = 0;
	fz.op = 0;
	fz.op_name = "init";
	mm_port_direct_map_offset = (uintptr_t)arena;
	mm_init(fz_map, sizeof(fz_map) / sizeof(fz_map[0]), fz_reserved,
		sizeof(fz_reserved) / sizeof(fz_reserved[0]));
	CHECK(mm_nr_frames <= FZ_MAX_FRAMES);
	mm_poison_enabled = !(config & 1);
	check_watermarks_formula();
	mm_buddyinfo_snapshot(&fz_start_bi);
	fz_start_free = nr_free_pages();
	static const char *const names[FZ_SHRINKERS] = { "fz-any", "fz-io", "fz-fs" };
	static const gfp_t needs[4] = { 0, __GFP_IO, __GFP_FS, __GFP_IO | __GFP_FS };
	for (int i = 0; i < FZ_SHRINKERS; i++) {
		fz.shr[i].s.scan = fz_scan;
		fz.shr[i].s.name = names[i];
		fz.shr[i].needs = needs[(config >> (1 + 2 * i)) & 3];
		register_shrinker(&fz.shr[i].s);
	}
}

static void fz_end(void)
{
	fz.op_name = "end";
	while (fz.nlive)
		free_slot(fz.dense[fz.nlive - 1], false);
	for (int i = 0; i < FZ_CACHES; i++)
		if (fz.cache[i].s)
			cache_destroy(i);
	for (int i = 0; i < FZ_SHRINKERS; i++)
		unregister_shrinker(&fz.shr[i].s);
	kmem_cache_shrink_all();
	drain_all_pages();
	struct buddyinfo now;
	mm_buddyinfo_snapshot(&now);
	CHECK(mm_buddyinfo_equal(&fz_start_bi, &now));
	CHECK(nr_free_pages() == fz_start_free);
	CHECK(kmem_cache_leaked_objects() == 0);
	check_full();
}

typedef void (*op_fn)(struct reader *r);
static const struct {
	op_fn fn;
	const char *name;
} fz_ops[] = {
	{ op_alloc_pages, "alloc_pages" },     { op_alloc_pages, "alloc_pages" },
	{ op_free, "free" },                   { op_free, "free" },
	{ op_kmalloc, "kmalloc" },             { op_kmalloc, "kmalloc" },
	{ op_krealloc, "krealloc" },           { op_cache_create, "kmem_cache_create" },
	{ op_cache_alloc, "kmem_cache_alloc" }, { op_cache_alloc, "kmem_cache_alloc" },
	{ op_cache_bulk, "kmem_cache_alloc_bulk" }, { op_cache_free_bulk, "kmem_cache_free_bulk" },
	{ op_cache_shrink, "kmem_cache_shrink" }, { op_cache_destroy_op, "kmem_cache_destroy" },
	{ op_contig, "contigmalloc" },         { op_contig, "contigmalloc" },
	{ op_drain, "drain_all_pages" },       { op_shrinker_fill, "shrinker_fill" },
	{ op_shrinker_take, "shrinker_take" }, { op_exhaust, "exhaust" },
	{ op_free_many, "free_many" },         { op_kmem_cache_shrink_all, "kmem_cache_shrink_all" },
};
#define FZ_NR_OPS (sizeof(fz_ops) / sizeof(fz_ops[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };

	if (size < 1 || size > 4096)
		return 0;
	fz_begin(get8(&r));
	while (r.n && fz.op < 1000) {
		uint8_t opc = get8(&r);

		fz.op++;
		fz.op_name = fz_ops[opc % FZ_NR_OPS].name;
		fz_ops[opc % FZ_NR_OPS].fn(&r);
		if ((fz.op & 15) == 0)
			check_full();
	}
	fz_end();
	return 0;
}
