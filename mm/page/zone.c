/* SPDX-License-Identifier: MIT */
/*
 * Zones: DMA [0, 16 MiB), DMA32 [16 MiB, 4 GiB), NORMAL [4 GiB, ...) on
 * every node (page/node.h), their watermarks and the reserve lower zones
 * keep against fallback within their node.
 *
 * Watermarks (Linux's formula): the whole machine keeps
 *     min_free = sqrt(16 * managed KiB) KiB   (at most 64 MiB)
 * split between the zones in proportion to their managed frames; per zone
 * low = min + min/4 and high = min + min/2. An allocation of order k from
 * zone z for a request whose first zone is c succeeds only if
 *     free(z) - 2^k >= mark + lowmem_reserve[z][c]
 * where mark is min, or less for the emergency reserve:
 *     __GFP_HIGH            min - min/2
 *     __GFP_ATOMIC          min - min/4
 *     GFP_ATOMIC (both)     min - min/2 - min/4   (= min/4)
 * lowmem_reserve[z][c] = managed frames of zones z+1..c / ratio[z], with
 * ratio 256 for DMA and DMA32 (Linux's defaults): a GFP_KERNEL allocation
 * falling back into DMA32 or DMA leaves that much for GFP_DMA32/GFP_DMA.
 *
 * free(z) is what nr_free_pages() counts: the buddy lists plus the zone's
 * frames on per-CPU lists, and the rule holds on every path (per-CPU lists
 * included: a reserve frame GFP_ATOMIC borrowed and freed onto a list stays
 * reserve). So the frames an order-0 request can take before failing ("free
 * minus reserve") are, per zone of its zonelist, free(z) - mark -
 * lowmem_reserve.
 */
#include "build.h"

#include "core.h"
#include "page/memmap.h"
#include "page/pcp.h"
#include "page/zone.h"

struct zone mm_zones[MM_NR_ZONE_SLOTS];
uint16_t mm_first_zone[MM_MAX_NUMNODES][MM_NR_ZONES];

static const char *const zone_names[MM_NR_ZONES] = { "DMA", "DMA32", "Normal" };
static const uint32_t lowmem_reserve_ratio[MM_NR_ZONES] = { 256, 256, 32 };
/* Linux's cap on min_free_kbytes: past 64 MiB the reserve stops growing. */
#define MIN_FREE_KB_MAX 65536u
/* A per-CPU batch is about 1/1024 of the zone (1 << PCP_BATCH_SHIFT). */
#define PCP_BATCH_SHIFT 10
/* Every CPU's list of a zone together holds at most 1/8 of it, so lists
 * the fast path does not count against the marks stay small beside them,
 * whatever the number of CPUs. */
#define PCP_ZONE_SHARE 8

void mm_zones_reset(void)
{
	static const uint64_t bounds[MM_NR_ZONES + 1] = {
		0, ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN, UINT64_MAX >> MM_PAGE_SHIFT
	};
	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++) {
		struct zone *z = &mm_zones[i];
		int t = i % MM_NR_ZONES;

		__builtin_memset(z, 0, sizeof(*z));
		z->lock = (mm_spinlock_t)MM_SPINLOCK_INIT;
		z->name = zone_names[t];
		z->node = (uint8_t)(i / MM_NR_ZONES);
		z->type = (uint8_t)t;
		z->start_pfn = bounds[t];
		z->end_pfn = bounds[t + 1];
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			z->area[o].head = MM_NO_PAGE;
	}
}

