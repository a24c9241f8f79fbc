/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc(9) / contigfree(9): physically contiguous runs of frames.
 *
 * Search. Every region (a maximal run of usable RAM, so it spans zone
 * edges) keeps a freemap of the frames on the buddy free lists
 * (mm/contig/freemap.c). With every zone lock held, contigmalloc asks the
 * freemap of each region overlapping [low, high), lowest first, for the lowest run
 * that fits the window, the alignment and the boundary, and takes exactly
 * those frames out of the buddy lists with mm_buddy_claim_range_locked() (which
 * splits the blocks at the edges). Because the freemap sees free frames, not
 * blocks, a run may span free blocks of any orders and zone edges; because
 * it answers exactly, the search is complete: if a fitting run of free
 * frames exists, it is found. Cost: O(log N) per candidate run, see
 * mm/contig/freemap_search.c; the regions are a short list.
 *
 * When nothing fits. Frames on per-CPU lists count as used in the freemap,
 * so the first retry drains them (cheap, no shrinker; under M_NOWAIT only
 * this CPU's, since it may not wait for the others). Without M_NOWAIT, mm_direct_reclaim(GFP_KERNEL) then runs the
 * shrinkers, the per-CPU lists are drained again (shrinkers free order-0
 * pages there) and the search retried, while that makes progress, at most
 * CONTIG_RECLAIM_ROUNDS times.
 *
 * Record of live allocations, O(1) and kept in the frames themselves: every
 * claimed frame is PS_CONTIG in the buddy's state byte, and its owner word
 * (page_private) holds a tag (layout: mm/contig_internal.h):
 *   first frame:  CONTIG_TAG_HEAD | malloc type index | number of frames
 *   other frames: CONTIG_TAG_TAIL | offset from the first frame
 * with low bits that no other owner's check takes for a pointer (kfree and
 * ksize of contigmalloc memory panic "not a slab object").
 * contigfree checks the state and the tag of the first frame under the zone
 * locks, clears every tag (so a second free finds none) and returns the run
 * with mm_buddy_release_range().
 *
 * Debug builds (MM_DEBUG): the claim clears the frames' poison bits without
 * checking them, so contig_claim checks the poison of every poisoned frame
 * of the run first (read-only, under the locks) and contigmalloc panics
 * after the unlock, naming the frame, as alloc_pages does on a write after
 * free. The run is handed out (tagged) when it fires.
 */
#include "build.h"

#include <mm/contig.h>
#include <mm/page_alloc.h>

#include "contig/contig.h"
#include "contig/malloc_type.h"
#include "core.h"
#include "page/buddy.h"
#include "page/memmap.h"
#include "page/region.h"
#include "page/pcp.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/state.h"
#include "page/zone.h"
#include "stats.h"

_Static_assert(sizeof(unsigned long) == 8, "tags need a 64-bit owner word");
_Static_assert(sizeof(vm_paddr_t) == 8, "vm_paddr_t is 64-bit");
_Static_assert(MALLOC_TYPE_MAX <= CONTIG_TYPE_MASK,
	       "a malloc type index fits the head tag");
_Static_assert(FREEMAP_NONE > CONTIG_VALUE_MASK,
	       "FREEMAP_NONE is never a run length");


/* ---- the search ---- */

/* A write after free found in a run about to be claimed (debug builds). */
struct contig_poison {
	uint64_t pfn;  /* FREEMAP_NONE: none found */
	long offset;
	uint64_t found;
};

/* Debug: checks the poison of every poisoned frame of [pfn, pfn + nr)
 * before the claim clears the poison bits (the claim does not check them).
 * Read-only; records the first corruption for a panic after the unlock.
 * Caller holds all zone locks. */
static void contig_check_poison_locked(const struct mm_region *r, uint64_t pfn,
				       uint64_t nr, struct contig_poison *bad)
{
	for (int z = 0; z < MM_NR_ZONE_SLOTS; z++)
		MM_ASSERT_LOCKED(&mm_zones[z].lock, "contig_check_poison_locked");
	for (uint64_t p = pfn; MM_DEBUG && p < pfn + nr; p++) {
		if (!(ps_load_at(r->state, p - r->base_pfn) & PS_POISON))
			continue;
		long off = mm_poison_check_frame(p, &bad->found);

		if (off >= 0) {
			bad->pfn = p;
			bad->offset = off;
			return;
		}
	}
}

/* Claims the lowest fitting run; returns its first pfn or FREEMAP_NONE.
 * Takes and drops every zone lock. */
static uint64_t contig_claim(uint64_t lo, uint64_t hi, uint64_t nr,
			     uint64_t align, uint64_t boundary,
			     struct contig_poison *bad)
{
	unsigned long irq = mm_lock_all_zones();
	uint64_t found = FREEMAP_NONE;
	bool claimed = false;

