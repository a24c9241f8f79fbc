/* SPDX-License-Identifier: MIT */
/*
 * Reclaim (mm/page/reclaim.c): the shrinkers, asked on behalf of an
 * allocation that failed its watermark check, and direct reclaim for
 * callers that need frames in gfp's zones (contig).
 */
#ifndef MM_PAGE_RECLAIM_H
#define MM_PAGE_RECLAIM_H

#include <mm/gfp.h>

/* What the shrinkers did: frames they freed into the zones of the
 * request's zonelist (measured on the zones' free counts around each call:
 * the progress the request can use), and what their scan() said. */
struct shrink_result {
	unsigned long usable, reported;
};

/*
 * mm_shrink_for_alloc - call the shrinkers (each sees gfp) until an
 * order-`order` request with gfp preferring node passes the watermark
 * check in one zone of its zonelist, or every shrinker has been asked (again while it reports
 * frees that did not help, a bounded number of times). Never called with a
 * zone lock held.
 */
struct shrink_result mm_shrink_for_alloc(gfp_t gfp, unsigned int node,
					 unsigned int order);

/*
 * mm_direct_reclaim - drain the per-CPU lists, then call the shrinkers
 * until they have freed nr_frames into gfp's zones (this CPU's zonelist). Returns those frames:
 * drained frames were counted as free already, so they are not progress.
 */
unsigned long mm_direct_reclaim(gfp_t gfp, unsigned long nr_frames);

void mm_shrinkers_reset(void);

#endif
