/* SPDX-License-Identifier: MIT */
/*
 * contigmalloc(9) and contigfree(9) with FreeBSD's names and types, so
 * drivers port both ways: physically contiguous runs of frames with an
 * address window, an alignment and a boundary, for DMA. Malloc types
 * (MALLOC_DEFINE) name the owner and keep statistics (`vmstat -m`).
 * Design and search algorithm: mm/contig.c and mm/freemap.c.
 *
 *   void *buf = contigmalloc(8192, M_DEVBUF, M_ZERO, 0, (1L << 22),
 *                            32 * 1024, 1024 * 1024);
 *   ...  vtophys(buf) is the bus address: 32 KiB aligned, below 4 MiB,
 *        not crossing a 1 MiB line  ...
 *   contigfree(buf, 8192, M_DEVBUF);
 */
#ifndef MM_CONTIG_H
#define MM_CONTIG_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/names.h>

typedef uint64_t vm_paddr_t;

/* ---- flags (FreeBSD's values) ----
 * M_NOWAIT  never reclaim or wait (may be used in an interrupt handler):
 *           when nothing fits, take back this CPU's per-CPU frames only,
 *           then return NULL if still nothing fits.
 * M_WAITOK  the default (the absence of M_NOWAIT): when nothing fits, drain
 *           the per-CPU lists and call the shrinkers (as GFP_KERNEL), then
 *           retry; NULL only when that makes no run fit. Never sleeps.
 * M_ZERO    zero-fill the memory.
 * Any other bit is ignored, as contigmalloc(9) says.
 */
#define M_NOWAIT 0x0001
#define M_WAITOK 0x0002
#define M_ZERO 0x0100

/* ---- malloc types ----
 * A named owner of allocations, with statistics. Define one per subsystem
 * with MALLOC_DEFINE(M_FOO, "foo", "foo buffers") in one .c file and
 * MALLOC_DECLARE(M_FOO) in a header; pass M_FOO to contigmalloc. Like
 * FreeBSD's, the name is an array of one, so M_FOO is a pointer.
 * Fields after ks_longdesc are private to mm/ (mm/malloc_type.c).
 */
struct malloc_type {
	const char *ks_shortdesc; /* the name in reports */
	const char *ks_longdesc;
	uint32_t ks_magic;        /* MALLOC_TYPE_MAGIC: checked on every call */
	bool ks_listed;           /* on the report list */
	uint16_t ks_index;        /* 1.. while listed; kept in each allocation */
	struct malloc_type *ks_next;
	uint64_t ks_requests;     /* successful allocations */
	uint64_t ks_frees;
	uint64_t ks_failures;     /* NULL returns */
	uint64_t ks_inuse_bytes;  /* rounded to pages */
	uint64_t ks_peak_bytes;   /* the most ever in use at once */
};

#define MALLOC_TYPE_MAGIC 0x6d74797eu

#define MALLOC_DEFINE(type, shortdesc, longdesc)                                \
	struct malloc_type type[1] = { { .ks_shortdesc = (shortdesc),          \
					 .ks_longdesc = (longdesc),            \
					 .ks_magic = MALLOC_TYPE_MAGIC } }
#define MALLOC_DECLARE(type) extern struct malloc_type type[1]

MALLOC_DECLARE(mm_M_DEVBUF); /* "devbuf": device driver memory */

/*
 * contigmalloc - size bytes of physically contiguous, wired memory.
 * The whole run [pa, pa + size rounded up to pages) lies in [low, high)
 * (high is exclusive: low 0, high 1 << 22 means 0..4194303 inclusive),
 * pa is a multiple of alignment (below the page size: page alignment) and
 * the run does not cross a multiple of boundary (0: no limit).
 * Returns the direct-map virtual address, always mapped, or NULL when no
 * such run can be found. Complete: if a run of free frames meeting every
 * constraint exists at the call, one is returned (runs may span buddy
 * blocks and zone edges, never node edges). NUMA: this CPU's node is
 * tried first, then the others nearest first (DOMAINSET_PREF of
 * numa_node_id(), below); the lowest fitting address of the first node
 * with a fit is chosen (on one node: the lowest fitting address).
 * Returns NULL at once (documented) when boundary != 0 and boundary < the
 * rounded size, when low >= high, or when no RAM lies in [low, high).
 * May reclaim unless M_NOWAIT (see the flags); never sleeps. Caller holds
 * no mm lock. Any free frame inside the window may be taken: the zone
 * watermarks and lowmem reserves of alloc_pages() do not apply (FreeBSD
 * keeps a small free reserve here; mm64 does not, see README).
 * Panics naming the argument and its value when size is 0, when alignment
 * is not a power of two (0 is not), when boundary is neither 0 nor a power
 * of two, or when type is not a malloc type.
 */
