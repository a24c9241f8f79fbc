/* SPDX-License-Identifier: MIT */
/* Helpers for the frame allocator tests; see page_test_util.h. */
#include "page_test_util.h"

struct held_node {
	void *next;
	unsigned long order;
};

struct page *held_take(struct held *h, gfp_t gfp, unsigned int order)
{
	struct page *p = alloc_pages(gfp, order);

	if (!p)
		return NULL;
	struct held_node *n = page_address(p);
	n->next = h->head;
	n->order = order;
	h->head = n;
	h->blocks++;
	h->frames += 1ul << order;
	return p;
}

unsigned long held_take_all(struct held *h, gfp_t gfp)
{
	unsigned long before = h->frames;

	h->bulk = true;
	for (int o = MM_MAX_ORDER; o >= 0; o--)
		while (held_take(h, gfp, (unsigned int)o))
			;
	return h->frames - before;
}

void held_free_all(struct held *h)
{
	/* Giving back all of RAM: poisoning every frame would dominate an
	 * emulated 8 GiB run; poisoning has its own tests. */
	bool poison = mm_poison_enabled;

	if (h->bulk)
		mm_poison_enabled = false;
	while (h->head) {
		struct held_node *n = h->head;
		h->head = n->next;
		free_pages((unsigned long)n, (unsigned int)n->order);
	}
	mm_poison_enabled = poison;
	h->blocks = h->frames = 0;
	h->bulk = false;
}

void held_for_each(struct held *h, void (*fn)(uint64_t, unsigned int, void *),
		   void *arg)
{
	for (struct held_node *n = h->head; n; n = n->next)
		fn(virt_to_phys(n) >> MM_PAGE_SHIFT, (unsigned int)n->order, arg);
}

unsigned long page_budget(gfp_t gfp)
{
	enum zone_type c = gfp_classzone(gfp);
	uint16_t zl[MM_NR_ZONE_SLOTS];
	unsigned int nz = mm_zonelist((unsigned int)numa_node_id(), gfp, zl);
	unsigned long n = 0;

	for (unsigned int i = 0; i < nz; i++) {
		struct zone *zone = &mm_zones[zl[i]];
		uint64_t mark = zone_alloc_mark(zone, gfp, c);

		if (zone->free > mark)
			n += zone->free - mark;
	}
	return n;
}

static unsigned long test_scan(struct shrinker *s, gfp_t gfp, unsigned long nr)
{
	struct test_shrinker *t = (struct test_shrinker *)s;
	unsigned long freed = 0;

	t->calls++;
	t->last_gfp = gfp;
	if ((gfp & t->needs) != t->needs)
		return 0; /* e.g. needs I/O under GFP_NOIO: declines */
	while (freed < nr && t->pages.head) {
		struct held_node *n = t->pages.head;
		t->pages.head = n->next;
		t->pages.frames--;
		t->pages.blocks--;
		free_pages((unsigned long)n, 0);
		freed++;
	}
	t->freed += freed;
	return freed;
}

void test_shrinker_init(struct test_shrinker *t, const char *name, gfp_t needs)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->s.scan = test_scan;
	t->s.name = name;
	t->needs = needs;
	register_shrinker(&t->s);
}

unsigned long test_shrinker_fill(struct test_shrinker *t, unsigned long n)
{
	unsigned long got = 0;

	while (got < n && held_take(&t->pages, GFP_KERNEL | __GFP_NORETRY |
				    __GFP_NOWARN, 0))
		got++;
	return got;
}

void test_shrinker_done(struct test_shrinker *t)
{
	unregister_shrinker(&t->s);
	held_free_all(&t->pages);
}

void page_test_begin(struct buddyinfo *start)
{
	drain_all_pages();
	mm_buddyinfo_snapshot(start);
}

void page_test_end(const struct buddyinfo *start)
{
	struct buddyinfo now;

	drain_all_pages();
	mm_buddyinfo_snapshot(&now);
	for (int z = 0; z < MM_NR_ZONES; z++)
		for (int o = 0; o <= MM_MAX_ORDER; o++)
			if (now.nr[z][o] != start->nr[z][o]) {
				ktest_printf("#   buddyinfo differs: zone %s order %d: "
					     "%llu now, %llu at start\n",
					     mm_zones[z].name, o,
					     (unsigned long long)now.nr[z][o],
					     (unsigned long long)start->nr[z][o]);
			}
	KT_EXPECT(mm_buddyinfo_equal(&now, start));
	mm_check_invariants();
}

void page_test_quiesce(void)
{
	mm_direct_reclaim(GFP_KERNEL, ~0ul);
	drain_all_pages();
}

const char *page_test_pfn_needle(char *buf, uint64_t pfn)
{
	static const char hex[] = "0123456789abcdef";
	const char *prefix = "pfn 0x";
	int n = 0, sh = 60;

	while (*prefix)
		buf[n++] = *prefix++;
	while (sh > 0 && !((pfn >> sh) & 0xf))
		sh -= 4;
	for (; sh >= 0; sh -= 4)
		buf[n++] = hex[(pfn >> sh) & 0xf];
	buf[n] = '\0';
	return buf;
}
