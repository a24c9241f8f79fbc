/* SPDX-License-Identifier: MIT */
/*
 * The shadow model of the mm_ops fuzz target (tests/fuzz/mm_ops.c): what the
 * model holds, and the checks that compare each result with the documented
 * rules (tests/fuzz/mm_ops_model.c).
 *
 * Every allocation the fuzzer makes is a "live" entry: its kind, address,
 * extent and the stamp written into it. Blocks of whole frames also own
 * their frames in frame_owner[] (by global frame index), so two live blocks
 * can never share a frame; small objects (slab, kmalloc up to 8 KiB) are
 * checked against each other by address range.
 */
#ifndef MM_OPS_H
#define MM_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* A broken rule: prints what and where (and the op), then aborts, which
 * libFuzzer reports as a crash with the input that caused it. */
_Noreturn void fz_fail(const char *file, int line, const char *what);
#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			fz_fail(__FILE__, __LINE__, #cond);                     \
	} while (0)

enum live_kind {
	LK_PAGES,   /* alloc_pages block */
	LK_KMALLOC, /* kmalloc family (small or large) */
	LK_OBJ,     /* kmem_cache object */
	LK_CONTIG,  /* contigmalloc run */
	LK_SHRINK,  /* alloc_pages block handed to a shrinker */
};

struct live {
	uint8_t kind, order, cache, owner; /* owner: shrinker (LK_SHRINK) */
	bool used;
	void *va;
	uint64_t pa;
	size_t bytes;  /* extent: ksize, object size, 2^order frames, run */
	size_t size;   /* contig: the size asked (contigfree needs it) */
	uint32_t stamp;
	uint32_t pos;  /* index in fz.dense */
};

#define FZ_MAX_LIVE 4096
#define FZ_MAX_SMALL 512
#define FZ_CACHES 4
#define FZ_SHRINKERS 3
#define FZ_MAX_FRAMES 8192

struct fz_cache {
	struct kmem_cache *s;     /* NULL: slot free */
	size_t size, align;
	unsigned int flags;
	bool ctor;
	unsigned long ctor_calls;
	unsigned long live;
};

struct fz_shrinker {
	struct shrinker s;
	gfp_t needs;              /* __GFP_IO / __GFP_FS it requires */
	uint16_t held[FZ_MAX_LIVE];
	unsigned int n;
	unsigned long calls, freed;
	unsigned long freed_elig; /* in zones the caller's mask may use */
	gfp_t last_gfp;
};

/* The frame view: what the state bytes say each frame is. */
enum { FV_USED, FV_FREE, FV_PCP };

struct zsnap {
	uint64_t free[MM_NR_ZONES];  /* buddy + per-CPU: nr_free_pages' terms */
	uint64_t buddy[MM_NR_ZONES];
	unsigned long nr_free;
};

struct fz_state {
	struct live live[FZ_MAX_LIVE];
	uint16_t dense[FZ_MAX_LIVE];
	unsigned int nlive, nsmall;
	uint16_t frame_owner[FZ_MAX_FRAMES]; /* slot + 1, 0: not a model block */
	uint16_t frame_objects[FZ_MAX_FRAMES]; /* live objects in the frame */
	uint8_t view[FZ_MAX_FRAMES];
	struct fz_cache cache[FZ_CACHES];
	struct fz_shrinker shr[FZ_SHRINKERS];
	uint32_t next_stamp;
	unsigned long op;          /* ops run in this input, for messages */
	const char *op_name;
	int in_scan;               /* a shrinker is running */
};
extern struct fz_state fz;

