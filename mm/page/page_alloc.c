/* SPDX-License-Identifier: MIT */
/*
 * The public frame allocator: alloc_pages() and friends with the GFP rules,
 * __free_pages() with its checks, and the address conversions.
 *
 * alloc_pages(gfp, order):
 *   1. check the mask (contradictions panic, naming the flags);
 *   2. fast path: walk the zonelist (classzone down to DMA); in each zone
 *      take from the per-CPU list (order 0) or the buddy lists if the zone
 *      stays above the request's mark (mm/zone.c);
 *   3. slow path, only with __GFP_DIRECT_RECLAIM and without
 *      __GFP_NORETRY: reclaim (mm/reclaim.c) and retry: one round, two with
 *      __GFP_REPEAT, as long as reclaim makes progress with __GFP_NOFAIL;
 *   4. failure: NULL and a report (order, flags, buddyinfo) unless
 *      __GFP_NOWARN; with __GFP_NOFAIL an out-of-memory panic instead.
 */
#include "build.h"

#include "core.h"
#include "page/buddy.h"
#include "page/gfp_check.h"
#include "page/node.h"
#include "page/pcp.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/report.h"
#include "page/state.h"
#include "page/zone.h"
#include "stats.h"

bool mm_poison_enabled = true;

#define NOFAIL_MAX_ROUNDS 1000 /* progress that never satisfies: panic */

/* ---- conversions ---- */

uint64_t page_to_pfn(const struct page *page)
{
	uint64_t idx = (uint64_t)(page - mm_pages);
	const struct mm_span *s;

	if (page < mm_pages || idx >= mm_nr_frames ||
	    !(s = index_to_span(idx)))
		mm_panic("page_to_pfn: %p is not a struct page", (const void *)page);
	return span_pfn(s, idx);
}

struct page *pfn_to_page(uint64_t pfn)
{
	const struct mm_span *s = pfn_to_span(pfn);

	return s ? &mm_pages[span_index(s, pfn)] : NULL;
}

uint64_t page_to_phys(const struct page *page)
{
	return page_to_pfn(page) << MM_PAGE_SHIFT;
}

struct page *phys_to_page(uint64_t pa)
{
	return pfn_to_page(pa >> MM_PAGE_SHIFT);
}

void *page_address(const struct page *page)
{
	return mm_port_phys_to_virt(page_to_phys(page));
}

uint64_t virt_to_phys(const void *va)
{
	return mm_port_virt_to_phys(va);
}

void *phys_to_virt(uint64_t pa)
{
	return mm_port_phys_to_virt(pa);
}

struct page *virt_to_page(const void *va)
{
	return phys_to_page(mm_port_virt_to_phys(va));
}

unsigned long nr_free_pages(void)
{
	unsigned long n = mm_pcp_count_all();

	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++)
		n += __atomic_load_n(&mm_zones[i].free, __ATOMIC_RELAXED);
	return n;
}

unsigned long nr_free_pages_node(int nid)
{
	unsigned int node = mm_request_node(nid, "nr_free_pages_node");
	unsigned long n = 0;

	for (int t = 0; t < MM_NR_ZONES; t++)
		n += zone_free_frames(&mm_zones[mm_zone_slot(node, (enum zone_type)t)]);
	return n;
}

int page_to_nid(const struct page *page)
{
	uint64_t idx = (uint64_t)(page - mm_pages);
	const struct mm_span *s;

	if (page < mm_pages || idx >= mm_nr_frames || !(s = index_to_span(idx)))
		mm_panic("page_to_nid: %p is not a struct page of managed memory",
			 (const void *)page);
	return mm_zones[s->zone].node;
}

unsigned long page_private(const struct page *page)
{
	return page_owner(page);
}

void set_page_private(struct page *page, unsigned long v)
{
	set_page_owner(page, v);
}

/* ---- allocation ---- */

