/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc(9) / contigfree(9) on the live allocator (any memory map):
 * the man page's example, a seeded property test against an exhaustive
 * oracle, the documented NULLs and panics, reclaim with and without
 * M_NOWAIT, invalid frees, statistics. Every test ends with the buddy free
 * blocks per zone and order equal to its start.
 *
 * The oracle, the before/after snapshots and the property test itself are
 * in contig_oracle.c.
 */
#include <ktest.h>
#include <mm/contig.h>
#include <mm/mm.h>
#include <mm/port.h>

#include "contig/contig.h"
#include "contig_oracle.h"
#include "core.h"
#include "page/buddy.h"
#include "page/early.h"
#include "page/gfp_check.h"
#include "page/memmap.h"
#include "page/poison.h"
#include "page/reclaim.h"
#include "page/region.h"
#include "page/state.h"
#include "page/zone.h"
#include "../page/page_test_util.h"
#include "stats.h"

/* ---- the man page ---- */

/* Every configuration can run it: the boot keeps [1 MiB, 16 MiB) free of the
 * kernel and its boot data (the host map reserves only [1 MiB, 3 MiB)). */
KTEST(contig, man_page_example)
{
	struct ct_snapshot snap;

	ct_begin(&snap);
	uint64_t want = ct_oracle(8192, 0, 1L << 22, 32 * 1024, 1024 * 1024);
	void *p = contigmalloc(8192, M_DEVBUF, M_ZERO, 0, (1L << 22), 32 * 1024,
			       1024 * 1024);

	KT_EXPECT(want != UINT64_MAX); /* a free 32 KiB-aligned run below 4 MiB */
	KT_ASSERT(p != NULL);
	vm_paddr_t pa = vtophys(p);

	ktest_printf("# contigmalloc(8192, M_DEVBUF, M_ZERO, 0, 1<<22, 32K, "
		     "1M) = pa 0x%llx\n", (unsigned long long)pa);
	KT_EXPECT_EQ(pa, want); /* the lowest fitting run */
	KT_EXPECT(pa <= 4194303 && pa + 8192 - 1 <= 4194303);
	KT_EXPECT_EQ(pa % (32 * 1024), 0);
	KT_EXPECT_EQ(pa / (1024 * 1024), (pa + 8192 - 1) / (1024 * 1024));
	KT_EXPECT(ct_all_zero(p, 8192));
	KT_EXPECT(ct_frames_claimed(pa, 8192));
	KT_EXPECT_EQ(p, phys_to_virt(pa));
	contigfree(p, 8192, M_DEVBUF);
	ct_end(&snap);
}

/* ---- documented NULLs and panics ---- */

KTEST(contig, documented_nulls)
{
	struct ct_snapshot snap;

	ct_begin(&snap);
	/* boundary below the rounded size: 5000 bytes is two pages. */
	KT_EXPECT(!contigmalloc(5000, M_DEVBUF, M_NOWAIT, 0, ~0ull, 4096, 4096));
	KT_EXPECT(!contigmalloc(4096, M_DEVBUF, M_NOWAIT, 0, ~0ull, 4096, 2048));
	/* low >= high */
	KT_EXPECT(!contigmalloc(4096, M_DEVBUF, M_NOWAIT, 1 << 24, 1 << 24, 4096, 0));
	KT_EXPECT(!contigmalloc(4096, M_DEVBUF, 0, 1 << 25, 1 << 24, 4096, 0));
	/* no RAM: beyond any machine, a window narrower than a page */
	KT_EXPECT(!contigmalloc(4096, M_DEVBUF, 0, 1ull << 50, 1ull << 51, 4096, 0));
	KT_EXPECT(!contigmalloc(4096, M_DEVBUF, 0, 0x1000001, 0x1001fff, 4096, 0));
	/* larger than the address space */
	KT_EXPECT(!contigmalloc(~0ul, M_DEVBUF, M_NOWAIT, 0, ~0ull, 4096, 0));
	ct_end(&snap);
}

