/* SPDX-License-Identifier: MIT */
/*
 * The shadow model of the mm_ops fuzz target: live entries, stamps, the
 * frame view, and the checks of each result against the documented rules
 * (README "The frame allocator", include/mm/gfp.h, mm/zone.c,
 * include/mm/contig.h). The state the rules talk about (free frames per
 * zone, free blocks) is read from the allocator right before and after each
 * call; the rules themselves are computed here, not by mm/.
 */
#include <stdio.h>
#include <string.h>

#include "mm_ops.h"
#include "page/pcp.h"
#include "stats.h"

/* ---- live entries ---- */

unsigned int live_new(void)
{
	for (unsigned int i = 0; i < FZ_MAX_LIVE; i++) {
		struct live *l = &fz.live[i];

		if (!l->used) {
			memset(l, 0, sizeof(*l));
			l->used = true;
			l->pos = fz.nlive;
			fz.dense[fz.nlive++] = (uint16_t)i;
			l->stamp = ++fz.next_stamp;
			return i;
		}
	}
	CHECK(!"live table full");
}

void live_drop(unsigned int slot)
{
	struct live *l = &fz.live[slot];
	unsigned int last = fz.dense[--fz.nlive];

	CHECK(l->used);
	fz.dense[l->pos] = (uint16_t)last;
	fz.live[last].pos = l->pos;
	if (!live_is_block(l)) {
		fz.nsmall--;
		small_release(slot);
	}
	l->used = false;
}

uint64_t frame_index(uint64_t pfn)
{
	struct page *p = pfn_to_page(pfn);

	CHECK(p != NULL);
	uint64_t idx = page_index(p);
	CHECK(idx < FZ_MAX_FRAMES);
	return idx;
}

void owner_claim(unsigned int slot)
{
	struct live *l = &fz.live[slot];
	uint64_t pfn = l->pa >> MM_PAGE_SHIFT, nr = l->bytes >> MM_PAGE_SHIFT;

	for (uint64_t i = 0; i < nr; i++) {
		uint64_t idx = frame_index(pfn + i);

		/* no overlap with any live block */
		CHECK(fz.frame_owner[idx] == 0);
		CHECK(fz.frame_objects[idx] == 0); /* nor a slab with live objects */
		fz.frame_owner[idx] = (uint16_t)(slot + 1);
		/* an allocated frame: not in the buddy lists nor a per-CPU list */
		unsigned int k = ps_kind(mm_page_state[idx]);
		CHECK(k == PS_ALLOC || k == PS_TAIL || k == PS_CONTIG);
	}
}

void owner_release(unsigned int slot)
{
	struct live *l = &fz.live[slot];
	uint64_t pfn = l->pa >> MM_PAGE_SHIFT, nr = l->bytes >> MM_PAGE_SHIFT;

	for (uint64_t i = 0; i < nr; i++) {
		uint64_t idx = frame_index(pfn + i);

		CHECK(fz.frame_owner[idx] == slot + 1);
		fz.frame_owner[idx] = 0;
	}
}

void small_release(unsigned int slot)
{
	const struct live *n = &fz.live[slot];

	for (uint64_t pa = n->pa & ~(uint64_t)(MM_PAGE_SIZE - 1); pa < n->pa + n->bytes;
	     pa += MM_PAGE_SIZE)
		fz.frame_objects[page_index(phys_to_page(pa))]--;
}

void small_check_overlap(unsigned int slot)
{
	const struct live *n = &fz.live[slot];

	/* the object's frames belong to no model block (they are a slab's) */
	for (uint64_t pa = n->pa & ~(uint64_t)(MM_PAGE_SIZE - 1); pa < n->pa + n->bytes;
	     pa += MM_PAGE_SIZE) {
		struct page *p = phys_to_page(pa);

		CHECK(p != NULL);
		CHECK(fz.frame_owner[page_index(p)] == 0);
		fz.frame_objects[page_index(p)]++;
	}
	for (unsigned int i = 0; i < fz.nlive; i++) {
		const struct live *o = &fz.live[fz.dense[i]];

		if (fz.dense[i] == slot)
			continue;
		if (live_is_block(o))
			continue;
		CHECK(n->pa + n->bytes <= o->pa || o->pa + o->bytes <= n->pa);
	}
}