/* The zonelist walk (page/node.h: mm_zonelist): the request's node's
 * zones, then the other nodes' nearest first. Order 0 goes through this
 * CPU's per-CPU list in the zones of the node the lists hold. */
static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
					   unsigned int node)
{
	enum zone_type classzone = gfp_classzone(gfp);
	uint16_t zl[MM_NR_ZONE_SLOTS];
	unsigned int nz = mm_zonelist(node, gfp, zl);
	unsigned int pcp_node = mm_pcp_node(mm_this_cpu_slow());

	for (unsigned int i = 0; i < nz; i++) {
		struct zone *z = &mm_zones[zl[i]];
		struct page *page = NULL;

		if (order == 0 && mm_pcp_enabled && z->node == pcp_node) {
			page = mm_pcp_alloc(z, gfp, classzone);
		} else {
			uint64_t mark = zone_alloc_mark(z, gfp, classzone);
			unsigned long irq = mm_port_lock_irqsave(&z->lock);
			if (zone_watermark_ok(z, mark, order))
				page = mm_buddy_alloc_locked(z, order);
			mm_port_unlock_irqrestore(&z->lock, irq);
		}
		if (page)
			return page;
	}
	return NULL;
}

static void report_failure(const char *fn, gfp_t gfp, unsigned int order)
{
	char buf[160];

	mm_stat_inc(MM_STAT_FAIL_REPORTS);
	mm_port_log("%s: page allocation failure: order:%u, mode:0x%x(%s)\n", fn,
		    order, gfp, mm_gfp_format(gfp, buf, sizeof(buf)));
	mm_zone_print_buddyinfo();
}

_Noreturn static void out_of_memory(gfp_t gfp, unsigned int order)
{
	char buf[160];

	mm_port_log("Out of memory: __GFP_NOFAIL allocation of order %u cannot "
		    "make progress\n", order);
	mm_zone_print_zones();
	mm_zone_print_buddyinfo();
	mm_panic("alloc_pages: out of memory: __GFP_NOFAIL allocation of order "
		 "%u cannot make progress (%s, %lu free frames)", order,
		 mm_gfp_format(gfp, buf, sizeof(buf)), nr_free_pages());
}

static struct page *alloc_retry_after_reclaim(gfp_t gfp, unsigned int order,
					      unsigned int node)
{
	unsigned int rounds = (gfp & __GFP_REPEAT) ? 2 : 1;
	uint16_t zl[MM_NR_ZONE_SLOTS];

	if (!(gfp & __GFP_DIRECT_RECLAIM) || (gfp & __GFP_NORETRY))
		return NULL;
	if (mm_zonelist(node, gfp, zl) == 0)
		return NULL; /* no RAM in its zonelist: nothing to reclaim for */
	for (unsigned int r = 0;; r++) {
		if (gfp & __GFP_NOFAIL) {
			if (r >= NOFAIL_MAX_ROUNDS)
				out_of_memory(gfp, order);
		} else if (r >= rounds) {
			return NULL;
		}
		mm_stat_inc(MM_STAT_RECLAIM_ROUNDS);
		/* Frames on per-CPU lists are free already: back on the buddy
		 * lists they may be enough (an order > 0 request needs them
		 * there), and then no shrinker is asked. They are not progress. */
		struct page *page;
		if (drain_all_pages() &&
		    (page = get_page_from_freelist(gfp, order, node)))
			return page;
		struct shrink_result done = mm_shrink_for_alloc(gfp, node, order);
		/* shrinkers free order-0 frames onto per-CPU lists, where an
		 * order > 0 request cannot use them */
		if (order > 0)
			drain_all_pages();
		page = get_page_from_freelist(gfp, order, node);
		if (page)
			return page;
		/* __GFP_NOFAIL goes on while shrinkers free anything: what they
		 * freed may have gone to an interrupt handler or a zone the
		 * request cannot use yet. NOFAIL_MAX_ROUNDS bounds a shrinker
		 * that only says it frees. */
		if (!done.usable && !done.reported && (gfp & __GFP_NOFAIL))
			out_of_memory(gfp, order);
	}
}