void *mm_contigmalloc(unsigned long size, struct malloc_type *type, int flags,
		   vm_paddr_t low, vm_paddr_t high, unsigned long alignment,
		   unsigned long boundary);

/* ---- NUMA policies (FreeBSD's domainset(9)) ----
 * A policy says which nodes ("domains") contigmalloc_domainset may take a
 * run from and in which order it tries them. Use only the objects these
 * return (static, one per node, set up by mm_init; never build one):
 *   DOMAINSET_FIXED(d)  node d only. NULL when no run fits on node d, even
 *                       if another node has one (as GFP_THISNODE).
 *   DOMAINSET_PREF(d)   node d first, then every other node nearest first
 *                       (the SRAT/SLIT distances, as alloc_pages_node).
 *   DOMAINSET_RR()      every node, starting at the next node of a global
 *                       round-robin cursor on each call, then in id order.
 * A domain outside 0 .. MM_MAX_NUMNODES - 1 panics, naming it, as
 * alloc_pages_node does; a domain this machine does not have (or a node
 * without RAM) is empty: FIXED gets NULL, PREF falls back from node 0's
 * order. These are macros of mm_ functions and keep their names under
 * MM_API_PREFIX, as the M_ flags do.
 * Fields are read-only for callers (FreeBSD's first three, minus its
 * bitset type: nodes fit one word, MM_MAX_NUMNODES <= 64).
 */
#define DOMAINSET_POLICY_INVALID 0
#define DOMAINSET_POLICY_ROUNDROBIN 1 /* also FIXED: one node in the mask */
#define DOMAINSET_POLICY_PREFER 3

struct domainset {
	uint64_t ds_mask;   /* allowed nodes: bit n is node n */
	uint16_t ds_policy; /* DOMAINSET_POLICY_ROUNDROBIN or _PREFER */
	uint16_t ds_prefer; /* PREFER: the node tried first */
	uint32_t ds_magic;  /* DOMAINSET_MAGIC: checked on every call */
};

#define DOMAINSET_MAGIC 0x646f6d73u

struct domainset *mm_domainset_fixed(int domain);
struct domainset *mm_domainset_pref(int domain);
struct domainset *mm_domainset_rr(void);
#define DOMAINSET_FIXED(domain) mm_domainset_fixed(domain)
#define DOMAINSET_PREF(domain) mm_domainset_pref(domain)
#define DOMAINSET_RR() mm_domainset_rr()

/*
 * contigmalloc_domainset - contigmalloc() on the nodes of policy ds, tried
 * in its order (above); FreeBSD's signature. Every constraint, flag, NULL
 * and panic of contigmalloc applies (messages name contigmalloc_domainset).
 * Complete per node: each node tried gets the lowest fitting run on that
 * node if one exists, so DOMAINSET_PREF and DOMAINSET_RR return NULL only
 * when no node has a fitting run (after reclaim unless M_NOWAIT), and
 * DOMAINSET_FIXED(d) only when node d has none. A run is always all on one
 * node (runs never leave a region, and regions are cut at node edges).
 * Free with contigfree(). Panics when ds is NULL or not a policy object
 * (bad magic, policy, node or mask), naming it.
 */
void *mm_contigmalloc_domainset(unsigned long size, struct malloc_type *type,
				struct domainset *ds, int flags, vm_paddr_t low,
				vm_paddr_t high, unsigned long alignment,
				unsigned long boundary);

/*
 * contigfree - give back memory from contigmalloc(); size must be the size
 * it was allocated with (compared after rounding up to pages). The frames
 * go back to the buddy lists with full coalescing. Never reclaims; caller
 * holds no mm lock. Panics naming the address and the reason on: an
 * address contigmalloc did not return (NULL, unaligned, outside managed
 * RAM, inside an allocation, another allocator's memory), a size that does
 * not match, a type other than the allocation's, a second free.
 */
void mm_contigfree(void *addr, unsigned long size, struct malloc_type *type);

/* The physical address behind a direct-map (or contigmalloc) address. */
vm_paddr_t mm_vtophys(const void *va);

/* Prints a `vmstat -m` style table of every malloc type used since boot. */
void mm_malloc_type_report(void);

#endif
