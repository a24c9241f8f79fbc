/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc(9) / contigfree(9): physically contiguous runs of frames.
 *
 * Search. Every region (a maximal run of usable RAM of one node, so it
 * spans zone edges but not node edges) keeps a freemap of the frames on the
 * buddy free lists (mm/contig/freemap.c). With every zone lock held,
 * contigmalloc takes the nodes of its policy in the policy's order (below)
 * and asks the freemap of each of the node's regions overlapping
 * [low, high), lowest first, for the lowest run
 * that fits the window, the alignment and the boundary, and takes exactly
 * those frames out of the buddy lists with mm_buddy_claim_range_locked() (which
 * splits the blocks at the edges). Because the freemap sees free frames, not
 * blocks, a run may span free blocks of any orders and zone edges; because
 * it answers exactly, the search is complete: if a fitting run of free
 * frames exists, it is found. Cost: O(log N) per candidate run, see
 * mm/contig/freemap_search.c; the regions are a short list.
 *
 * NUMA (domainset(9)). A policy gives the nodes to try and their order:
 * DOMAINSET_FIXED(d) node d alone, DOMAINSET_PREF(d) d then mm_node_order[d]
 * (nearest first), DOMAINSET_RR() every node from a rotating start. Plain
 * contigmalloc is DOMAINSET_PREF(this CPU's node): on one node, exactly
 * the old lowest-first search; on several, every node is still asked, so
 * completeness holds (FreeBSD's contigmalloc uses DOMAINSET_RR(); mm64
 * prefers the local node, as alloc_pages does). Each retry below walks
 * the whole order again, as FreeBSD's vm_domainset_iter does.
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
#include "page/node.h"
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

/* The nodes a request tries, in order (struct contig_nodes). */
struct contig_nodes {
	unsigned int n;
	uint64_t mask; /* the same nodes as a set */
	uint8_t node[MM_MAX_NUMNODES];
};

/* Claims the lowest fitting run of the first node of `nodes` that has
 * one; returns its first pfn or FREEMAP_NONE. Takes and drops every zone
 * lock. */
static uint64_t contig_claim(const struct contig_nodes *nodes, uint64_t lo,
			     uint64_t hi, uint64_t nr, uint64_t align,
			     uint64_t boundary, struct contig_poison *bad)
{
	unsigned long irq = mm_lock_all_zones();
	uint64_t found = FREEMAP_NONE;
	bool claimed = false;

	for (unsigned int k = 0; k < nodes->n && found == FREEMAP_NONE; k++)
		for (size_t i = 0; i < mm_region_count(); i++) {
			struct mm_region *r = mm_region_get(i);

			if (r->base_pfn >= hi)
				break;
			if (r->node != nodes->node[k] ||
			    r->base_pfn + r->nr_frames <= lo)
				continue;
			found = mm_freemap_find(&r->freemap, lo, hi, nr, align,
						boundary);
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

/* Whether some region of these nodes could ever hold nr frames inside
 * [lo, hi). */
static bool contig_window_has_ram(const struct contig_nodes *nodes,
				  uint64_t lo, uint64_t hi, uint64_t nr)
{
	for (size_t i = 0; i < mm_region_count(); i++) {
		const struct mm_region *r = mm_region_get(i);
		uint64_t s = r->base_pfn > lo ? r->base_pfn : lo;
		uint64_t e = r->base_pfn + r->nr_frames < hi
				     ? r->base_pfn + r->nr_frames : hi;

		if (((nodes->mask >> r->node) & 1) && s < e && e - s >= nr)
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

static void contig_check_result(const char *fn, uint64_t pa, uint64_t bytes,
				vm_paddr_t low, vm_paddr_t high,
				uint64_t alignment, uint64_t boundary,
				const struct contig_nodes *nodes)
{
	const struct mm_region *r = mm_pfn_to_region(pa >> MM_PAGE_SHIFT);

	if (pa < low || pa + bytes > high || pa + bytes < pa ||
	    pa % alignment != 0 || mm_crosses_boundary(pa, bytes, boundary))
		mm_panic("%s: result breaks its constraints (pa "
			 "0x%llx, size 0x%llx, low 0x%llx, high 0x%llx, "
			 "alignment 0x%llx, boundary 0x%llx)", fn,
			 (unsigned long long)pa, (unsigned long long)bytes,
			 (unsigned long long)low, (unsigned long long)high,
			 (unsigned long long)alignment,
			 (unsigned long long)boundary);
	if (!r || !((nodes->mask >> r->node) & 1) ||
	    mm_pfn_to_region((pa + bytes - 1) >> MM_PAGE_SHIFT) != r)
		mm_panic("%s: result is not on the policy's nodes (pa 0x%llx, "
			 "size 0x%llx, node %d, nodes 0x%llx)", fn,
			 (unsigned long long)pa, (unsigned long long)bytes,
			 r ? (int)r->node : -1,
			 (unsigned long long)nodes->mask);
}

/* ---- NUMA policies (domainset(9)) ---- */

#define CONTIG_ALL_NODES (~0ull >> (64 - MM_MAX_NUMNODES))

/* Written by mm_contig_init only (before any request); read-only after. */
static struct domainset contig_ds_fixed[MM_MAX_NUMNODES];
static struct domainset contig_ds_prefer[MM_MAX_NUMNODES];
static struct domainset contig_ds_rr;
/* DOMAINSET_RR's next start (relaxed atomic: any interleaving is fair). */
static unsigned int contig_rr_next;

static void contig_domainsets_init(void)
{
	for (unsigned int d = 0; d < MM_MAX_NUMNODES; d++) {
		contig_ds_fixed[d] = (struct domainset){
			1ull << d, DOMAINSET_POLICY_ROUNDROBIN, 0,
			DOMAINSET_MAGIC
		};
		contig_ds_prefer[d] = (struct domainset){
			CONTIG_ALL_NODES, DOMAINSET_POLICY_PREFER,
			(uint16_t)d, DOMAINSET_MAGIC
		};
	}
	contig_ds_rr = (struct domainset){ CONTIG_ALL_NODES,
					   DOMAINSET_POLICY_ROUNDROBIN, 0,
					   DOMAINSET_MAGIC };
	__atomic_store_n(&contig_rr_next, 0, __ATOMIC_RELAXED);
}

static unsigned int contig_domain_check(const char *fn, int domain)
{
	if (domain < 0 || domain >= MM_MAX_NUMNODES)
		mm_panic("%s: domain %d out of range (0..%d)", fn, domain,
			 MM_MAX_NUMNODES - 1);
	return (unsigned int)domain;
}

struct domainset *mm_domainset_fixed(int domain)
{
	return &contig_ds_fixed[contig_domain_check("DOMAINSET_FIXED", domain)];
}

struct domainset *mm_domainset_pref(int domain)
{
	return &contig_ds_prefer[contig_domain_check("DOMAINSET_PREF", domain)];
}

struct domainset *mm_domainset_rr(void)
{
	return &contig_ds_rr;
}

/* Always-on check of a policy a caller hands in. */
static void contig_ds_check(const char *fn, const struct domainset *ds)
{
	if (!ds)
		mm_panic("%s: no domain policy (ds NULL; use DOMAINSET_FIXED, "
			 "DOMAINSET_PREF or DOMAINSET_RR)", fn);
	if (ds->ds_magic != DOMAINSET_MAGIC)
		mm_panic("%s: not a domain policy (ds %p: magic 0x%x; use "
			 "DOMAINSET_FIXED, DOMAINSET_PREF or DOMAINSET_RR)",
			 fn, (const void *)ds, ds->ds_magic);
	if (ds->ds_policy != DOMAINSET_POLICY_ROUNDROBIN &&
	    ds->ds_policy != DOMAINSET_POLICY_PREFER)
		mm_panic("%s: bad domain policy (ds %p: policy %u)", fn,
			 (const void *)ds, ds->ds_policy);
	if (!ds->ds_mask || (ds->ds_mask & ~CONTIG_ALL_NODES))
		mm_panic("%s: bad domain mask (ds %p: mask 0x%llx, nodes "
			 "0..%d)", fn, (const void *)ds,
			 (unsigned long long)ds->ds_mask, MM_MAX_NUMNODES - 1);
	if (ds->ds_policy == DOMAINSET_POLICY_PREFER &&
	    ds->ds_prefer >= MM_MAX_NUMNODES)
		mm_panic("%s: preferred domain %u out of range (0..%d)", fn,
			 ds->ds_prefer, MM_MAX_NUMNODES - 1);
}

/* The nodes of this machine a request under ds tries, in order. A node id
 * this machine does not have is in no order (it has no regions). */
static void contig_nodes_of(const struct domainset *ds,
			    struct contig_nodes *out)
{
	unsigned int nodes = mm_nr_nodes;

	out->n = 0;
	out->mask = 0;
	if (ds->ds_policy == DOMAINSET_POLICY_PREFER) {
		unsigned int p = ds->ds_prefer;
		/* a node the machine lacks: node 0's order (mm_zonelist) */
		const uint8_t *order = mm_node_order[p < nodes ? p : 0];

		for (unsigned int k = 0; k < nodes; k++)
			if ((ds->ds_mask >> order[k]) & 1)
				out->node[out->n++] = order[k];
	} else {
		unsigned int start = 0;

		if (ds->ds_mask & (ds->ds_mask - 1)) /* more than one node */
			start = __atomic_fetch_add(&contig_rr_next, 1,
						   __ATOMIC_RELAXED) % nodes;
		for (unsigned int k = 0; k < nodes; k++) {
			unsigned int nd = (start + k) % nodes;

			if ((ds->ds_mask >> nd) & 1)
				out->node[out->n++] = (uint8_t)nd;
		}
	}
	for (unsigned int k = 0; k < out->n; k++)
		out->mask |= 1ull << out->node[k];
}

/* The argument checks of contigmalloc and contigmalloc_domainset (fn). */
static void contig_check_args(const char *fn, unsigned long size,
			      struct malloc_type *type, int flags,
			      unsigned long alignment, unsigned long boundary)
{
	if (size == 0)
		mm_panic("%s: size is zero (size 0)", fn);
	if (!mm_is_pow2(alignment))
		mm_panic("%s: alignment is not a power of two "
			 "(alignment 0x%lx)", fn, alignment);
	if (boundary && !mm_is_pow2(boundary))
		mm_panic("%s: boundary is not a power of two "
			 "(boundary 0x%lx)", fn, boundary);
	mm_malloc_type_check(fn, type);
	if (MM_DEBUG && !(flags & M_NOWAIT) && mm_port_in_interrupt())
		mm_panic("%s: M_WAITOK in an interrupt handler (it may "
			 "reclaim; use M_NOWAIT there)", fn);
}

/* contigmalloc on the nodes of ds (checked by the caller). */
static void *contig_alloc(const char *fn, unsigned long size,
			  struct malloc_type *type, const struct domainset *ds,
			  int flags, vm_paddr_t low, vm_paddr_t high,
			  unsigned long alignment, unsigned long boundary)
{
	uint64_t bytes, nr, lo, hi, align, bound, pfn;
	struct contig_poison bad = { FREEMAP_NONE, 0, 0 };
	struct contig_nodes nodes;

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
	contig_nodes_of(ds, &nodes);
	if (lo >= hi || hi - lo < nr ||
	    !contig_window_has_ram(&nodes, lo, hi, nr))
		goto fail;

	pfn = contig_claim(&nodes, lo, hi, nr, align, bound, &bad);
	if (pfn == FREEMAP_NONE && mm_pcp_count_all()) {
		/* M_NOWAIT may be in an interrupt handler: it cannot wait for
		 * the other CPUs, so it takes back only this CPU's frames. */
		mm_stat_inc(MM_STAT_CONTIG_DRAINS);
		if ((flags & M_NOWAIT) ? mm_pcp_drain_local() : drain_all_pages())
			pfn = contig_claim(&nodes, lo, hi, nr, align, bound,
					   &bad);
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
		pfn = contig_claim(&nodes, lo, hi, nr, align, bound, &bad);
	}
	if (pfn == FREEMAP_NONE)
		goto fail;

	uint64_t pa = pfn << MM_PAGE_SHIFT;
	void *va = mm_port_phys_to_virt(pa);

	contig_check_result(fn, pa, bytes, low, high, alignment, boundary,
			    &nodes);
	contig_tag(pfn, nr, mm_malloc_type_index(type));
	if (flags & M_ZERO)
		__builtin_memset(va, 0, bytes);
	mm_malloc_type_account_alloc(type, bytes);
	/* The run is handed out (contigfree gives it back) when this fires,
	 * as alloc_pages does on a write after free. */
	if (bad.pfn != FREEMAP_NONE)
		mm_panic("%s: write after free in pfn 0x%llx (offset "
			 "0x%lx: 0x%llx)", fn,
			 (unsigned long long)bad.pfn, (unsigned long)bad.offset,
			 (unsigned long long)bad.found);
	return va;
fail:
	mm_malloc_type_account_failure(type);
	return NULL;
}

void *contigmalloc(unsigned long size, struct malloc_type *type, int flags,
		   vm_paddr_t low, vm_paddr_t high, unsigned long alignment,
		   unsigned long boundary)
{
	contig_check_args("contigmalloc", size, type, flags, alignment,
			  boundary);
	return contig_alloc("contigmalloc", size, type,
			    &contig_ds_prefer[numa_node_id()], flags, low,
			    high, alignment, boundary);
}

void *contigmalloc_domainset(unsigned long size, struct malloc_type *type,
			     struct domainset *ds, int flags, vm_paddr_t low,
			     vm_paddr_t high, unsigned long alignment,
			     unsigned long boundary)
{
	contig_check_args("contigmalloc_domainset", size, type, flags,
			  alignment, boundary);
	contig_ds_check("contigmalloc_domainset", ds);
	return contig_alloc("contigmalloc_domainset", size, type, ds, flags,
			    low, high, alignment, boundary);
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
	contig_domainsets_init();
	/* The buddy filled the freemaps at init; pay for their summaries
	 * now rather than in the first contigmalloc. */
	unsigned long irq = mm_lock_all_zones();

	for (size_t i = 0; i < mm_region_count(); i++)
		mm_freemap_sync(&mm_region_get(i)->freemap);
	mm_unlock_all_zones(irq);
}

