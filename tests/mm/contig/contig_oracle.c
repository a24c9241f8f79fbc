/* SPDX-License-Identifier: MIT */
/*
 * The contigmalloc oracle, the checks on a result, and the seeded property
 * test built on them (contig_property_run), for the API tests
 * (test_contig.c) and the host-only maps (test_contig_host.c).
 *
 * The oracle never reads the freemap: it walks the buddy's state bytes
 * (a PS_FREE block head covers 2^order free frames), merges adjacent free
 * blocks into maximal runs, and for each run tests the lowest aligned,
 * boundary-respecting start in bytes.
 */
#include <ktest.h>
#include <mm/contig.h>
#include <mm/mm.h>
#include <mm/port.h>

#include "contig/contig.h"
#include "contig_oracle.h"
#include "core.h"
#include "page/memmap.h"
#include "page/node.h"
#include "page/region.h"
#include "page/report.h"
#include "page/state.h"
#include "stats.h"

MALLOC_DEFINE(M_CONTIGTEST, "contigtest", "contigmalloc tests");

/* ---- before/after ---- */

void ct_begin(struct ct_snapshot *s)
{
	drain_all_pages();
	mm_buddyinfo_snapshot(&s->bi);
	s->free = nr_free_pages();
}

void ct_end(const struct ct_snapshot *s)
{
	struct buddyinfo now;

	drain_all_pages();
	mm_buddyinfo_snapshot(&now);
	KT_EXPECT(mm_buddyinfo_equal(&s->bi, &now));
	KT_EXPECT_EQ(nr_free_pages(), s->free);
}

/* ---- the oracle ---- */

static uint64_t ct_align_up(uint64_t x, uint64_t a, bool *overflow)
{
	if (x > UINT64_MAX - (a - 1))
		*overflow = true;
	return (x + a - 1) & ~(a - 1);
}

/* Lowest valid start inside the free byte run [s, e), or UINT64_MAX. */
static uint64_t ct_fit_in_run(uint64_t s, uint64_t e, uint64_t low,
			      uint64_t high, uint64_t bytes, uint64_t align,
			      uint64_t boundary)
{
	bool ovf = false;

	if (s < low)
		s = low;
	if (e > high)
		e = high;
	if (s >= e)
		return UINT64_MAX;

	uint64_t p = ct_align_up(s, align, &ovf);

	if (boundary && p / boundary != (p + bytes - 1) / boundary)
		p = ct_align_up(p, boundary, &ovf);
	if (ovf || p >= e || e - p < bytes)
		return UINT64_MAX;
	return p;
}

/* Walks the state bytes of each region on node (-1: every region):
 * merges adjacent free blocks into maximal runs and tries the lowest
 * fitting start of each. */