/* ---- input: opcodes and their argument bytes (missing bytes read 0) ---- */
struct reader {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t get8(struct reader *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static inline uint16_t get16(struct reader *r)
{
	uint16_t lo = get8(r);

	return (uint16_t)(lo | get8(r) << 8);
}

/* ---- mm_ops.c ---- */
gfp_t get_gfp(struct reader *r);      /* any mask that does not panic */
extern bool fz_may_reclaim;           /* the running call may reclaim */
/* The next call may run shrinkers iff gfp reclaims; they must see gfp's
 * bits in mask. */
void expect_reclaim(gfp_t gfp, gfp_t mask);
void free_slot(unsigned int slot, bool alt); /* checks, frees, forgets */
/* What the constructors write, back into a constructed object (its cache's size). */
void ctor_restore(void *obj, size_t size);
extern void (*const fz_ctors[FZ_CACHES])(void *);
struct fz_cache;
bool ctor_intact(const struct fz_cache *fc, const uint8_t *obj);

/* ---- mm_ops_slab.c: the slab and kmalloc operations ---- */
void op_kmalloc(struct reader *r);
void op_krealloc(struct reader *r);
void op_cache_create(struct reader *r);
void op_cache_alloc(struct reader *r);
void op_cache_bulk(struct reader *r);
void op_cache_free_bulk(struct reader *r);
void op_cache_shrink(struct reader *r);
void op_cache_destroy_op(struct reader *r);
void op_kmem_cache_shrink_all(struct reader *r);
void cache_destroy(int c); /* frees its live objects first */

/* ---- mm_ops_model.c ---- */
unsigned int live_new(void);                 /* a free slot, marked used */
void live_drop(unsigned int slot);           /* forget slot */
uint64_t frame_index(uint64_t pfn);          /* global index; pfn managed */
void owner_claim(unsigned int slot);         /* a block's frames: ours now */
void owner_release(unsigned int slot);
/* An object: checked against the other objects and the blocks, counted in
 * the frames it touches (small_release uncounts). */
void small_check_overlap(unsigned int slot);
void small_release(unsigned int slot);

/* Whole frames (alloc_pages, contigmalloc, large kmalloc) or an object. */
static inline bool live_is_block(const struct live *l)
{
	return l->kind == LK_PAGES || l->kind == LK_SHRINK || l->kind == LK_CONTIG ||
	       (l->kind == LK_KMALLOC && l->bytes > KMALLOC_MAX_CACHE_SIZE);
}

void stamp_write(struct live *l);
void stamp_verify(const struct live *l);
bool all_zero(const void *p, size_t n);

void zsnap_take(struct zsnap *s);
void view_build(void);                       /* fz.view from state bytes */
void view_invalidate(void);                  /* fz_has_block rebuilds it */
/* view_build() counts [pfn, pfn + nr) as used (0 frames: none). */
void view_exclude(uint64_t pfn, uint64_t nr);
enum zone_type zone_of_pfn(uint64_t pfn);    /* from the documented bounds */
uint64_t fz_mark(int z, gfp_t gfp, int classzone);
bool fz_passes(int z, gfp_t gfp, int classzone, unsigned int order,
	       uint64_t free_at_attempt);
bool fz_has_block(int z, unsigned int order); /* needs view_build() */
int fz_classzone(gfp_t gfp);
bool fz_reclaims(gfp_t gfp);
/* Would alloc_pages(gfp, order) succeed at once now (so __GFP_NOFAIL is
 * safe)? */
bool fz_would_succeed(gfp_t gfp, unsigned int order);
/* The result of alloc_pages(gfp, order) (also a large kmalloc) against
 * the watermark, zonelist and reclaim rules. */
struct call_ctx {
	struct zsnap before;
	unsigned long shr_calls[FZ_SHRINKERS], shr_freed[FZ_SHRINKERS];
	unsigned long shr_freed_elig[FZ_SHRINKERS];
	bool shr_had[FZ_SHRINKERS]; /* held frames the request could use */
	unsigned long mm_shrinker_calls, mm_reclaim_rounds;
	/* frames the caller freed after the allocation (krealloc's old
	 * block): taken back out of the state the rules are checked on */
	uint64_t freed_pfn, freed_nr;
	/* the caller then freed a slab object (krealloc), which may free a
	 * slab: the free counts after the call are an upper bound */
};
void call_begin(struct call_ctx *c, gfp_t gfp);
void check_no_reclaim(const struct call_ctx *c);
/* need: the frames the request's round stops at (2^order; 1 for slabs) */
void check_reclaim_asked(const struct call_ctx *c, gfp_t gfp, unsigned long need);
/* check_private: page_private() must be 0 on every frame (false when the
 * caller, kmalloc, has already written it). */
void check_page_result(const struct call_ctx *c, gfp_t gfp, unsigned int order,
		       struct page *page, bool check_private);
/* contigmalloc: the lowest fitting run of free frames now (pcp counted
 * free when with_pcp), treating [except, except + nr) as free too. */
uint64_t contig_oracle(uint64_t bytes, uint64_t low, uint64_t high,
		       uint64_t align, uint64_t boundary, bool with_pcp,
		       uint64_t except_pfn, uint64_t except_nr);
void check_watermarks_formula(void);
void check_full(void); /* accounting, view vs zones, invariants */

#endif
