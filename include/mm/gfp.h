/* SPDX-License-Identifier: MIT */
/*
 * GFP ("get free pages") flags: how an allocation may behave. Every
 * allocator of mm64 (alloc_pages, kmalloc, kmem_cache_alloc) takes one gfp_t.
 * The names and meanings are Linux's (kcalloc(9)), so code ports both ways.
 *
 * The raw bit values (___GFP_*) are private: use the __GFP_* modifiers and
 * the GFP_* combinations below. A mask is a GFP_* type, optionally OR'ed with
 * modifiers: GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN.
 *
 * There is no scheduler. "May sleep" means the allocator may run direct
 * reclaim synchronously when memory is short: drain the per-CPU lists, call
 * the registered shrinkers (which see the caller's mask), and retry.
 *
 * Contradictory masks panic, naming the flags: __GFP_DMA with __GFP_DMA32,
 * __GFP_HIGHMEM with either, __GFP_NOFAIL with __GFP_NORETRY, and bits that
 * are not defined here.
 */
#ifndef MM_GFP_H
#define MM_GFP_H

typedef unsigned int gfp_t;

/* ---- raw bits: private, use the names below ---- */
#define ___GFP_DMA              0x00001u
#define ___GFP_HIGHMEM          0x00002u
#define ___GFP_DMA32            0x00004u
#define ___GFP_HIGH             0x00020u
#define ___GFP_IO               0x00040u
#define ___GFP_FS               0x00080u
#define ___GFP_ZERO             0x00100u
#define ___GFP_ATOMIC           0x00200u
#define ___GFP_DIRECT_RECLAIM   0x00400u
#define ___GFP_COLD             0x00800u
#define ___GFP_NOWARN           0x01000u
#define ___GFP_REPEAT           0x02000u
#define ___GFP_NOFAIL           0x04000u
#define ___GFP_NORETRY          0x08000u
#define ___GFP_HARDWALL         0x10000u
#define ___GFP_THISNODE         0x20000u
#define ___GFP_BITS_MASK        0x3ffffu /* every defined bit */

/*
 * ---- Zone modifiers: where the memory may come from ----
 *
 * Zones: DMA [0, 16 MiB), DMA32 [16 MiB, 4 GiB), NORMAL [4 GiB, ...).
 * Default (no zone modifier): any zone, highest first: NORMAL -> DMA32 -> DMA.
 * Lower zones keep a reserve against such fallback (lowmem_reserve), so a
 * GFP_KERNEL allocation cannot eat the last ZONE_DMA frames.
 *
 * __GFP_DMA: ZONE_DMA only (below 16 MiB, for ISA-style devices). Meant for
 * kmalloc caches (kcalloc(9)); use sparingly, the zone is small.
 *
 * __GFP_DMA32: ZONE_DMA32, then ZONE_DMA: memory below 4 GiB, for devices
 * with 32-bit addressing.
 *
 * __GFP_HIGHMEM: the highest zone first, then fallback. On x86-64 there is no
 * highmem zone: it starts at ZONE_NORMAL, the same order as the default; it
 * exists so GFP_HIGHUSER says what it means.
 *
 * __GFP_THISNODE: memory of the requested node only (alloc_pages_node's
 * nid, or this CPU's node), never another node's: the request fails rather
 * than fall back, and other nodes' zones are not touched.
 */
#define __GFP_DMA       ((gfp_t)___GFP_DMA)
#define __GFP_DMA32     ((gfp_t)___GFP_DMA32)
#define __GFP_HIGHMEM   ((gfp_t)___GFP_HIGHMEM)
#define __GFP_THISNODE  ((gfp_t)___GFP_THISNODE)
#define GFP_ZONEMASK    (__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)

/*
 * ---- Watermark modifiers: access to the emergency reserve ----
 *
 * Every zone keeps free frames below its "min" watermark (scaled with the
 * zone: see mm/zone.c) for callers that cannot wait. Default: an allocation
 * must leave at least min (+ lowmem_reserve) frames free in the zone.
 *
 * __GFP_HIGH: high priority; may use half of the min reserve (the zone may
 * fall to min/2).
 *
 * __GFP_ATOMIC: the caller cannot reclaim (interrupt context); together with
 * __GFP_HIGH (as in GFP_ATOMIC) it may use three quarters of the min reserve
 * (the zone may fall to min/4). On its own it grants a quarter (3/4 min).
 */
#define __GFP_HIGH      ((gfp_t)___GFP_HIGH)
#define __GFP_ATOMIC    ((gfp_t)___GFP_ATOMIC)