/* Debug: check the poison of every frame of a fresh block, outside locks. */
static void check_poison(struct page *page, unsigned int order)
{
	uint64_t idx = page_index(page);
	const struct mm_span *s = index_to_span(idx);

	for (uint64_t i = 0; i < (1ull << order); i++) {
		uint8_t st = ps_load(idx + i);
		uint64_t found;
		long off;

		if (!(st & PS_POISON))
			continue;
		ps_store(idx + i, st & (uint8_t)~PS_POISON);
		mm_stat_inc(MM_STAT_POISON_CHECKED);
		off = mm_poison_check_frame(span_pfn(s, idx + i), &found);
		if (off >= 0)
			mm_panic("alloc_pages: write after free in pfn 0x%llx "
				 "(offset 0x%lx: 0x%llx)",
				 (unsigned long long)span_pfn(s, idx + i),
				 (unsigned long)off, (unsigned long long)found);
	}
}

/* Our own result: always the cheap part (the block's first frame says
 * "allocated, this order"); in debug builds also its place. */
static void check_result(struct page *page, unsigned int order, gfp_t gfp)
{
	uint64_t idx = page_index(page);
	uint8_t st = ps_load(idx);

	if (ps_kind(st) != PS_ALLOC || ps_order(st) != order)
		mm_panic("alloc_pages: internal error: block at index %llu is "
			 "not allocated as order %u", (unsigned long long)idx, order);
	if (MM_DEBUG) {
		const struct mm_span *s = index_to_span(idx);
		uint64_t pfn = s ? span_pfn(s, idx) : 0;

		if (!s || !pfn_aligned(pfn, order) ||
		    mm_zones[s->zone].type > gfp_classzone(gfp) ||
		    idx + (1ull << order) > s->first_index + s->nr_frames)
			mm_panic("alloc_pages: internal error: bad block (pfn "
				 "0x%llx, order %u)", (unsigned long long)pfn, order);
	}
}

/* Frame i of the block at global index idx, inside the block: clears its
 * owner word if PS_PRIV_DIRTY says it may be set. */
static inline void clear_private_frame(struct page *page, uint64_t idx,
				       uint64_t i)
{
	uint8_t st = ps_load(idx + i);

	if (st & PS_PRIV_DIRTY) {
		page[i].private = 0;
		ps_store(idx + i, st & (uint8_t)~PS_PRIV_DIRTY);
	}
}

/*
 * Makes page_owner() 0 on every frame of a fresh block (page_alloc.h
 * promises it; slab and contig rely on it): the first frame always, the
 * others where PS_PRIV_DIRTY is set (mm/page/state.h). The state
 * bytes are read 16 at a time, so a clean order-9 block costs 64 loads and
 * no store.
 */
static void clear_private(struct page *page, unsigned int order)
{
	uint64_t idx = page_index(page), n = 1ull << order;
	const uint64_t dirty8 = 0x0101010101010101ull * PS_PRIV_DIRTY;
	const uint8_t *st = &mm_page_state[idx];

	page->private = 0;
	if (n < 16) {
		for (uint64_t i = 1; i < n; i++)
			clear_private_frame(page, idx, i);
		return;
	}
	for (uint64_t i = 0; i < n; i += 16) {
		uint64_t a, b;

		__builtin_memcpy(&a, st + i, sizeof(a));
		__builtin_memcpy(&b, st + i + 8, sizeof(b));
		if (i == 0)
			a &= ~0xffull; /* the first frame's byte holds its order */
		if ((a | b) & dirty8)
			for (uint64_t k = i ? i : 1; k < i + 16; k++)
				clear_private_frame(page, idx, k);
	}
}

