/* SPDX-License-Identifier: MIT */
/* Host-only knobs of the host port and arena, for host tests and benchmarks. */
#ifndef HOST_PORT_H
#define HOST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

void host_set_cpu(unsigned int cpu);
void host_set_cpu_count(unsigned int n);
void host_set_log_quiet(bool quiet);
/* Sends mm_port_log() output into buf (NUL-terminated, truncated when
 * full) instead of stdout, until host_log_capture(NULL, 0). */
void host_log_capture(char *buf, size_t size);
size_t host_log_captured(void); /* bytes captured so far */

/*
 * Backs "physical" [0, max end of map) with a lazily committed anonymous
 * mapping and points the direct map at it; then runs mm_init(map, ...).
 * A later call releases the previous arena. Host tests use it to run the
 * real allocator on a map of their choosing.
 */
void host_mm_init(const struct mm_range *map, size_t map_len,
		  const struct mm_range *reserved, size_t reserved_len);

/* The map every host test starts from (host_mm_default): RAM in all three
 * zones with a hole, small enough to exhaust quickly. */
void host_mm_default(void);

#endif