	for (size_t i = 0; i < mm_region_count(); i++) {
		struct mm_region *r = mm_region_get(i);

		if (r->base_pfn >= hi)
			break;
		if (r->base_pfn + r->nr_frames <= lo)
			continue;
		found = mm_freemap_find(&r->freemap, lo, hi, nr, align, boundary);
		if (found != FREEMAP_NONE) {
			contig_check_poison_locked(r, found, nr, bad);
			claimed = mm_buddy_claim_range_locked(found, nr);
			break;
		}
	}
	mm_unlock_all_zones(irq);
	if (found != FREEMAP_NONE && !claimed)
		mm_panic("contigmalloc: freemap and buddy lists disagree (pfn "
			 "0x%llx, nr %llu)",
			 (unsigned long long)found, (unsigned long long)nr);
	return found;
}

/* Whether some region could ever hold nr frames inside [lo, hi). */
static bool contig_window_has_ram(uint64_t lo, uint64_t hi, uint64_t nr)
{
	for (size_t i = 0; i < mm_region_count(); i++) {
		const struct mm_region *r = mm_region_get(i);
		uint64_t s = r->base_pfn > lo ? r->base_pfn : lo;
		uint64_t e = r->base_pfn + r->nr_frames < hi
				     ? r->base_pfn + r->nr_frames : hi;

		if (s < e && e - s >= nr)
			return true;
	}
	return false;
}

/* Writes the tags of a run just claimed (all of it inside one region). */
static void contig_tag(uint64_t pfn, uint64_t nr, unsigned int type_index)
{
	struct mm_region *r = mm_pfn_to_region(pfn);
	struct page *pages = &r->pages[pfn - r->base_pfn]; /* one region */

	set_page_owner(&pages[0], contig_make_tag(CONTIG_TAG_HEAD,
						    type_index, nr));
	for (uint64_t i = 1; i < nr; i++)
		set_page_owner(&pages[i],
				 contig_make_tag(CONTIG_TAG_TAIL, 0, i));
}

static void contig_check_result(uint64_t pa, uint64_t bytes, vm_paddr_t low,
				vm_paddr_t high, uint64_t alignment,
				uint64_t boundary)
{
	if (pa < low || pa + bytes > high || pa + bytes < pa ||
	    pa % alignment != 0 || mm_crosses_boundary(pa, bytes, boundary))
		mm_panic("contigmalloc: result breaks its constraints (pa "
			 "0x%llx, size 0x%llx, low 0x%llx, high 0x%llx, "
			 "alignment 0x%llx, boundary 0x%llx)",
			 (unsigned long long)pa, (unsigned long long)bytes,
			 (unsigned long long)low, (unsigned long long)high,
			 (unsigned long long)alignment,
			 (unsigned long long)boundary);
}