void mm_zones_init(void)
{
	for (size_t i = 0; i < mm_span_count(); i++) {
		const struct mm_span *s = mm_span_get(i);
		mm_zones[s->zone].present += s->nr_frames;
	}
}

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0;

	for (uint64_t bit = 1ull << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

static void setup_first_zones(void)
{
	for (unsigned int n = 0; n < MM_MAX_NUMNODES; n++)
		for (int c = 0; c < MM_NR_ZONES; c++) {
			mm_first_zone[n][c] = MM_NO_ZONE;
			for (int t = c; t >= 0; t--) {
				unsigned int z = mm_zone_slot(n, (enum zone_type)t);

				if (mm_zones[z].managed) {
					mm_first_zone[n][c] = (uint16_t)z;
					break;
				}
			}
		}
}

void mm_zone_setup_watermarks(void)
{
	uint64_t total = 0;

	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++)
		total += mm_zones[i].managed;
	uint64_t min_kb = isqrt(total * (MM_PAGE_SIZE / 1024) * 16);
	if (min_kb > MIN_FREE_KB_MAX)
		min_kb = MIN_FREE_KB_MAX;
	uint64_t min_frames = min_kb / (MM_PAGE_SIZE / 1024);

	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++) {
		struct zone *z = &mm_zones[i];
		uint64_t min = total ? min_frames * z->managed / total : 0;

		if (z->managed && min == 0)
			min = 1;
		z->wmark[WMARK_MIN] = min;
		z->wmark[WMARK_LOW] = min + min / 4;
		z->wmark[WMARK_HIGH] = min + min / 2;
		/* against the higher zones of its own node: a request
		 * reaches another node's zones only after all of its own */
		uint64_t above = 0;
		for (int c = 0; c < MM_NR_ZONES; c++) {
			if (c > z->type)
				above += mm_zones[mm_zone_slot(z->node,
							       (enum zone_type)c)].managed;
			z->lowmem_reserve[c] =
				c > z->type ? above / lowmem_reserve_ratio[z->type] : 0;
			z->min_mark[c] = min + z->lowmem_reserve[c];
		}
	}
	mm_zone_set_pcp_limits(mm_cpus_running());
	setup_first_zones();
}

void mm_zone_set_pcp_limits(unsigned int cpus)
{
	for (int i = 0; i < MM_NR_ZONE_SLOTS; i++) {
		struct zone *z = &mm_zones[i];
		/* batch ~ 1/1024 of the zone, 1..64; high 6x the batch (at most
		 * PCP_HIGH_MAX), but all CPUs' lists together at most
		 * 1/PCP_ZONE_SHARE of the zone */
		uint64_t batch = z->managed >> PCP_BATCH_SHIFT;
		uint64_t cap = z->managed / ((uint64_t)PCP_ZONE_SHARE * cpus);

		if (batch > PCP_BATCH_MAX)
			batch = PCP_BATCH_MAX;
		uint64_t high = PCP_HIGH_RATIO * batch;
		if (high > PCP_HIGH_MAX)
			high = PCP_HIGH_MAX;
		if (high > cap)
			high = cap;
		if (batch > high)
			batch = high;
		if (batch < 1)
			batch = 1;
		if (high < batch)
			high = batch;
		/* read by every CPU's fast path without the lock */
		__atomic_store_n(&z->pcp_batch, (uint32_t)batch, __ATOMIC_RELAXED);
		__atomic_store_n(&z->pcp_high, (uint32_t)high, __ATOMIC_RELAXED);
		mm_pcp_set_high(z);
	}
}

/* The interrupt states the inner locks saved; written and read only while
 * all zone locks are held. */
static unsigned long inner_irq[MM_NR_ZONE_SLOTS];

unsigned long mm_lock_all_zones(void)
{
	unsigned long irq = mm_port_lock_irqsave(&mm_zones[0].lock);

	for (int i = 1; i < MM_NR_ZONE_SLOTS; i++)
		inner_irq[i] = mm_port_lock_irqsave(&mm_zones[i].lock);
	return irq;
}

void mm_unlock_all_zones(unsigned long irq)
{
	for (int i = MM_NR_ZONE_SLOTS - 1; i > 0; i--)
		mm_port_unlock_irqrestore(&mm_zones[i].lock, inner_irq[i]);
	mm_port_unlock_irqrestore(&mm_zones[0].lock, irq);
}
