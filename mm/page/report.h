/* SPDX-License-Identifier: MIT */
/*
 * The page allocator's state for people and tests (mm/page/report.c):
 * printed reports, buddy-list snapshots and the invariant walk.
 */
#ifndef MM_PAGE_REPORT_H
#define MM_PAGE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/page_alloc.h>

#include "zone_bounds.h"

void mm_zone_print_buddyinfo(void);  /* free blocks per zone and order */
void mm_zone_print_zones(void);      /* managed/free/reserved, watermarks */
void mm_page_print_map(void);        /* ASCII map of physical memory */
void mm_page_report(void);           /* all of the above, with metadata */

/* Free blocks per zone and order (buddy lists only), for before/after
 * comparisons in tests. */
struct buddyinfo {
	uint64_t nr[MM_NR_ZONE_SLOTS][MM_MAX_ORDER + 1]; /* by zone slot */
};
void mm_buddyinfo_snapshot(struct buddyinfo *bi);
bool mm_buddyinfo_equal(const struct buddyinfo *a, const struct buddyinfo *b);

/* Walks every block; panics on a broken invariant (debug and tests). */
void mm_check_invariants(void);

#endif