KTEST(contig, bad_arguments_panic)
{
	KT_EXPECT_PANIC_MSG(contigmalloc(0, M_DEVBUF, 0, 0, ~0ull, 4096, 0),
			    "size 0");
	KT_EXPECT_PANIC_MSG(contigmalloc(4096, M_DEVBUF, 0, 0, ~0ull, 3, 0),
			    "alignment 0x3");
	KT_EXPECT_PANIC_MSG(contigmalloc(4096, M_DEVBUF, 0, 0, ~0ull, 4096, 3),
			    "boundary 0x3");
	KT_EXPECT_PANIC_MSG(contigmalloc(4096, M_DEVBUF, 0, 0, ~0ull, 0, 0),
			    "alignment 0x0");
	KT_EXPECT_PANIC_MSG(contigmalloc(4096, M_DEVBUF, 0, 0, ~0ull, 4096,
					 0x3000),
			    "boundary 0x3000");
	KT_EXPECT_PANIC_MSG(contigmalloc(4096, NULL, 0, 0, ~0ull, 4096, 0),
			    "not a malloc type");
}

/* ---- invalid frees ---- */

KTEST(contig, invalid_frees_caught)
{
	struct ct_snapshot snap;

	ct_begin(&snap);
	char *p = contigmalloc(3 * 4096, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 4096, 0);

	KT_ASSERT(p != NULL);
	KT_EXPECT_PANIC_MSG(contigfree(p, 2 * 4096, M_CONTIGTEST),
			    "size does not match");
	KT_EXPECT_PANIC_MSG(contigfree(p, 4 * 4096, M_CONTIGTEST),
			    "size does not match");
	KT_EXPECT_PANIC_MSG(contigfree(p + 4096, 2 * 4096, M_CONTIGTEST),
			    "1 pages into an allocation");
	KT_EXPECT_PANIC_MSG(contigfree(p + 8, 3 * 4096, M_CONTIGTEST),
			    "not page aligned");
	KT_EXPECT_PANIC_MSG(contigfree(NULL, 4096, M_CONTIGTEST), "addr NULL");
	KT_EXPECT_PANIC_MSG(contigfree(p, 3 * 4096, NULL), "not a malloc type");
	KT_EXPECT_PANIC_MSG(contigfree(p, 3 * 4096, M_DEVBUF),
			    "allocated as contigtest, freed as devbuf");
	/* A page of the frame allocator is not contigmalloc's. */
	struct page *pg = alloc_pages(GFP_KERNEL, 0);

	KT_ASSERT(pg != NULL);
	KT_EXPECT_PANIC_MSG(contigfree(page_address(pg), 4096, M_CONTIGTEST),
			    "not an address contigmalloc returned");
	__free_pages(pg, 0);
	/* Outside managed RAM: the top of the physical address space. */
	KT_EXPECT_PANIC_MSG(contigfree(phys_to_virt(1ull << 50), 4096,
				       M_CONTIGTEST),
			    "outside managed memory");
	contigfree(p, 3 * 4096 - 100, M_CONTIGTEST); /* rounds to 3 pages: same size */
	KT_EXPECT_PANIC_MSG(contigfree(p, 3 * 4096, M_CONTIGTEST),
			    "double free");
	ct_end(&snap);
}

/* ---- write after free (debug builds) ---- */

/* contigfree poisons the run; a stray write into it is reported, naming
 * the frame, by the next contigmalloc that claims it (the claim itself does
 * not check poison, so contigmalloc does). */