/* ---- stamps: written into every live allocation, verified at its free ---- */

static inline uint64_t stamp_word(uint32_t stamp, uint64_t i)
{
	uint64_t x = ((uint64_t)stamp << 32) ^ (i * 0x9e3779b97f4a7c15ull);

	return x ^ (x >> 29);
}

/* Objects are stamped whole, blocks of frames at both ends of each frame. */
void stamp_write(struct live *l)
{
	uint8_t *p = l->va;

	if (!live_is_block(l)) { /* every byte, a word at a time */
		size_t i = 0;
		for (; i + 8 <= l->bytes; i += 8) {
			uint64_t w = stamp_word(l->stamp, i);
			memcpy(p + i, &w, 8);
		}
		uint64_t w = stamp_word(l->stamp, i);
		memcpy(p + i, &w, l->bytes - i);
		return;
	}
	for (size_t off = 0; off < l->bytes; off += MM_PAGE_SIZE) {
		uint64_t a = stamp_word(l->stamp, off), b = ~a;

		memcpy(p + off, &a, 8);
		memcpy(p + off + MM_PAGE_SIZE - 8, &b, 8);
	}
}

void stamp_verify(const struct live *l)
{
	const uint8_t *p = l->va;

	if (!live_is_block(l)) {
		size_t i = 0;
		for (; i + 8 <= l->bytes; i += 8) {
			uint64_t got;
			memcpy(&got, p + i, 8);
			CHECK(got == stamp_word(l->stamp, i));
		}
		uint64_t w = stamp_word(l->stamp, i);
		for (size_t k = 0; i + k < l->bytes; k++)
			CHECK(p[i + k] == (uint8_t)(w >> (8 * k)));
		return;
	}
	for (size_t off = 0; off < l->bytes; off += MM_PAGE_SIZE) {
		uint64_t a, b;

		memcpy(&a, p + off, 8);
		memcpy(&b, p + off + MM_PAGE_SIZE - 8, 8);
		CHECK(a == stamp_word(l->stamp, off));
		CHECK(b == ~stamp_word(l->stamp, off));
	}
}

bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* ---- the state the rules talk about ---- */

void zsnap_take(struct zsnap *s)
{
	for (int z = 0; z < MM_NR_ZONES; z++) {
		uint64_t pcp = 0;

		pcp = mm_pcp[0].list[z].count; /* one CPU: check_full sees the rest */
		s->buddy[z] = mm_zones[z].free;
		s->free[z] = s->buddy[z] + pcp;
	}
	s->nr_free = s->free[0] + s->free[1] + s->free[2];
}

static uint64_t excl_pfn, excl_nr;

void view_exclude(uint64_t pfn, uint64_t nr)
{
	excl_pfn = pfn;
	excl_nr = nr;
}

static bool view_valid; /* fz.view matches the allocator now */

void view_invalidate(void)
{
	view_valid = false;
}

/* Frames that are buddy-free or on a per-CPU list, by the state bytes. */
void view_build(void)
{
	view_valid = true;
	memset(fz.view, FV_USED, mm_nr_frames);
	for (size_t r = 0; r < mm_region_count(); r++) {
		const struct mm_region *reg = mm_region_get(r);

		for (uint64_t i = 0; i < reg->nr_frames;) {
			uint8_t st = reg->state[i];
			uint64_t idx = reg->first_index + i;

			if (ps_kind(st) == PS_FREE) {
				uint64_t n = 1ull << ps_order(st);

				CHECK(i + n <= reg->nr_frames);
				memset(&fz.view[idx], FV_FREE, n);
				i += n;
				continue;
			}
			if (ps_kind(st) == PS_PCP)
				fz.view[idx] = FV_PCP;
			i++;
		}
	}
	for (uint64_t i = 0; i < excl_nr; i++)
		fz.view[frame_index(excl_pfn + i)] = FV_USED;
}