/*
 * ---- Reclaim modifiers: what the allocator may do when memory is short ----
 *
 * __GFP_DIRECT_RECLAIM: the caller may "sleep": the allocator runs direct
 * reclaim (drain per-CPU lists, call shrinkers) and retries. Without it the
 * allocation fails at once when the free lists cannot satisfy it.
 *
 * __GFP_IO: reclaim may start I/O. Shrinkers that need I/O return 0 without it.
 *
 * __GFP_FS: reclaim may call into a filesystem. Shrinkers that need the
 * filesystem return 0 without it.
 *
 * __GFP_NORETRY: when memory is not immediately available, give up at once:
 * no reclaim, no retry.
 *
 * __GFP_REPEAT: when the first reclaim-and-retry fails, reclaim and retry
 * once more before failing (two rounds instead of one).
 *
 * __GFP_NOFAIL: the allocation must not fail: reclaim and retry for as long
 * as reclaim makes progress. When no progress is possible the allocator
 * panics with an out-of-memory report (zones and free blocks); it never
 * returns NULL and never loops silently. Think twice before using it; it
 * needs __GFP_DIRECT_RECLAIM to have any chance, and contradicts
 * __GFP_NORETRY.
 *
 * Default (GFP_KERNEL): one reclaim-and-retry round, then fail.
 */
#define __GFP_DIRECT_RECLAIM ((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_RECLAIM   __GFP_DIRECT_RECLAIM
#define __GFP_IO        ((gfp_t)___GFP_IO)
#define __GFP_FS        ((gfp_t)___GFP_FS)
#define __GFP_NORETRY   ((gfp_t)___GFP_NORETRY)
#define __GFP_REPEAT    ((gfp_t)___GFP_REPEAT)
#define __GFP_NOFAIL    ((gfp_t)___GFP_NOFAIL)

/*
 * ---- Action modifiers ----
 *
 * __GFP_ZERO: the returned memory is zero-filled (every frame of the block).
 *
 * __GFP_COLD: a cache-cold frame: order-0 allocations take from the tail of
 * the per-CPU list (the frame freed longest ago) instead of the head (the
 * frame freed last, likely still in cache). Default: hot.
 *
 * __GFP_NOWARN: a failure prints nothing. Default: a failed allocation logs
 * "page allocation failure" with the order, the flags by name and the free
 * blocks per zone and order (buddyinfo).
 *
 * __GFP_HARDWALL: allocate within the caller's cpuset. mm64 has no cpusets;
 * accepted and ignored (part of GFP_USER).
 */
#define __GFP_ZERO      ((gfp_t)___GFP_ZERO)
#define __GFP_COLD      ((gfp_t)___GFP_COLD)
#define __GFP_NOWARN    ((gfp_t)___GFP_NOWARN)
#define __GFP_HARDWALL  ((gfp_t)___GFP_HARDWALL)

/*
 * ---- Useful combinations ----
 *
 * GFP_KERNEL:   normal kernel memory. May reclaim (shrinkers may do I/O and
 *               fs calls). Any zone, NORMAL first. Not in interrupt context.
 * GFP_USER:     memory on behalf of user space: GFP_KERNEL within the cpuset.
 * GFP_HIGHUSER: user memory from the highest zone first (above 4 GiB when
 *               there is RAM there), then fallback.
 * GFP_NOIO:     may reclaim, but no I/O (block-layer paths).
 * GFP_NOFS:     may reclaim and do I/O, but no filesystem calls (fs paths).
 * GFP_ATOMIC:   never reclaims ("will not sleep"); may use the emergency
 *               reserve (down to min/4). For interrupt handlers.
 * GFP_NOWAIT:   never reclaims, no reserve. Fails fast; the caller has a
 *               fallback.
 * GFP_THISNODE: the requested node only; with no fallback, quietly and
 *               without retrying (includes __GFP_NOWARN | __GFP_NORETRY, as
 *               in Linux 2.6). Combine with a base type:
 *               GFP_KERNEL | GFP_THISNODE.
 * GFP_DMA:      ZONE_DMA (< 16 MiB). Combine: GFP_KERNEL | GFP_DMA.
 * GFP_DMA32:    below 4 GiB.           Combine: GFP_KERNEL | GFP_DMA32.
 *
 * Typical: GFP_KERNEL | __GFP_ZERO (zeroed kernel memory);
 *          GFP_ATOMIC | __GFP_NOWARN (opportunistic, in an interrupt);
 *          GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN (a cache that can do
 *          without); GFP_NOFS | __GFP_NOFAIL (must not fail, in fs code).
 */
#define GFP_NOWAIT      ((gfp_t)0)
#define GFP_ATOMIC      (__GFP_HIGH | __GFP_ATOMIC)
#define GFP_NOIO        (__GFP_DIRECT_RECLAIM)
#define GFP_NOFS        (__GFP_DIRECT_RECLAIM | __GFP_IO)
#define GFP_KERNEL      (__GFP_DIRECT_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_USER        (GFP_KERNEL | __GFP_HARDWALL)
#define GFP_HIGHUSER    (GFP_USER | __GFP_HIGHMEM)
#define GFP_THISNODE    (__GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY)
#define GFP_DMA         __GFP_DMA
#define GFP_DMA32       __GFP_DMA32

_Static_assert(___GFP_BITS_MASK < (1u << 31), "gfp bits fit an unsigned int");
_Static_assert(sizeof(gfp_t) == 4, "gfp_t is an unsigned int");

#endif