void *contigmalloc(unsigned long size, struct malloc_type *type, int flags,
		   vm_paddr_t low, vm_paddr_t high, unsigned long alignment,
		   unsigned long boundary)
{
	if (size == 0)
		mm_panic("contigmalloc: size is zero (size 0)");
	if (!mm_is_pow2(alignment))
		mm_panic("contigmalloc: alignment is not a power of two "
			 "(alignment 0x%lx)", alignment);
	if (boundary && !mm_is_pow2(boundary))
		mm_panic("contigmalloc: boundary is not a power of two "
			 "(boundary 0x%lx)", boundary);
	mm_malloc_type_check("contigmalloc", type);
	if (MM_DEBUG && !(flags & M_NOWAIT) && mm_port_in_interrupt())
		mm_panic("contigmalloc: M_WAITOK in an interrupt handler (it may "
			 "reclaim; use M_NOWAIT there)");

	uint64_t bytes, nr, lo, hi, align, bound, pfn;
	struct contig_poison bad = { FREEMAP_NONE, 0, 0 };

	if (size > ~0ull - (MM_PAGE_SIZE - 1) || low >= high ||
	    low > ~0ull - (MM_PAGE_SIZE - 1))
		goto fail;
	bytes = (size + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
	if (boundary && boundary < bytes)
		goto fail;
	if (alignment < MM_PAGE_SIZE)
		alignment = MM_PAGE_SIZE;
	nr = bytes >> MM_PAGE_SHIFT;
	lo = (low + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
	hi = high >> MM_PAGE_SHIFT;
	align = alignment >> MM_PAGE_SHIFT;
	bound = boundary >> MM_PAGE_SHIFT;
	if (lo >= hi || hi - lo < nr || !contig_window_has_ram(lo, hi, nr))
		goto fail;

	pfn = contig_claim(lo, hi, nr, align, bound, &bad);
	if (pfn == FREEMAP_NONE && mm_pcp_count_all()) {
		/* M_NOWAIT may be in an interrupt handler: it cannot wait for
		 * the other CPUs, so it takes back only this CPU's frames. */
		mm_stat_inc(MM_STAT_CONTIG_DRAINS);
		if ((flags & M_NOWAIT) ? mm_pcp_drain_local() : drain_all_pages())
			pfn = contig_claim(lo, hi, nr, align, bound, &bad);
	}
	for (unsigned int round = 0; pfn == FREEMAP_NONE &&
				     !(flags & M_NOWAIT) &&
				     round < CONTIG_RECLAIM_ROUNDS;
	     round++) {
		mm_stat_inc(MM_STAT_CONTIG_RECLAIMS);
		unsigned long progress = mm_direct_reclaim(GFP_KERNEL, nr);

		progress += drain_all_pages(); /* shrinkers free to per-CPU lists */
		if (!progress)
			break;
		pfn = contig_claim(lo, hi, nr, align, bound, &bad);
	}
	if (pfn == FREEMAP_NONE)
		goto fail;

	uint64_t pa = pfn << MM_PAGE_SHIFT;
	void *va = mm_port_phys_to_virt(pa);

	contig_check_result(pa, bytes, low, high, alignment, boundary);
	contig_tag(pfn, nr, mm_malloc_type_index(type));
	if (flags & M_ZERO)
		__builtin_memset(va, 0, bytes);
	mm_malloc_type_account_alloc(type, bytes);
	/* The run is handed out (contigfree gives it back) when this fires,
	 * as alloc_pages does on a write after free. */
	if (bad.pfn != FREEMAP_NONE)
		mm_panic("contigmalloc: write after free in pfn 0x%llx (offset "
			 "0x%lx: 0x%llx)",
			 (unsigned long long)bad.pfn, (unsigned long)bad.offset,
			 (unsigned long long)bad.found);
	return va;
fail:
	mm_malloc_type_account_failure(type);
	return NULL;
}

void contigfree(void *addr, unsigned long size, struct malloc_type *type)
{
	mm_malloc_type_check("contigfree", type);
	if (!addr)
		mm_panic("contigfree: not an address contigmalloc returned "
			 "(addr NULL)");
	if ((uintptr_t)addr & (MM_PAGE_SIZE - 1))
		mm_panic("contigfree: not an address contigmalloc returned "
			 "(addr %p is not page aligned)", addr);

	uint64_t pfn = vtophys(addr) >> MM_PAGE_SHIFT;
	struct mm_region *r = mm_pfn_to_region(pfn);

	if (!r)
		mm_panic("contigfree: not an address contigmalloc returned "
			 "(addr %p is outside managed memory)", addr);

	uint64_t want = size ? ((uint64_t)size + MM_PAGE_SIZE - 1) >>
				       MM_PAGE_SHIFT
			     : 0;
	unsigned long irq = mm_lock_all_zones();
	unsigned int kind = ps_kind(ps_load_at(r->state, pfn - r->base_pfn));
	struct page *pages = &r->pages[pfn - r->base_pfn];
	unsigned long tag = page_owner(&pages[0]);
	uint64_t nr = contig_tag_value(tag);
	bool head = kind == PS_CONTIG && contig_tag_is(tag, CONTIG_TAG_HEAD);
	struct malloc_type *owner = mm_malloc_type_from_index(contig_tag_type(tag));
	bool type_ok = !owner || owner == type;

	if (head && nr == want && type_ok &&
	    pfn + nr <= r->base_pfn + r->nr_frames) {
		for (uint64_t i = 0; i < nr; i++)
			set_page_owner(&pages[i], 0);
		mm_unlock_all_zones(irq);
		mm_buddy_release_range(pfn, nr);
		mm_malloc_type_account_free(type, nr << MM_PAGE_SHIFT);
		return;
	}
	mm_unlock_all_zones(irq);

	if (kind == PS_FREE || kind == PS_PCP)
		mm_panic("contigfree: double free or never allocated (addr %p: "
			 "the frame is free)", addr);
	if (kind == PS_CONTIG && contig_tag_is(tag, CONTIG_TAG_TAIL))
		mm_panic("contigfree: not an address contigmalloc returned "
			 "(addr %p is %llu pages into an allocation)",
			 addr, (unsigned long long)nr);
	if (head && nr == want && !type_ok)
		mm_panic("contigfree: type does not match the allocation (addr "
			 "%p: allocated as %s, freed as %s)",
			 addr, owner->ks_shortdesc, type->ks_shortdesc);
	if (head && nr != want)
		mm_panic("contigfree: size does not match the allocation (addr "
			 "%p: freed %lu bytes = %llu pages, allocated %llu "
			 "pages)",
			 addr, size, (unsigned long long)want,
			 (unsigned long long)nr);
	mm_panic("contigfree: not an address contigmalloc returned (addr %p: "
		 "double free, or another allocator's frame)", addr);
}

vm_paddr_t vtophys(const void *va)
{
	return mm_port_virt_to_phys(va);
}

void mm_contig_init(void)
{
	mm_malloc_type_reset();
	/* The buddy filled the freemaps at init; pay for their summaries
	 * now rather than in the first contigmalloc. */
	unsigned long irq = mm_lock_all_zones();

	for (size_t i = 0; i < mm_region_count(); i++)
		mm_freemap_sync(&mm_region_get(i)->freemap);
	mm_unlock_all_zones(irq);
}