KTEST(contig, write_after_free_is_reported_with_the_frame)
{
	struct ct_snapshot snap;
	char needle[24];

	if (!MM_DEBUG || !mm_poison_enabled)
		KT_SKIP("poisoning is off");
	ct_begin(&snap);
	char *p = contigmalloc(4 * 4096, M_CONTIGTEST, M_NOWAIT, 0, ~0ull,
			       4096, 0);

	KT_ASSERT(p != NULL);
	vm_paddr_t pa = vtophys(p);

	contigfree(p, 4 * 4096, M_CONTIGTEST);
	p[2 * 4096 + 8] = 0x5a; /* the bug: a stale pointer writes */
	void *volatile q = NULL;

	KT_EXPECT_PANIC_MSG(q = contigmalloc(4 * 4096, M_CONTIGTEST, M_NOWAIT,
					     pa, pa + 4 * 4096, 4096, 0),
			    "write after free");
	KT_EXPECT(ktest_panic_contains(page_test_pfn_needle(needle,
						     (pa >> 12) + 2)));
	KT_EXPECT(q == NULL);
	/* The run was handed out when the check fired: give it back. */
	KT_EXPECT(ct_frames_claimed(pa, 4 * 4096));
	contigfree(p, 4 * 4096, M_CONTIGTEST);
	/* Freed and claimed again untouched: no report. */
	q = contigmalloc(4 * 4096, M_CONTIGTEST, M_NOWAIT, pa, pa + 4 * 4096,
			 4096, 0);
	KT_EXPECT_EQ(q, p);
	if (q)
		contigfree(q, 4 * 4096, M_CONTIGTEST);
	ct_end(&snap);
}

/* ---- other allocators' frees on contigmalloc memory ---- */

/* kfree() and ksize() read page_private() of whatever frame they get; the
 * contig tags must read as "not a slab object", never as a slab's cache
 * pointer or a large kmalloc block (runs of 1..9 frames cover every value
 * of the low bits the count used to occupy). */
KTEST(contig, kfree_of_contigmalloc_memory_is_refused)
{
	struct ct_snapshot snap;
	char *volatile runs[9];

	ct_begin(&snap);
	for (int i = 0; i < 9; i++) {
		runs[i] = contigmalloc((unsigned long)(i + 1) * 4096,
				       M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 4096, 0);
		KT_ASSERT(runs[i] != NULL);
	}
	for (int i = 0; i < 9; i++) {
		KT_EXPECT_PANIC_MSG(kfree(runs[i]), "not a slab object");
		KT_EXPECT_PANIC_MSG(ksize(runs[i]), "not a slab object");
		if (i > 0) /* a tail frame */
			KT_EXPECT_PANIC_MSG(kfree(runs[i] + i * 4096),
					    "not a slab object");
	}
	/* and contigfree still takes them back */
	for (int i = 0; i < 9; i++)
		contigfree(runs[i], (unsigned long)(i + 1) * 4096, M_CONTIGTEST);
	ct_end(&snap);
}

/* ---- reclaim ---- */

static void *ct_held;
static unsigned long ct_held_bytes;
static unsigned ct_shrinker_calls;
static gfp_t ct_shrinker_gfp;

static unsigned long ct_scan(struct shrinker *s, gfp_t gfp,
			     unsigned long nr_to_free)
{
	ct_shrinker_calls++;
	ct_shrinker_gfp = gfp;
	if (!ct_held)
		return 0;
	contigfree(ct_held, ct_held_bytes, M_CONTIGTEST);
	ct_held = NULL;
	return ct_held_bytes >> MM_PAGE_SHIFT;
}

static struct shrinker ct_shrinker = { .scan = ct_scan, .name = "contigtest" };

KTEST(contig, reclaim_only_without_nowait)
{
	struct ct_snapshot snap;
	const unsigned long bytes = 256 * 1024;

	ct_begin(&snap);
	/* The shrinker holds a run; a window of exactly that run makes it the
	 * only one that fits. */
	ct_held = contigmalloc(bytes, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, bytes, 0);
	KT_ASSERT(ct_held != NULL);
	ct_held_bytes = bytes;
	vm_paddr_t pa = vtophys(ct_held);

	ct_shrinker_calls = 0;
	register_shrinker(&ct_shrinker);
	KT_EXPECT(!contigmalloc(bytes, M_CONTIGTEST, M_NOWAIT | M_ZERO, pa,
				pa + bytes, 4096, 0));
	KT_EXPECT_EQ(ct_shrinker_calls, 0);
	KT_EXPECT(ct_held != NULL);

	unsigned long rounds = mm_stat_read(MM_STAT_CONTIG_RECLAIMS);
	void *p = contigmalloc(bytes, M_CONTIGTEST, M_WAITOK | M_ZERO, pa,
			       pa + bytes, 4096, 0);

	KT_EXPECT(ct_shrinker_calls >= 1);
	KT_EXPECT_EQ(ct_shrinker_gfp, GFP_KERNEL); /* reclaims as GFP_KERNEL */
	KT_EXPECT(mm_stat_read(MM_STAT_CONTIG_RECLAIMS) > rounds);
	KT_EXPECT(ct_held == NULL);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(vtophys(p), pa);
	KT_EXPECT(ct_all_zero(p, bytes));
	/* Nothing left to reclaim: NULL, after a bounded number of rounds. */
	KT_EXPECT(!contigmalloc(bytes, M_CONTIGTEST, 0, pa, pa + bytes, 4096, 0));
	unregister_shrinker(&ct_shrinker);
	contigfree(p, bytes, M_CONTIGTEST);
	ct_end(&snap);
}