enum zone_type zone_of_pfn(uint64_t pfn)
{
	uint64_t pa = pfn << MM_PAGE_SHIFT;

	return pa < (16ull << 20) ? ZONE_DMA : pa < (4ull << 30) ? ZONE_DMA32
								: ZONE_NORMAL;
}

/* include/mm/gfp.h: min; min - min/2 with __GFP_HIGH; min - min/4 more
 * with __GFP_ATOMIC; plus the reserve against the classzone. */
uint64_t fz_mark(int z, gfp_t gfp, int classzone)
{
	uint64_t min = mm_zones[z].wmark[WMARK_MIN], mark = min;

	if (gfp & __GFP_HIGH)
		mark -= min / 2;
	if (gfp & __GFP_ATOMIC)
		mark -= min / 4;
	return mark + mm_zones[z].lowmem_reserve[classzone];
}

bool fz_passes(int z, gfp_t gfp, int classzone, unsigned int order,
	       uint64_t free_at_attempt)
{
	uint64_t n = 1ull << order;

	return mm_zones[z].managed && free_at_attempt >= n &&
	       free_at_attempt - n >= fz_mark(z, gfp, classzone);
}

/* A naturally aligned 2^order run of buddy-free frames in zone z. */
bool fz_has_block(int z, unsigned int order)
{
	uint64_t n = 1ull << order;

	if (!view_valid)
		view_build();
	for (size_t r = 0; r < mm_region_count(); r++) {
		const struct mm_region *reg = mm_region_get(r);
		uint64_t end = reg->base_pfn + reg->nr_frames;

		for (uint64_t pfn = (reg->base_pfn + n - 1) & ~(n - 1); pfn + n <= end;
		     pfn += n) {
			if (zone_of_pfn(pfn) != (enum zone_type)z)
				continue;
			uint64_t idx = reg->first_index + (pfn - reg->base_pfn), i;

			for (i = 0; i < n && fz.view[idx + i] == FV_FREE; i++)
				;
			if (i == n)
				return true;
		}
	}
	return false;
}

int fz_classzone(gfp_t gfp)
{
	return (gfp & __GFP_DMA) ? ZONE_DMA : (gfp & __GFP_DMA32) ? ZONE_DMA32
								  : ZONE_NORMAL;
}

bool fz_reclaims(gfp_t gfp)
{
	return (gfp & __GFP_DIRECT_RECLAIM) && !(gfp & __GFP_NORETRY);
}

bool fz_would_succeed(gfp_t gfp, unsigned int order)
{
	struct zsnap s;
	int c = fz_classzone(gfp);

	if (order > MM_MAX_ORDER)
		return false;
	zsnap_take(&s);
	view_invalidate();
	for (int z = c; z >= 0; z--)
		if (fz_passes(z, gfp, c, order, s.free[z]) &&
		    (order == 0 || fz_has_block(z, order)))
			return true;
	return false;
}

/* ---- the rules of one alloc_pages call ---- */

void call_begin(struct call_ctx *c, gfp_t gfp)
{
	int cz = fz_classzone(gfp);

	zsnap_take(&c->before);
	for (int i = 0; i < FZ_SHRINKERS; i++) {
		struct fz_shrinker *s = &fz.shr[i];

		c->shr_calls[i] = s->calls;
		c->shr_freed[i] = s->freed;
		c->shr_freed_elig[i] = s->freed_elig;
		c->shr_had[i] = false;
		for (unsigned int k = 0; k < s->n; k++)
			if ((int)zone_of_pfn(fz.live[s->held[k]].pa >> MM_PAGE_SHIFT) <= cz)
				c->shr_had[i] = true;
	}
	c->mm_shrinker_calls = mm_stat_read(MM_STAT_SHRINKER_CALLS);
	c->freed_pfn = c->freed_nr = 0;
	c->mm_reclaim_rounds = mm_stat_read(MM_STAT_RECLAIM_ROUNDS);
}

