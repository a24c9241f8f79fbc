/* SPDX-License-Identifier: MIT */
/*
 * Checking and naming gfp masks (mm/page/gfp_names.c): every entry point
 * of the page and slab allocators checks its mask first.
 */
#ifndef MM_PAGE_GFP_CHECK_H
#define MM_PAGE_GFP_CHECK_H

#include <stddef.h>
#include <mm/gfp.h>
#include <mm/port.h>

#include "core.h"

/* "GFP_KERNEL|__GFP_ZERO" into buf; returns buf. */
const char *mm_gfp_format(gfp_t gfp, char *buf, size_t size);

/* Panics on contradictory or unknown bits, naming them. */
void mm_gfp_check_slow(const char *fn, gfp_t gfp);

static inline void gfp_check(const char *fn, gfp_t gfp)
{
	/* every bad mask has one of these bits */
	if (gfp & (~___GFP_BITS_MASK | __GFP_DMA | __GFP_DMA32 | __GFP_NOFAIL))
		mm_gfp_check_slow(fn, gfp);
}

/* Panics: a mask that may reclaim (and so wait for other CPUs) used in an
 * interrupt handler. */
_Noreturn void mm_gfp_context_panic(const char *fn, gfp_t gfp);

/* Debug builds: every entry point checks that its mask may be used where
 * it is called (GFP_KERNEL-class masks reclaim: not in an interrupt). */
static inline void gfp_check_context(const char *fn, gfp_t gfp)
{
	if (MM_DEBUG && (gfp & __GFP_DIRECT_RECLAIM) && mm_port_in_interrupt())
		mm_gfp_context_panic(fn, gfp);
}

#endif