/* Everything but the per-CPU fast path: the zonelist walk, reclaim, the
 * failure report, the checks and __GFP_ZERO. */
static __attribute__((noinline)) struct page *
alloc_pages_slow(gfp_t gfp, unsigned int order, unsigned int node)
{
	struct page *page = NULL;

	gfp_check("alloc_pages", gfp);
	unsigned int cpu = mm_this_cpu_slow(), pcp_node = mm_pcp_node(cpu);
	/* the per-CPU list first when it holds the zonelist's first zone:
	 * the request's node is this CPU's (or, for a CPU of a node without
	 * RAM, its lists' node is where the walk starts) */
	if (order == 0 && mm_pcp_enabled &&
	    (node == pcp_node ||
	     (!(gfp & __GFP_THISNODE) && node == (unsigned int)numa_node_id()))) {
		enum zone_type c = gfp_classzone(gfp);
		unsigned int z = mm_first_zone[pcp_node][c];

		if (z != MM_NO_ZONE)
			page = pcp_take(cpu, z, gfp, c);
	}
	if (!page && order <= MM_MAX_ORDER) {
		page = get_page_from_freelist(gfp, order, node);
		if (!page)
			page = alloc_retry_after_reclaim(gfp, order, node);
	}
	if (!page) {
		mm_stat_inc(MM_STAT_ALLOC_FAILURES);
		if (gfp & __GFP_NOFAIL)
			out_of_memory(gfp, order);
		if (!(gfp & __GFP_NOWARN))
			report_failure("alloc_pages", gfp, order);
		return NULL;
	}
	check_result(page, order, gfp);
	if (MM_DEBUG)
		check_poison(page, order);
	clear_private(page, order);
	if (gfp & __GFP_ZERO)
		__builtin_memset(page_address(page), 0, MM_PAGE_SIZE << order);
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	gfp_check_context("alloc_pages", gfp);
	/* Fast path: order 0 from this CPU's list of the first zone with RAM,
	 * for a plain mask (no zeroing, nothing gfp_check looks at). The frame
	 * was checked when it entered the list; pcp_take marks it allocated. */
	if (order == 0 && mm_pcp_enabled &&
	    !(gfp & (~___GFP_BITS_MASK | __GFP_DMA | __GFP_DMA32 |
		     __GFP_NOFAIL | __GFP_ZERO))) {
		unsigned int cpu = mm_this_cpu();
		const struct pcp_cpu *pc = &mm_pcp[cpu];
		unsigned int z = __atomic_load_n(&pc->first_zone[ZONE_NORMAL],
						 __ATOMIC_RELAXED);
		struct page *page;

		/* __GFP_THISNODE: the lists hold this CPU's node's frames,
		 * unless its node has no RAM (then the request must fail) */
		if ((gfp & __GFP_THISNODE) &&
		    !__atomic_load_n(&pc->own_node, __ATOMIC_RELAXED))
			z = MM_NO_ZONE;
		if (z != MM_NO_ZONE &&
		    (page = pcp_take(cpu, z, gfp, ZONE_NORMAL))) {
			if (MM_DEBUG)
				check_poison(page, 0);
			page->private = 0;
			return page;
		}
		/* order need not live across */
		return alloc_pages_slow(gfp, 0, (unsigned int)numa_node_id());
	}
	return alloc_pages_slow(gfp, order, (unsigned int)numa_node_id());
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	gfp_check_context("alloc_pages_node", gfp);
	unsigned int node = mm_request_node(nid, "alloc_pages_node");

	if (node == (unsigned int)numa_node_id())
		return alloc_pages(gfp, order);
	return alloc_pages_slow(gfp, order, node);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* ---- freeing ---- */

static const char *const kind_reason[] = {
	[PS_TAIL] = "free of a frame that is not allocated (never allocated, "
		    "or inside another block)",
	[PS_FREE] = "double free (the frame is free: freed twice, or never "
		    "allocated)",
	[PS_PCP] = "double free",
	[PS_RESERVED] = "free of a reserved frame",
	[PS_CONTIG] = "free of a frame claimed by contigmalloc",
};

/* All checks, debug poisoning, the buddy path; see __free_pages. */
static __attribute__((noinline)) void
free_pages_slow(struct page *page, unsigned int order)
{
	uint64_t idx = (uint64_t)(page - mm_pages);
	const struct mm_span *s;

	if (page < mm_pages || idx >= mm_nr_frames || !(s = index_to_span(idx)))
		mm_panic("__free_pages: %p is not a struct page of managed memory",
			 (void *)page);
	uint64_t pfn = span_pfn(s, idx);
	if (order > MM_MAX_ORDER)
		mm_panic("__free_pages: order %u out of range (pfn 0x%llx)", order,
			 (unsigned long long)pfn);
	uint8_t st = ps_load(idx);
	if (ps_kind(st) != PS_ALLOC)
		mm_panic("__free_pages: %s (pfn 0x%llx, order %u)",
			 kind_reason[ps_kind(st)], (unsigned long long)pfn, order);
	if (ps_order(st) != order)
		mm_panic("__free_pages: wrong order (pfn 0x%llx allocated as order "
			 "%u, freed as order %u)", (unsigned long long)pfn,
			 ps_order(st), order);
	MM_ASSERT(pfn_aligned(pfn, order), "__free_pages: misaligned block "
		  "(pfn 0x%llx, order %u)", (unsigned long long)pfn, order);

	if (MM_DEBUG && mm_poison_enabled) {
		for (uint64_t i = 0; i < (1ull << order); i++) {
			mm_poison_frame(pfn + i);
			ps_store(idx + i, ps_load(idx + i) | PS_POISON);
		}
	}
	if (order == 0 && mm_pcp_enabled) {
		pcp_free(s->zone, idx, ps_load(idx));
		return;
	}
	struct zone *z = &mm_zones[s->zone];
	unsigned long irq = mm_port_lock_irqsave(&z->lock);
	mm_buddy_free_block_locked(s, pfn, order);
	mm_port_unlock_irqrestore(&z->lock, irq);
}

void __free_pages(struct page *page, unsigned int order)
{
	/* Fast path: an order-0 frame whose state byte says exactly
	 * "allocated, order 0" (which also proves page is one of ours) goes
	 * onto this CPU's list. Anything else takes the checked path. */
	uint64_t idx = (uint64_t)(page - mm_pages);

	if (order == 0 && mm_pcp_enabled && idx < mm_nr_frames) {
		uint8_t st = ps_load(idx);

		if ((st & ~PS_POISON) == ps_make(0, PS_ALLOC, 0)) {
			if (MM_DEBUG && mm_poison_enabled) {
				mm_poison_frame(span_pfn(index_to_span(idx), idx));
				st |= PS_POISON;
			}
			pcp_free(index_zone(idx), idx, st);
			return;
		}
	}
	free_pages_slow(page, order);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr == 0)
		return;
	if (addr & (MM_PAGE_SIZE - 1))
		mm_panic("free_pages: misaligned address 0x%lx (order %u)", addr,
			 order);
	uint64_t pa = mm_port_virt_to_phys((const void *)addr);
	struct page *page = phys_to_page(pa);
	if (!page)
		mm_panic("free_pages: address 0x%lx outside managed memory "
			 "(pfn 0x%llx)", addr,
			 (unsigned long long)(pa >> MM_PAGE_SHIFT));
	if (!pfn_aligned(pa >> MM_PAGE_SHIFT, order) && order <= MM_MAX_ORDER)
		mm_panic("free_pages: misaligned address 0x%lx for order %u "
			 "(pfn 0x%llx)", addr, order,
			 (unsigned long long)(pa >> MM_PAGE_SHIFT));
	__free_pages(page, order);
}