/* GFP_ATOMIC, GFP_NOWAIT, __GFP_NORETRY: no shrinker is ever called. */
void check_no_reclaim(const struct call_ctx *c)
{
	for (int i = 0; i < FZ_SHRINKERS; i++)
		CHECK(fz.shr[i].calls == c->shr_calls[i]);
	CHECK(mm_stat_read(MM_STAT_SHRINKER_CALLS) == c->mm_shrinker_calls);
}

/* A NULL from a reclaiming request: every willing shrinker that held
 * memory the request could use was asked, and saw the caller's reclaim
 * bits. */
void check_reclaim_asked(const struct call_ctx *c, gfp_t gfp, unsigned long need)
{
	unsigned long elig = 0;
	bool all = true;

	for (int i = 0; i < FZ_SHRINKERS; i++) {
		const struct fz_shrinker *s = &fz.shr[i];

		elig += s->freed_elig - c->shr_freed_elig[i];
		if (c->shr_had[i] && !(s->needs & ~gfp) && s->calls == c->shr_calls[i])
			all = false;
	}
	/* a round stops asking once it has freed what the request needs */
	CHECK(all || elig >= need);
}

static unsigned long shrinker_freed_since(const struct call_ctx *c)
{
	unsigned long n = 0;

	for (int i = 0; i < FZ_SHRINKERS; i++)
		n += fz.shr[i].freed - c->shr_freed[i];
	return n;
}

void check_page_result(const struct call_ctx *c, gfp_t gfp, unsigned int order,
		       struct page *page, bool check_private)
{
	struct zsnap after;
	int cz = fz_classzone(gfp);
	uint64_t n = 1ull << order;

	zsnap_take(&after);
	if (c->freed_nr) {
		after.free[zone_of_pfn(c->freed_pfn)] -= c->freed_nr;
		after.nr_free -= c->freed_nr;
	}
	if (!fz_reclaims(gfp))
		check_no_reclaim(c);
	if (order > MM_MAX_ORDER) {
		CHECK(page == NULL);
		return;
	}
	view_exclude(c->freed_pfn, c->freed_nr);
	view_invalidate();
	if (!page) {
		CHECK(!(gfp & __GFP_NOFAIL));
		/* at the last attempt (= now) every zone of the zonelist
		 * failed the rule, or had no free block of the order */
		for (int z = cz; z >= 0; z--)
			CHECK(!fz_passes(z, gfp, cz, order, after.free[z]) ||
			      (order > 0 && !fz_has_block(z, order)));
		if (fz_reclaims(gfp))
			check_reclaim_asked(c, gfp, 1ul << order);
		else
			CHECK(after.nr_free == c->before.nr_free);
		view_exclude(0, 0);
		return;
	}
	uint64_t pfn = page_to_pfn(page);
	int z = zone_of_pfn(pfn);

	CHECK((pfn & (n - 1)) == 0);
	CHECK(z <= cz); /* GFP_DMA below 16 MiB, GFP_DMA32 below 4 GiB */
	CHECK(zone_of_pfn(pfn + n - 1) == (enum zone_type)z);
	/* the zone passed the rule when the block was taken ... */
	CHECK(fz_passes(z, gfp, cz, order, after.free[z] + n));
	/* ... and every zone before it in the zonelist did not */
	for (int y = cz; y > z; y--)
		CHECK(!fz_passes(y, gfp, cz, order, after.free[y]) ||
		      (order > 0 && !fz_has_block(y, order)));
	if (!fz_reclaims(gfp))
		CHECK(after.nr_free + n == c->before.nr_free);
	else
		CHECK(after.nr_free + n >= c->before.nr_free + shrinker_freed_since(c));
	for (uint64_t i = 0; check_private && i < n; i++)
		CHECK(page_private(&page[i]) == 0);
	if (gfp & __GFP_ZERO)
		CHECK(all_zero(page_address(page), n << MM_PAGE_SHIFT));
	view_exclude(0, 0);
}

/* ---- contigmalloc's oracle ---- */