/* ---- statistics ---- */

KTEST(contig, malloc_type_statistics)
{
	struct ct_snapshot snap;
	uint64_t req = M_CONTIGTEST->ks_requests, frees = M_CONTIGTEST->ks_frees;
	uint64_t inuse = M_CONTIGTEST->ks_inuse_bytes;
	uint64_t fails = M_CONTIGTEST->ks_failures;

	ct_begin(&snap);
	void *a = contigmalloc(1, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 1, 0);
	void *b = contigmalloc(5 * 4096, M_CONTIGTEST, M_NOWAIT, 0, ~0ull, 1, 0);

	KT_ASSERT(a && b);
	KT_EXPECT_EQ(M_CONTIGTEST->ks_requests, req + 2);
	KT_EXPECT_EQ(M_CONTIGTEST->ks_inuse_bytes, inuse + 6 * 4096);
	KT_EXPECT(M_CONTIGTEST->ks_peak_bytes >= inuse + 6 * 4096);
	KT_EXPECT(!contigmalloc(4096, M_CONTIGTEST, M_NOWAIT, 5, 5, 1, 0));
	KT_EXPECT_EQ(M_CONTIGTEST->ks_failures, fails + 1);
	contigfree(a, 1, M_CONTIGTEST);
	contigfree(b, 5 * 4096, M_CONTIGTEST);
	KT_EXPECT_EQ(M_CONTIGTEST->ks_frees, frees + 2);
	KT_EXPECT_EQ(M_CONTIGTEST->ks_inuse_bytes, inuse);
	KT_EXPECT(M_CONTIGTEST->ks_listed);
	malloc_type_report();
	ct_end(&snap);
}

/* ---- across zone edges and block orders ---- */

/* A window straddling the DMA/DMA32 edge at 16 MiB: the run is pages of
 * several buddy blocks on both sides. Every configuration has these frames
 * free: the kernel is loaded at 18 MiB and its boot data moved above it, so
 * only a slab page cached by an earlier test could hold one; empty slabs are
 * given back first. */
KTEST(contig, run_across_zone_edge)
{
	struct ct_snapshot snap;
	const uint64_t edge = ZONE_DMA_END_PFN << MM_PAGE_SHIFT;
	const uint64_t low = edge - 3 * 4096, size = 3 * 4096 + 5 * 4096;

	kmem_cache_shrink_all();
	ct_begin(&snap);
	uint64_t want = ct_oracle(size, low, low + size, 4096, 0);

	KT_EXPECT_EQ(want, low); /* all of [low, low + size) is free */
	void *p = contigmalloc(size, M_CONTIGTEST, M_NOWAIT, low, low + size,
			       4096, 0);

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(vtophys(p), low);
	KT_EXPECT(pfn_zone(low >> MM_PAGE_SHIFT) !=
		  pfn_zone((low + size - 1) >> MM_PAGE_SHIFT));
	contigfree(p, size, M_CONTIGTEST);
	ct_end(&snap);
}

/* ---- the property test (contig_oracle.c) ---- */

KTEST(contig, random_requests_against_oracle)
{
	contig_property_run(2000);
}

/* ---- confetti: free blocks of every order, side by side ---- */

