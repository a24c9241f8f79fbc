/* SPDX-License-Identifier: MIT */
/*
 * The memory-map sanitizer: turns a firmware map (unsorted, overlapping,
 * unaligned, possibly nonsense) into what mm_init() wants — sorted,
 * non-overlapping ranges, usable RAM in whole 4 KiB frames — and edits such
 * a map (mem=, memmap=). Hardware-free: builds for the kernel and the host.
 *
 * Overlaps are resolved in favour of the more restrictive type:
 *
 *     BAD  >  ACPI_NVS  >  RESERVED (and every unknown type)  >
 *     ACPI_RECLAIMABLE  >  USABLE
 *
 * Unknown type numbers (0, 6, 7, ...) count as RESERVED and come out as
 * MM_RANGE_RESERVED. Physical addresses stop at MEMMAP_PHYS_LIMIT (2^52,
 * x86-64's architectural maximum): a range running past it is clamped, one
 * starting at or above it is dropped, each with a log line.
 *
 * No function here allocates: output goes to caller-supplied arrays, and
 * the sweep is O(n^2) over at most a few hundred entries.
 */
#ifndef KERNEL_MEMMAP_H
#define KERNEL_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

/* The log callback of the boot-info code (printk's format subset). */
typedef void (*boot_log_fn)(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define MEMMAP_PHYS_LIMIT (1ull << 52)

/* Round down / up to a 4 KiB frame boundary. x must be < MEMMAP_PHYS_LIMIT
 * for the round-up (true of every clamped address here), so it never wraps. */
static inline uint64_t memmap_page_down(uint64_t x)
{
	return x & ~(MM_PAGE_SIZE - 1);
}

static inline uint64_t memmap_page_up(uint64_t x)
{
	return (x + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
}

static inline uint64_t memmap_end(const struct mm_range *r)
{
	return r->start + r->length;
}

/* Priority of a type when ranges overlap: higher wins (see above). */
int memmap_type_rank(uint32_t type);

/* The type a range has in a sanitized map: unknown types become RESERVED. */
uint32_t memmap_canonical_type(uint32_t type);

/* A short name for reports ("usable", "reserved", "ACPI data", ...). */
const char *memmap_type_name(uint32_t type);

/*
 * memmap_sanitize - build a sanitized map from a raw firmware map.
 * @in, @n:    raw ranges, any order, may overlap; not modified.
 * @out, @cap: where the result goes (must not alias @in).
 * @truncated: set when @out filled up and the highest ranges were dropped
 *             (logged); may be NULL.
 * @log:       receives one line per dropped or clamped entry; may be NULL.
 * Returns the number of ranges written. The result is sorted, non-overlapping,
 * has no empty range, no two adjacent ranges of one type, only types 1..5,
 * and every USABLE range starts and ends on a 4 KiB boundary.
 */
size_t memmap_sanitize(const struct mm_range *in, size_t n,
		       struct mm_range *out, size_t cap, bool *truncated,
		       boot_log_fn log);

/*
 * memmap_set_range - make [start, end) of a sanitized map one type.
 * Whatever the map said about the range is replaced (a hole becomes a range
 * of @type too); the map stays sanitized (USABLE neighbours cut by an
 * unaligned range lose their partial frames).
 * @n is updated. Returns false, leaving the map unchanged, when the result
 * would not fit in @cap entries or when start >= end or end is past
 * MEMMAP_PHYS_LIMIT.
 */
bool memmap_set_range(struct mm_range *map, size_t *n, size_t cap,
		      uint64_t start, uint64_t end, uint32_t type);

/*
 * memmap_limit_usable - forget USABLE RAM at or above @limit (mem=).
 * @limit is rounded down to a frame. Other types are kept. Returns the
 * number of bytes of RAM removed; @n is updated.
 */
uint64_t memmap_limit_usable(struct mm_range *map, size_t *n, uint64_t limit);

/* Total bytes in the USABLE ranges of a map. */
uint64_t memmap_usable_bytes(const struct mm_range *map, size_t n);

/* Bytes of [start, end) covered by the union of @ranges (any order, may
 * overlap; types ignored). */
uint64_t memmap_covered_bytes(uint64_t start, uint64_t end,
			      const struct mm_range *ranges, size_t n);

/* True if @map is sanitized (see memmap_sanitize); else *why names the first
 * violation. */
bool memmap_check(const struct mm_range *map, size_t n, const char **why);

#endif