uint64_t ct_oracle_node(unsigned long size, uint64_t low, uint64_t high,
			unsigned long alignment, unsigned long boundary,
			int node)
{
	uint64_t bytes = (size + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
	uint64_t align = alignment < MM_PAGE_SIZE ? MM_PAGE_SIZE : alignment;

	if (low >= high || (boundary && boundary < bytes) ||
	    size > UINT64_MAX - MM_PAGE_SIZE)
		return UINT64_MAX;
	for (size_t ri = 0; ri < mm_region_count(); ri++) {
		const struct mm_region *r = mm_region_get(ri);
		uint64_t run = UINT64_MAX; /* start of the current free run */

		if (node >= 0 && r->node != (unsigned int)node)
			continue;
		for (uint64_t i = 0; i <= r->nr_frames;) {
			bool free = false;
			uint64_t step = 1;

			if (i < r->nr_frames) {
				uint8_t st = r->state[i];
				unsigned long tag = r->pages[i].private;

				if (ps_kind(st) == PS_FREE) {
					free = true;
					step = 1ull << ps_order(st);
				} else if (ps_kind(st) == PS_ALLOC) {
					step = 1ull << ps_order(st);
				} else if (ps_kind(st) == PS_CONTIG &&
					   contig_tag_is(tag, CONTIG_TAG_HEAD) &&
					   contig_tag_value(tag)) {
					step = contig_tag_value(tag);
				}
			}
			if (free && run == UINT64_MAX)
				run = i;
			if (!free && run != UINT64_MAX) {
				uint64_t p = ct_fit_in_run(
					(r->base_pfn + run) << MM_PAGE_SHIFT,
					(r->base_pfn + i) << MM_PAGE_SHIFT, low,
					high, bytes, align, boundary);

				if (p != UINT64_MAX)
					return p;
				run = UINT64_MAX;
			}
			i += step;
			if (i > r->nr_frames && i - step < r->nr_frames)
				i = r->nr_frames;
		}
	}
	return UINT64_MAX;
}

uint64_t ct_oracle(unsigned long size, uint64_t low, uint64_t high,
		   unsigned long alignment, unsigned long boundary)
{
	return ct_oracle_node(size, low, high, alignment, boundary, -1);
}

/* The policy's nodes in its order, from the topology (mm_node_order) and
 * the policy's fields, as domainset(9) describes them. */
static unsigned int ct_policy_nodes(const struct domainset *ds, uint8_t *out)
{
	unsigned int n = 0;

	if (!ds) /* plain contigmalloc: this CPU's node first */
		ds = DOMAINSET_PREF(numa_node_id());
	if (ds->ds_policy == DOMAINSET_POLICY_PREFER) {
		unsigned int p = ds->ds_prefer < mm_nr_nodes ? ds->ds_prefer : 0;

		for (unsigned int k = 0; k < mm_nr_nodes; k++)
			out[n++] = mm_node_order[p][k];
		return n;
	}
	KT_ASSERT(!(ds->ds_mask & (ds->ds_mask - 1))); /* FIXED only */
	for (unsigned int d = 0; d < mm_nr_nodes; d++)
		if ((ds->ds_mask >> d) & 1)
			out[n++] = (uint8_t)d;
	return n;
}

uint64_t ct_oracle_ds(unsigned long size, uint64_t low, uint64_t high,
		      unsigned long alignment, unsigned long boundary,
		      const struct domainset *ds)
{
	uint8_t order[MM_MAX_NUMNODES];
	unsigned int n = ct_policy_nodes(ds, order);

	for (unsigned int k = 0; k < n; k++) {
		uint64_t p = ct_oracle_node(size, low, high, alignment,
					    boundary, order[k]);

		if (p != UINT64_MAX)
			return p;
	}
	return UINT64_MAX;
}

/* ---- checks on one result ---- */

bool ct_all_zero(const void *va, uint64_t bytes)
{
	const uint64_t *w = va;

	for (uint64_t i = 0; i < bytes / 8; i++)
		if (w[i])
			return false;
	return true;
}

/* Zero-checks the whole run when small, else the first, last and 14
 * random pages (TCG is slow). */
static bool ct_zeroed(const char *va, uint64_t bytes)
{
	if (bytes <= 256 * 1024)
		return ct_all_zero(va, bytes);
	uint64_t pages = bytes >> MM_PAGE_SHIFT;

	if (!ct_all_zero(va, MM_PAGE_SIZE) ||
	    !ct_all_zero(va + bytes - MM_PAGE_SIZE, MM_PAGE_SIZE))
		return false;
	for (int i = 0; i < 14; i++)
		if (!ct_all_zero(va + (ktest_rand_below(pages) << MM_PAGE_SHIFT),
				 MM_PAGE_SIZE))
			return false;
	return true;
}

bool ct_frames_claimed(uint64_t pa, uint64_t bytes)
{
	uint64_t first = pa >> MM_PAGE_SHIFT, end = (pa + bytes) >> MM_PAGE_SHIFT;
	const struct mm_region *r = mm_pfn_to_region(first);

	if (!r || mm_pfn_to_region(end - 1) != r)
		return false; /* a run never leaves its region */
	for (uint64_t pfn = first; pfn < end; pfn++)
		if (ps_kind(r->state[pfn - r->base_pfn]) != PS_CONTIG)
			return false;
	return true;
}

/* ---- the property test ---- */

struct ct_live {
	char *va;
	uint64_t pa, bytes;
	unsigned long size;
	uint64_t stamp;
};

#define CT_MAX_LIVE 48

static struct ct_live ct_live[CT_MAX_LIVE];
static int ct_nlive;

/* The pages that carry a stamp: the first 4, then about 8 spread over the
 * run, and the last. Under TCG the first touch of a guest page is what
 * costs; overlap is also checked by address. */
static uint64_t ct_next_stamped(uint64_t off, uint64_t bytes)
{
	uint64_t step = (bytes / MM_PAGE_SIZE / 8) * MM_PAGE_SIZE;
	uint64_t next = off + (off < 4 * MM_PAGE_SIZE || step == 0
				       ? MM_PAGE_SIZE : step);

	if (next >= bytes && off + MM_PAGE_SIZE < bytes)
		next = bytes - MM_PAGE_SIZE;
	return next;
}

static void ct_stamp(struct ct_live *l)
{
	/* A stamp in the first and last word of a page shows overlap. */
	for (uint64_t off = 0; off < l->bytes;
	     off = ct_next_stamped(off, l->bytes)) {
		*(uint64_t *)(l->va + off) = l->stamp ^ off;
		*(uint64_t *)(l->va + off + MM_PAGE_SIZE - 8) = ~l->stamp ^ off;
	}
}

static bool ct_stamp_intact(const struct ct_live *l)
{
	for (uint64_t off = 0; off < l->bytes;
	     off = ct_next_stamped(off, l->bytes))
		if (*(uint64_t *)(l->va + off) != (l->stamp ^ off) ||
		    *(uint64_t *)(l->va + off + MM_PAGE_SIZE - 8) !=
			    (~l->stamp ^ off))
			return false;
	return true;
}

static void ct_free_live(int i)
{
	KT_EXPECT(ct_stamp_intact(&ct_live[i]));
	contigfree(ct_live[i].va, ct_live[i].size, M_CONTIGTEST);
	ct_live[i] = ct_live[--ct_nlive];
}

static unsigned long ct_rand_size(void)
{
	unsigned r = (unsigned)ktest_rand_below(100);

	if (r < 60)
		return 1 + ktest_rand_below(64 * 1024);
	if (r < 90)
		return 1 + ktest_rand_below(1024 * 1024);
	if (r < 99)
		return 1 + ktest_rand_below(8 * 1024 * 1024);
	return 1 + ktest_rand_below(64 * 1024 * 1024);
}

/* A bound inside, at the edge of, between or beyond the RAM regions. */
static uint64_t ct_rand_addr(uint64_t ram_end)
{
	size_t nreg = mm_region_count();
	const struct mm_region *r = mm_region_get(ktest_rand_below(nreg));
	uint64_t base = r->base_pfn << MM_PAGE_SHIFT;
	uint64_t end = (r->base_pfn + r->nr_frames) << MM_PAGE_SHIFT;

	switch (ktest_rand_below(8)) {
	case 0:
		return 0;
	case 1:
		return base;
	case 2:
		return end;
	case 3: /* inside a region, page aligned or not */
		return base + (ktest_rand_below(end - base) &
			       (ktest_rand_below(2) ? ~0xfffull : ~0ull));
	case 4: /* anywhere up to beyond RAM, incl. holes (the PCI hole) */
		return ktest_rand_below(ram_end + (1ull << 30)) & ~0xfffull;
	case 5: /* the PCI hole of a PC */
		return 0xc0000000ull + (ktest_rand_below(1 << 18) << 12);
	case 6: /* 4 GiB, where RAM resumes above the hole */
		return 1ull << 32;
	default: /* a power of two: DMA masks */
		return 1ull << (20 + ktest_rand_below(20));
	}
}

/* Runs `requests` random requests interleaved with frees on whatever map
 * is live; returns how many succeeded at or above 4 GiB. */
uint64_t contig_property_run(int requests)
{
	return contig_property_run_ds(requests, NULL);
}

uint64_t contig_property_run_ds(int requests, struct domainset *ds)
{
	struct ct_snapshot snap;
	uint64_t ram_end = 0, budget, above_4g = 0;
	int ok = 0, null = 0, null_documented = 0, reclaimed = 0;
	uint64_t ns_oracle = 0, ns_contig = 0, t_start = mm_port_now_ns();

	for (size_t i = 0; i < mm_region_count(); i++) {
		const struct mm_region *r = mm_region_get(i);

		ram_end = (r->base_pfn + r->nr_frames) << MM_PAGE_SHIFT;
	}
	ct_begin(&snap);
	budget = (uint64_t)snap.free * MM_PAGE_SIZE / 2;
	ct_nlive = 0;
	for (int n = 0; n < requests; n++) {
		uint64_t live_bytes = 0;

		for (int i = 0; i < ct_nlive; i++)
			live_bytes += ct_live[i].bytes;
		/* Free at random, and always when full. */
		while (ct_nlive && (ct_nlive == CT_MAX_LIVE ||
				    live_bytes > budget ||
				    ktest_rand_below(3) == 0)) {
			int i = (int)ktest_rand_below(ct_nlive);

			live_bytes -= ct_live[i].bytes;
			ct_free_live(i);
		}

		unsigned long size = ct_rand_size();
		uint64_t low = ct_rand_addr(ram_end), high;

		switch (ktest_rand_below(4)) {
		case 0:
			high = ct_rand_addr(ram_end);
			break;
		case 1:
			high = ~0ull;
			break;
		default:
			high = low + ktest_rand_below(size * 4 + (1ull << 26));
		}
		unsigned long alignment = 1ul << (ktest_rand_below(4) == 0
						  ? ktest_rand_below(12)
						  : 12 + ktest_rand_below(19));
		unsigned long boundary = ktest_rand_below(2)
			? 0 : 1ul << (12 + ktest_rand_below(21));
		/* M_ZERO on a third of the requests up to 64 KiB and a 16th
		 * of the larger ones: zeroing dominates under TCG. */
		int flags = (ktest_rand_below(size <= (1ul << 16) ? 3 : 16) == 0
				     ? M_ZERO : 0) |
			    (ktest_rand_below(4) ? M_NOWAIT : M_WAITOK);

		/* The lowest fitting address now (no frames on per-CPU
		 * lists, so the oracle sees what contigmalloc sees). */
		drain_all_pages();
		uint64_t t0 = mm_port_now_ns();
		uint64_t lowest = ct_oracle_ds(size, low, high, alignment,
					       boundary, ds);
		uint64_t t1 = mm_port_now_ns();
		unsigned long rounds = mm_stat_read(MM_STAT_CONTIG_RECLAIMS);
		char *va = ds ? contigmalloc_domainset(size, M_CONTIGTEST, ds,
						       flags, low, high,
						       alignment, boundary)
			      : contigmalloc(size, M_CONTIGTEST, flags, low,
					     high, alignment, boundary);

		ns_oracle += t1 - t0;
		ns_contig += mm_port_now_ns() - t1;

		uint64_t bytes = (size + 4095) & ~4095ull;

		if (!va) {
			/* Reclaim can only have freed frames: ask again. */
			uint64_t want = mm_stat_read(MM_STAT_CONTIG_RECLAIMS) == rounds
				? lowest
				: ct_oracle_ds(size, low, high, alignment,
					       boundary, ds);

			if (want != UINT64_MAX)
				ktest_printf("# missed: size 0x%lx low 0x%llx "
					     "high 0x%llx align 0x%lx bound "
					     "0x%lx: oracle 0x%llx\n",
					     size, (unsigned long long)low,
					     (unsigned long long)high,
					     alignment, boundary,
					     (unsigned long long)want);
			KT_ASSERT_EQ(want, UINT64_MAX);
			null++;
			null_documented += low >= high ||
					   (boundary && boundary < bytes);
			continue;
		}
		ok++;
		uint64_t pa = vtophys(va);

		/* Complete and lowest-first: exactly the oracle's answer,
		 * unless reclaim changed the map during the call. */
		if (mm_stat_read(MM_STAT_CONTIG_RECLAIMS) == rounds)
			KT_ASSERT_EQ(pa, lowest);
		else
			reclaimed++;
		uint64_t align = alignment < 4096 ? 4096 : alignment;

		KT_ASSERT(pa >= low && pa + bytes <= high && pa + bytes > pa);
		KT_ASSERT_EQ(pa % align, 0);
		KT_ASSERT(!boundary ||
			  pa / boundary == (pa + bytes - 1) / boundary);
		KT_ASSERT(ct_frames_claimed(pa, bytes));
		if (ds && ds->ds_policy != DOMAINSET_POLICY_PREFER)
			KT_ASSERT((ds->ds_mask >> page_to_nid(phys_to_page(pa))) & 1);
		if (flags & M_ZERO)
			KT_ASSERT(ct_zeroed(va, bytes));
		for (int i = 0; i < ct_nlive; i++)
			KT_ASSERT(pa + bytes <= ct_live[i].pa ||
				  ct_live[i].pa + ct_live[i].bytes <= pa);
		above_4g += pa >= (1ull << 32);
		ct_live[ct_nlive] = (struct ct_live){ va, pa, bytes, size,
						      ktest_rand() };
		ct_stamp(&ct_live[ct_nlive]);
		ct_nlive++;
	}
	while (ct_nlive)
		ct_free_live(ct_nlive - 1);
	ktest_printf("# %d requests: %d satisfied (%d at the oracle's lowest "
		     "address, %llu above 4 GiB), %d NULL (%d documented, the "
		     "rest confirmed impossible by the oracle)\n",
		     requests, ok, ok - reclaimed, (unsigned long long)above_4g,
		     null, null_documented);
	ktest_printf("# %llu ms in all: %llu in contigmalloc, %llu in the "
		     "oracle before the calls\n",
		     (unsigned long long)((mm_port_now_ns() - t_start) / 1000000),
		     (unsigned long long)(ns_contig / 1000000),
		     (unsigned long long)(ns_oracle / 1000000));
	/* a FIXED node without RAM: every answer NULL, confirmed */
	uint8_t order[MM_MAX_NUMNODES];
	unsigned int nn = ct_policy_nodes(ds, order);
	bool ram = false;

	for (unsigned int k = 0; k < nn; k++)
		ram |= nr_free_pages_node(order[k]) > 0;
	if (ram)
		KT_EXPECT(ok > requests / 10);
	else
		KT_EXPECT_EQ(ok, 0);
	ct_end(&snap);
	return above_4g;
}