/*
 * Claims a free run R straight from the buddy lists, gives back random
 * pieces of it (so R holds free blocks of mixed orders, adjacent to each
 * other and to claimed frames), then asks for runs in windows around R: each
 * answer must be the oracle's lowest address, each NULL confirmed.
 */
KTEST(contig, random_requests_in_confetti)
{
	struct ct_snapshot snap;
	uint64_t want_bytes = (uint64_t)nr_free_pages() * MM_PAGE_SIZE / 4;
	int ok = 0, null = 0;

	if (want_bytes > (32ull << 20))
		want_bytes = 32ull << 20;
	want_bytes &= ~((1ull << 20) - 1);
	ct_begin(&snap);
	uint64_t rpa = ct_oracle(want_bytes, 0, ~0ull, 1 << 20, 0);

	KT_ASSERT(want_bytes && rpa != UINT64_MAX);
	uint64_t rpfn = rpa >> MM_PAGE_SHIFT, rnr = want_bytes >> MM_PAGE_SHIFT;
	unsigned long irq = mm_lock_all_zones();
	bool claimed = mm_buddy_claim_range_locked(rpfn, rnr);

	mm_unlock_all_zones(irq);
	KT_ASSERT(claimed);
	for (uint64_t i = 0; i < rnr; i++)
		set_page_private(pfn_to_page(rpfn + i), 0);
	/* Keep 1..8 frames, give back 1..64 (sometimes up to 600). */
	for (uint64_t pfn = rpfn; pfn < rpfn + rnr;) {
		uint64_t keep = 1 + ktest_rand_below(8);
		uint64_t give = 1 + ktest_rand_below(ktest_rand_below(8) ? 64 : 600);

		pfn += keep;
		if (pfn >= rpfn + rnr)
			break;
		if (give > rpfn + rnr - pfn)
			give = rpfn + rnr - pfn;
		mm_buddy_release_range(pfn, give);
		pfn += give;
	}

	for (int n = 0; n < 600; n++) {
		unsigned long size = 4096ul * (1 + ktest_rand_below(
				       ktest_rand_below(4) ? 16 : 160));
		uint64_t low = rpa + (ktest_rand_below(rnr) << MM_PAGE_SHIFT) -
			       (ktest_rand_below(8) == 0 ? 1 << 20 : 0);
		uint64_t high = low + (ktest_rand_below(rnr + 1) << MM_PAGE_SHIFT) +
				ktest_rand_below(4096);
		unsigned long alignment = 1ul << (12 + ktest_rand_below(9));
		unsigned long boundary = ktest_rand_below(2)
			? 0 : 1ul << (14 + ktest_rand_below(9));

		drain_all_pages();
		uint64_t lowest = ct_oracle(size, low, high, alignment, boundary);
		void *va = contigmalloc(size, M_CONTIGTEST, M_NOWAIT | M_ZERO,
					low, high, alignment, boundary);

		if (!va) {
			KT_ASSERT_EQ(lowest, UINT64_MAX);
			KT_ASSERT_EQ(ct_oracle(size, low, high, alignment,
					       boundary), UINT64_MAX);
			null++;
			continue;
		}
		ok++;
		KT_ASSERT_EQ(vtophys(va), lowest);
		KT_ASSERT(ct_all_zero(va, size & ~7ul));
		contigfree(va, size, M_CONTIGTEST);
	}
	/* Give back what is still claimed: every PS_CONTIG run inside R. */
	for (uint64_t pfn = rpfn; pfn < rpfn + rnr;) {
		const struct mm_region *r = mm_pfn_to_region(pfn);
		uint64_t end = pfn;

		while (end < rpfn + rnr &&
		       ps_kind(r->state[end - r->base_pfn]) == PS_CONTIG)
			end++;
		if (end > pfn)
			mm_buddy_release_range(pfn, end - pfn);
		pfn = end + 1;
	}
	ktest_printf("# 600 requests in a %llu MiB confetti: %d satisfied at "
		     "the oracle's lowest address, %d NULL confirmed\n",
		     (unsigned long long)(rnr >> 8), ok, null);
	KT_EXPECT(ok > 30 && null > 30);
	ct_end(&snap);
}
