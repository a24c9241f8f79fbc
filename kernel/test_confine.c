/* SPDX-License-Identifier: MIT */
/*
 * Confining the suite to a bounded amount of RAM on a big machine.
 *
 * Many tests exhaust memory (take every frame a mask may have, then check
 * what fails and that everything comes back) and the debug checks look at
 * every frame of every block taken and freed: under emulation that is
 * O(free RAM) per test, about a minute per exhaustion at 1 TiB, and a
 * held block is written once (its list link) so the host backs a page per
 * block. So before the suite the test kernel takes the free RAM beyond a
 * limit (64 GiB; `test_ram=SIZE`, `test_ram=0` for none) out of ZONE_NORMAL
 * in MM_MAX_ORDER blocks that it never writes (their pfns go into an array
 * of its own), prints how much, and gives it all back after the suite,
 * failing the run unless nr_free_pages() is then what it was before. The
 * machine stays what it is: mm_init, the metadata, the watermarks and the
 * lowmem reserves are those of the whole machine, and the tests that look
 * at all of RAM (the report, the direct map, the last frame) still see all
 * of it; only the free frames the tests can take are bounded. ZONE_DMA and
 * ZONE_DMA32 are never touched, so their tests run as on a small machine.
 */
#include "test_confine.h"

#include <mm/mm.h>

#include "cmdline.h"
#include "cpu.h"
#include "page/poison.h"
#include "panic.h"
#include "printk.h"
#include "tsc.h"

#define TEST_RAM_DEFAULT (64ull << 30)
#define BLOCK_FRAMES (1ul << MM_MAX_ORDER)
#define FOUR_GIB (4ull << 30)

static uint64_t *held_pfns;      /* the held blocks' first frames */
static unsigned long held_blocks;
static unsigned int array_order; /* of the block holding held_pfns */
static unsigned long free_before;

static unsigned int order_for_bytes(uint64_t bytes)
{
	unsigned int o = 0;

	while ((MM_PAGE_SIZE << o) < bytes)
		o++;
	return o;
}

void test_confine_ram(const char *cmdline)
{
	char buf[32];
	uint64_t limit = TEST_RAM_DEFAULT;
	const char *v = cmdline_get(cmdline, "test_ram", buf, sizeof(buf));
	const char *end;

	if (v && (!cmdline_parse_size(v, &limit, &end) || *end))
		panic("test_confine_ram: test_ram=%s is not a SIZE", v);
	drain_all_pages();
	free_before = nr_free_pages();
	uint64_t free_bytes = (uint64_t)free_before << MM_PAGE_SHIFT;
	if (limit == 0 || free_bytes <= limit) {
		printk("tests: all %llu MiB of free RAM in use (limit %llu MiB%s)\n",
		       (unsigned long long)(free_bytes >> 20),
		       (unsigned long long)(limit >> 20), limit ? "" : ": none");
		return;
	}
	unsigned long want = (unsigned long)((free_bytes - limit) >> MM_PAGE_SHIFT) /
			     BLOCK_FRAMES;
	array_order = order_for_bytes((uint64_t)want * sizeof(uint64_t));
	if (array_order > MM_MAX_ORDER)
		panic("test_confine_ram: %lu blocks do not fit one array block", want);
	struct page *array = alloc_pages(GFP_KERNEL, array_order);
	if (!array)
		panic("test_confine_ram: no order-%u block for the array", array_order);
	held_pfns = page_address(array);

	uint64_t t0 = tsc_now_ns();
	while (held_blocks < want) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN,
					     MM_MAX_ORDER);
		if (!p)
			break;
		if (page_to_phys(p) < FOUR_GIB) { /* ZONE_NORMAL is used up */
			__free_pages(p, MM_MAX_ORDER);
			break;
		}
		held_pfns[held_blocks++] = page_to_pfn(p);
	}
	uint64_t held_mib = ((uint64_t)held_blocks * BLOCK_FRAMES) >> (20 - MM_PAGE_SHIFT);
	printk("tests: confined to %llu MiB of free RAM (test_ram=, default 64G): "
	       "%llu MiB of ZONE_NORMAL held aside in %lu order-%d blocks for the "
	       "whole suite (%llu ms), given back and counted at the end\n",
	       (unsigned long long)((nr_free_pages() >> (20 - MM_PAGE_SHIFT))),
	       (unsigned long long)held_mib, held_blocks, MM_MAX_ORDER,
	       (unsigned long long)((tsc_now_ns() - t0) / 1000000));
}

bool test_release_ram(void)
{
	if (held_pfns) {
		/* never written: poisoning them would write all of them */
		bool poison = mm_poison_enabled;
		mm_poison_enabled = false;
		for (unsigned long i = 0; i < held_blocks; i++)
			__free_pages(pfn_to_page(held_pfns[i]), MM_MAX_ORDER);
		mm_poison_enabled = poison;
		free_pages((unsigned long)held_pfns, array_order);
		held_pfns = NULL;
		held_blocks = 0;
	}
	drain_all_pages();
	unsigned long now = nr_free_pages();
	if (now != free_before) {
		printk("tests: FAIL: nr_free_pages %lu after the suite, %lu before\n",
		       now, free_before);
		return false;
	}
	printk("tests: every frame back: nr_free_pages %lu before and after the suite\n",
	       now);
	return true;
}
