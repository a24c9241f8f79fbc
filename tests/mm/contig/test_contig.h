/* SPDX-License-Identifier: MIT */
/* Shared by tests/mm/test_contig.c and the host-only tests/host/test_contig_host.c. */
#ifndef TEST_CONTIG_H
#define TEST_CONTIG_H

#include <stdint.h>

/* The seeded property test on the live map: random contigmalloc requests
 * (sizes, windows in/around/between/beyond RAM, alignments, boundaries,
 * flags) interleaved with frees; every success checked, every NULL checked
 * against an exhaustive oracle over the buddy's state bytes. Ends with the
 * free blocks per zone and order as at the start. Returns the number of
 * successes at or above 4 GiB. */
uint64_t contig_property_run(int requests);

#endif
