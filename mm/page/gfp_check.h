/* SPDX-License-Identifier: MIT */
/*
 * Checking and naming gfp masks (mm/page/gfp_names.c): every entry point
 * of the page and slab allocators checks its mask first.
 */
#ifndef MM_PAGE_GFP_CHECK_H
#define MM_PAGE_GFP_CHECK_H

#include <stddef.h>
#include <mm/gfp.h>

/* "GFP_KERNEL|__GFP_ZERO" into buf; returns buf. */
const char *gfp_format(gfp_t gfp, char *buf, size_t size);

/* Panics on contradictory or unknown bits, naming them. */
void gfp_check_slow(const char *fn, gfp_t gfp);

static inline void gfp_check(const char *fn, gfp_t gfp)
{
	/* every bad mask has one of these bits */
	if (gfp & (~___GFP_BITS_MASK | __GFP_DMA | __GFP_DMA32 | __GFP_NOFAIL))
		gfp_check_slow(fn, gfp);
}

#endif
