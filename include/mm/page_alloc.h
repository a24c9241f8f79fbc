/* SPDX-License-Identifier: MIT */
/*
 * The frame allocator: physical 4 KiB frames in naturally aligned blocks of
 * 2^order frames, order 0..MM_MAX_ORDER (default 10: 4 MiB). Linux's names,
 * so code ports both ways. Flags: <mm/gfp.h>. Design: mm/buddy.c.
 *
 * Locking: every function here takes the locks it needs itself (zone
 * spinlocks, which keep interrupts off) and may be called with interrupts
 * off. "May reclaim" means it may call the registered shrinkers, so the
 * caller must not hold a lock a shrinker takes.
 *
 * Per-frame metadata (9 bytes per frame, in arrays beside each other):
 *
 *   struct page (8 bytes)                     state byte (mm/ private)
 *   +---------------------------------+       +----------+--------+------+
 *   | free block's first frame:       |       | kind (3) | order  |poison|
 *   |   next, prev (32-bit indices)   |       | free,    | (4)    | (1)  |
 *   | allocated: private (owner word) |       | alloc... |        |      |
 *   +---------------------------------+       +----------+--------+------+
 */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/gfp.h>
#include <mm/memmap.h>
#include <mm/names.h>

#ifndef MM_MAX_ORDER
#define MM_MAX_ORDER 10
#endif
#define MAX_ORDER MM_MAX_ORDER
#define PAGE_SHIFT MM_PAGE_SHIFT
#define PAGE_SIZE MM_PAGE_SIZE
#define NUMA_NO_NODE (-1)
/* NUMA nodes mm/ can serve: node ids 0 .. MM_MAX_NUMNODES - 1 (a node entry
 * of mm_init_numa or a CPU on a node beyond that panics, naming it). */
#ifndef MM_MAX_NUMNODES
#define MM_MAX_NUMNODES 8
#endif
_Static_assert(MM_MAX_NUMNODES >= 1 && MM_MAX_NUMNODES <= 64,
	       "MM_MAX_NUMNODES must be 1..64");

_Static_assert(MM_MAX_ORDER >= 1 && MM_MAX_ORDER <= 15,
	       "MM_MAX_ORDER must be 1..15 (4 bits of the state byte)");

/* One per physical frame of managed RAM. Contents are private to mm/ except
 * through page_private()/set_page_private() on an allocated frame. */
struct page {
	union {
		struct {
			uint32_t next; /* frame index, MM_NO_PAGE = none */
			uint32_t prev;
		} lru;
		unsigned long private;
	};
};
_Static_assert(sizeof(struct page) == 8, "struct page is 8 bytes");
_Static_assert(sizeof(struct page) <= 16, "at most 16 bytes per frame");

/* ---- allocation ---- */

/*
 * alloc_pages - allocate 2^order contiguous frames, naturally aligned.
 * Returns the first frame's struct page, or NULL when gfp's rules cannot be
 * met (never NULL with __GFP_NOFAIL: panics instead when no progress is
 * possible). An order above MAX_ORDER returns NULL (with a warning unless
 * __GFP_NOWARN). May reclaim if gfp has __GFP_DIRECT_RECLAIM. Panics on a
 * contradictory gfp mask. Caller holds no mm lock.
 */
struct page *mm_alloc_pages(gfp_t gfp, unsigned int order);

/*
 * alloc_pages_node - alloc_pages() preferring node nid (NUMA_NO_NODE: this
 * CPU's node, numa_node_id()). Every allocation walks the zones of its
 * preferred node first (highest allowed type down to DMA), then the other
 * nodes' in order of distance (the port's mm_port_node_distance; ties by
 * node id). With __GFP_THISNODE only nid's zones are tried: NULL when they
 * cannot serve the request, without touching another node. A node with
 * no RAM (memoryless, or not on this machine) has empty zones: its
 * requests start at the nearest node with RAM. A nid outside NUMA_NO_NODE
 * and 0 .. MM_MAX_NUMNODES - 1 panics, naming it.
 */
struct page *mm_alloc_pages_node(int nid, gfp_t gfp, unsigned int order);

static inline struct page *mm_alloc_page(gfp_t gfp)
{
	return mm_alloc_pages(gfp, 0);
}

/*
 * __get_free_pages - alloc_pages() returning the direct-map address, or 0.
 * get_zeroed_page - one zeroed frame, or 0.
 */
unsigned long mm___get_free_pages(gfp_t gfp, unsigned int order);
unsigned long mm_get_zeroed_page(gfp_t gfp);
static inline unsigned long mm___get_free_page(gfp_t gfp)
{
	return mm___get_free_pages(gfp, 0);
}