uint64_t contig_oracle(uint64_t bytes, uint64_t low, uint64_t high,
		       uint64_t align, uint64_t boundary, bool with_pcp,
		       uint64_t except_pfn, uint64_t except_nr)
{
	uint64_t nr = bytes >> MM_PAGE_SHIFT;

	if (align < MM_PAGE_SIZE)
		align = MM_PAGE_SIZE;
	if (low >= high || (boundary && boundary < bytes))
		return UINT64_MAX;
	view_build();
	for (size_t r = 0; r < mm_region_count(); r++) {
		const struct mm_region *reg = mm_region_get(r);
		uint64_t rs = reg->base_pfn << MM_PAGE_SHIFT;
		uint64_t re = (reg->base_pfn + reg->nr_frames) << MM_PAGE_SHIFT;
		uint64_t s = low > rs ? low : rs, e = high < re ? high : re;

		if (s >= e || s > UINT64_MAX - align)
			continue;
		/* free run length from each frame to the region end */
		static uint32_t run[FZ_MAX_FRAMES];
		uint32_t len = 0;
		for (uint64_t i = reg->nr_frames; i-- > 0;) {
			uint64_t pfn = reg->base_pfn + i;
			uint8_t v = fz.view[reg->first_index + i];
			bool f = v == FV_FREE || (with_pcp && v == FV_PCP) ||
				 (pfn - except_pfn < except_nr);

			len = f ? len + 1 : 0;
			run[i] = len;
		}
		for (uint64_t p = (s + align - 1) & ~(align - 1); p < e && e - p >= bytes;
		     p += align) {
			if (boundary && ((p ^ (p + bytes - 1)) & ~(boundary - 1)))
				continue;
			if (run[(p - rs) >> MM_PAGE_SHIFT] >= nr)
				return p;
		}
	}
	return UINT64_MAX;
}

/* ---- once per input and at the end ---- */

/* mm/zone.c's formula: min_free = sqrt(16 * managed KiB) KiB split by
 * managed frames; lowmem_reserve = frames above / ratio. */
void check_watermarks_formula(void)
{
	uint64_t total = 0, min_kb = 0;
	static const uint64_t ratio[MM_NR_ZONES] = { 256, 256, 32 };

	for (int z = 0; z < MM_NR_ZONES; z++)
		total += mm_zones[z].managed;
	while ((min_kb + 1) * (min_kb + 1) <= total * 4 * 16)
		min_kb++;
	if (min_kb > 65536)
		min_kb = 65536;
	for (int z = 0; z < MM_NR_ZONES; z++) {
		const struct zone *zn = &mm_zones[z];
		uint64_t min = min_kb / 4 * zn->managed / total, above = 0;

		if (zn->managed && !min)
			min = 1;
		CHECK(zn->wmark[WMARK_MIN] == min);
		CHECK(zn->wmark[WMARK_LOW] == min + min / 4);
		CHECK(zn->wmark[WMARK_HIGH] == min + min / 2);
		for (int c = 0; c < MM_NR_ZONES; c++) {
			if (c > z)
				above += mm_zones[c].managed;
			CHECK(zn->lowmem_reserve[c] == (c > z ? above / ratio[z] : 0));
		}
	}
}

void check_full(void)
{
	struct zsnap s;
	uint64_t nfree[MM_NR_ZONES] = { 0 }, npcp[MM_NR_ZONES] = { 0 };

	zsnap_take(&s);
	CHECK(s.nr_free == nr_free_pages()); /* no other CPU holds frames */
	view_build();
	for (uint64_t idx = 0; idx < mm_nr_frames; idx++) {
		int z = index_zone(idx);

		nfree[z] += fz.view[idx] == FV_FREE;
		npcp[z] += fz.view[idx] == FV_PCP;
		/* a model block's frames, or a frame with live objects, are
		 * never free */
		CHECK((!fz.frame_owner[idx] && !fz.frame_objects[idx]) ||
		      fz.view[idx] == FV_USED);
	}
	for (int z = 0; z < MM_NR_ZONES; z++) {
		CHECK(nfree[z] == s.buddy[z]);
		CHECK(nfree[z] + npcp[z] == s.free[z]);
	}
	mm_check_invariants();
}
