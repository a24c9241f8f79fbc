/* SPDX-License-Identifier: MIT */
/*
 * The contigmalloc oracle and the property test built on it
 * (tests/mm/contig/contig_oracle.c), shared by the API tests of
 * tests/mm/contig/test_contig.c and the host-only maps of
 * tests/mm/contig/test_contig_host.c.
 */
#ifndef CONTIG_ORACLE_H
#define CONTIG_ORACLE_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/contig.h>

#include "page/report.h"

/* The malloc type of every test allocation (defined in contig_oracle.c). */
MALLOC_DECLARE(M_CONTIGTEST);

/* ---- before/after ----
 * ct_begin drains the per-CPU lists and records the buddy free blocks per
 * zone and order and the free page count; ct_end checks both are back. */
struct ct_snapshot {
	struct buddyinfo bi;
	unsigned long free;
};

void ct_begin(struct ct_snapshot *s);
void ct_end(const struct ct_snapshot *s);

/* The lowest physical address contigmalloc may return for these arguments
 * given the buddy free lists now, or UINT64_MAX when none. Reads the buddy's
 * state bytes, never the freemap. */
uint64_t ct_oracle(unsigned long size, uint64_t low, uint64_t high,
		   unsigned long alignment, unsigned long boundary);

/* The same over the regions of one node only (-1: all, as ct_oracle). */
uint64_t ct_oracle_node(unsigned long size, uint64_t low, uint64_t high,
			unsigned long alignment, unsigned long boundary,
			int node);

/* What contigmalloc_domainset(ds) may return (ds NULL: plain contigmalloc
 * on this CPU): ct_oracle_node of each node of the policy in its order,
 * the first answer. DOMAINSET_FIXED and DOMAINSET_PREF only (the start of
 * DOMAINSET_RR is not the oracle's to know). */
uint64_t ct_oracle_ds(unsigned long size, uint64_t low, uint64_t high,
		      unsigned long alignment, unsigned long boundary,
		      const struct domainset *ds);

/* ---- checks on one result ---- */

/* Whether the first bytes / 8 words at va are all zero. */
bool ct_all_zero(const void *va, uint64_t bytes);

/* Every frame of the run is claimed by contigmalloc (so none is reserved,
 * free, or another allocator's). */
bool ct_frames_claimed(uint64_t pa, uint64_t bytes);

/* The seeded property test on the live map: random contigmalloc requests
 * (sizes, windows in/around/between/beyond RAM, alignments, boundaries,
 * flags) interleaved with frees; every success checked, every NULL checked
 * against an exhaustive oracle over the buddy's state bytes. Ends with the
 * free blocks per zone and order as at the start. Returns the number of
 * successes at or above 4 GiB. */
uint64_t contig_property_run(int requests);
/* The same through contigmalloc_domainset(ds) (NULL: contigmalloc), each
 * answer ct_oracle_ds's; FIXED results checked to be on their node. */
uint64_t contig_property_run_ds(int requests, struct domainset *ds);

#endif