/* ---- freeing ----
 *
 * __free_pages - give back a block from alloc_pages() with the same order.
 * free_pages - the same by direct-map address (0 is ignored).
 * Never reclaim; callable with interrupts off. Panics naming the pfn and
 * the reason on: a double free, a frame that was never allocated (or lies
 * inside another block), a reserved frame, a wrong order, a misaligned
 * address, an address outside managed memory. Debug builds poison the
 * frames so a later write is reported at the next allocation.
 */
void mm___free_pages(struct page *page, unsigned int order);
void mm_free_pages(unsigned long addr, unsigned int order);
static inline void mm___free_page(struct page *page)
{
	mm___free_pages(page, 0);
}

static inline void mm_free_page(unsigned long addr)
{
	mm_free_pages(addr, 0);
}

/* ---- conversions (managed RAM only; NULL/0 or a panic outside it) ---- */

/* Frame number of a struct page; panics on a pointer that is not one. */
uint64_t mm_page_to_pfn(const struct page *page);
/* struct page of a frame, or NULL when pfn is not managed RAM. */
struct page *mm_pfn_to_page(uint64_t pfn);
uint64_t mm_page_to_phys(const struct page *page);
struct page *mm_phys_to_page(uint64_t pa); /* NULL outside managed RAM */
void *mm_page_address(const struct page *page);
struct page *mm_virt_to_page(const void *va); /* NULL outside managed RAM */
uint64_t mm_virt_to_phys(const void *va);
void *mm_phys_to_virt(uint64_t pa);

/* The owner word of an ALLOCATED frame (any frame of a block); 0 on every
 * frame of a block fresh from the allocator. */
unsigned long mm_page_private(const struct page *page);

/* Sets the owner word of an ALLOCATED frame. Write it through here only:
 * a value other than 0 on a frame inside a block marks the frame, so the
 * allocator clears the word before the frame is handed out again (and need
 * not touch the words nobody set). */
void mm_set_page_private(struct page *page, unsigned long v);

/* ---- state ---- */

/* Free frames: in the buddy lists plus on per-CPU lists. Lock-free read. */
unsigned long mm_nr_free_pages(void);

/* ---- NUMA nodes ----
 * page_to_nid - the node of a frame (its mm_init_numa node entry's; 0
 * where none covers it).
 * numa_node_id - this CPU's node (mm_port_cpu_node at mm_init or
 * mm_cpu_online). num_online_nodes - nodes of this machine: 1 + the highest
 * node id of the node entries and the CPUs (a node may have CPUs and no
 * RAM).
 * nr_free_pages_node - nr_free_pages() of one node's zones.
 */
int mm_page_to_nid(const struct page *page);
int mm_numa_node_id(void);
unsigned int mm_num_online_nodes(void);
unsigned long mm_nr_free_pages_node(int nid);

/*
 * drain_all_pages - give every CPU's per-CPU lists back to the buddy lists.
 * Each CPU empties its own (a cross-CPU call, mm_port_call_on_cpu) and the
 * caller waits for all of them: not in an interrupt handler (panics), no
 * mm lock held. Returns the frames moved.
 */
unsigned long mm_drain_all_pages(void);

/* ---- shrinkers: memory a subsystem can give back under pressure ---- */

struct shrinker {
	/*
	 * scan - free up to nr_to_free frames, return how many were freed.
	 * Sees the allocating caller's gfp: a shrinker that needs I/O returns
	 * 0 without __GFP_IO, one that needs the fs returns 0 without
	 * __GFP_FS. Called with no mm lock held; it may free pages.
	 */
	unsigned long (*scan)(struct shrinker *s, gfp_t gfp,
			      unsigned long nr_to_free);
	const char *name;
	/* private to mm/ (reclaim.c): the list, the reclaim runs inside
	 * scan() now, the last run that asked it */
	struct shrinker *next;
	unsigned int users;
	bool registered;
	unsigned long asked_in_run;
};

/* Adds s to the list reclaim walks (any CPU, any time, also while reclaim
 * runs). Returns 0; panics if s is already registered or has no scan
 * function. */
int mm_register_shrinker(struct shrinker *s);
/* Removes s, then waits until no CPU is inside s->scan(): once it returns,
 * s may be freed. Panics if s is not registered, or when called in an
 * interrupt handler. Not from s->scan itself (it would wait for itself),
 * and with interrupts on: a scan running on another CPU may be waiting for
 * a cross-CPU call to this one. */
void mm_unregister_shrinker(struct shrinker *s);

#endif
