/* SPDX-License-Identifier: MIT */
/*
 * Memory-map sanitizer (see memmap.h for the rules).
 *
 * memmap_sanitize() sweeps the address space from boundary to boundary: the
 * boundaries are the starts and ends of the raw entries; between two
 * consecutive boundaries the type is that of the highest-ranked entry
 * covering the piece (or a hole if none does). Each step scans all entries,
 * so the sweep is O(n^2) with no scratch memory; n is a firmware map's size.
 */
#include "memmap.h"

static void log_nothing(const char *fmt, ...)
{
	(void)fmt;
}

int memmap_type_rank(uint32_t type)
{
	switch (type) {
	case MM_RANGE_USABLE:
		return 0;
	case MM_RANGE_ACPI_RECLAIMABLE:
		return 1;
	case MM_RANGE_ACPI_NVS:
		return 3;
	case MM_RANGE_BAD:
		return 4;
	default: /* RESERVED and unknown types */
		return 2;
	}
}

uint32_t memmap_canonical_type(uint32_t type)
{
	if (type >= MM_RANGE_USABLE && type <= MM_RANGE_BAD)
		return type;
	return MM_RANGE_RESERVED;
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case MM_RANGE_USABLE:
		return "usable";
	case MM_RANGE_RESERVED:
		return "reserved";
	case MM_RANGE_ACPI_RECLAIMABLE:
		return "ACPI data";
	case MM_RANGE_ACPI_NVS:
		return "ACPI NVS";
	case MM_RANGE_BAD:
		return "bad RAM";
	default:
		return "unknown";
	}
}

/* The [s, e) an entry stands for after clamping; false if it is empty or
 * entirely beyond MEMMAP_PHYS_LIMIT. */
static bool entry_bounds(const struct mm_range *r, uint64_t *s, uint64_t *e)
{
	uint64_t end;

	if (r->length == 0 || r->start >= MEMMAP_PHYS_LIMIT)
		return false;
	if (__builtin_add_overflow(r->start, r->length, &end) ||
	    end > MEMMAP_PHYS_LIMIT)
		end = MEMMAP_PHYS_LIMIT;
	*s = r->start;
	*e = end;
	return true;
}

/* One log line per entry that entry_bounds() drops or clamps. */
static void log_bad_entries(const struct mm_range *in, size_t n,
			    boot_log_fn log)
{
	for (size_t i = 0; i < n; i++) {
		const struct mm_range *r = &in[i];
		uint64_t end;

		if (r->length == 0) {
			log("memmap: entry %zu at 0x%llx is empty; dropped\n", i,
			    (unsigned long long)r->start);
		} else if (r->start >= MEMMAP_PHYS_LIMIT) {
			log("memmap: entry %zu at 0x%llx is beyond the 52-bit "
			    "physical limit; dropped\n",
			    i, (unsigned long long)r->start);
		} else if (__builtin_add_overflow(r->start, r->length, &end)) {
			log("memmap: entry %zu (0x%llx + 0x%llx) overflows 64 "
			    "bits; clamped to end at 0x%llx\n",
			    i, (unsigned long long)r->start,
			    (unsigned long long)r->length,
			    (unsigned long long)MEMMAP_PHYS_LIMIT);
		} else if (end > MEMMAP_PHYS_LIMIT) {
			log("memmap: entry %zu (0x%llx + 0x%llx) runs past the "
			    "52-bit physical limit; clamped\n",
			    i, (unsigned long long)r->start,
			    (unsigned long long)r->length);
		}
	}
}

/*
 * Shrinks USABLE ranges inward to whole frames, drops empty ranges and merges
 * adjacent ranges of one type, in place. Returns the new length.
 */
static size_t normalize(struct mm_range *map, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		struct mm_range r = map[i];

		if (r.type == MM_RANGE_USABLE) {
			uint64_t s = memmap_page_up(r.start);
			uint64_t e = memmap_page_down(memmap_end(&r));

			r.start = s;
			r.length = e > s ? e - s : 0;
		}
		if (r.length == 0)
			continue;
		if (out > 0 && map[out - 1].type == r.type &&
		    memmap_end(&map[out - 1]) == r.start) {
			map[out - 1].length += r.length;
			continue;
		}
		map[out++] = r;
	}
	return out;
}

size_t memmap_sanitize(const struct mm_range *in, size_t n,
		       struct mm_range *out, size_t cap, bool *truncated,
		       boot_log_fn log)
{
	size_t len = 0;
	uint64_t x = UINT64_MAX;
	bool any = false;

	if (!log)
		log = log_nothing;
	if (truncated)
		*truncated = false;
	log_bad_entries(in, n, log);

	for (size_t i = 0; i < n; i++) {
		uint64_t s, e;

		if (entry_bounds(&in[i], &s, &e) && s < x) {
			x = s;
			any = true;
		}
	}

	while (any) {
		uint64_t next = UINT64_MAX;
		int best = -1;
		uint32_t type = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t s, e;

			if (!entry_bounds(&in[i], &s, &e))
				continue;
			if (s > x) {
				if (s < next)
					next = s;
			} else if (e > x) {
				if (e < next)
					next = e;
				if (memmap_type_rank(in[i].type) > best) {
					best = memmap_type_rank(in[i].type);
					type = memmap_canonical_type(in[i].type);
				}
			}
		}
		if (next == UINT64_MAX)
			break; /* nothing at or above x */
		if (best >= 0) {
			if (len > 0 && out[len - 1].type == type &&
			    memmap_end(&out[len - 1]) == x) {
				out[len - 1].length += next - x;
			} else if (len == cap) {
				log("memmap: sanitized map full (%zu ranges); "
				    "dropping everything from 0x%llx up\n",
				    cap, (unsigned long long)x);
				if (truncated)
					*truncated = true;
				break;
			} else {
				out[len].start = x;
				out[len].length = next - x;
				out[len].type = type;
				len++;
			}
		}
		x = next;
	}
	return normalize(out, len);
}

bool memmap_set_range(struct mm_range *map, size_t *n, size_t cap,
		      uint64_t start, uint64_t end, uint32_t type)
{
	size_t len = *n, splits = 0, dels = 0, at;

	if (start >= end || end > MEMMAP_PHYS_LIMIT)
		return false;
	type = memmap_canonical_type(type);

	for (size_t i = 0; i < len; i++) {
		uint64_t s = map[i].start, e = memmap_end(&map[i]);

		if (e <= start || s >= end)
			continue;
		if (s < start && e > end)
			splits++;
		else if (s >= start && e <= end)
			dels++;
	}
	if (len - dels + splits + 1 > cap)
		return false;

	/* Cut [start, end) out of every range (backwards, so a split can shift
	 * the tail without revisiting it). */
	for (size_t i = len; i-- > 0;) {
		uint64_t s = map[i].start, e = memmap_end(&map[i]);

		if (e <= start || s >= end)
			continue;
		if (s < start && e > end) {
			for (size_t j = len; j > i + 1; j--)
				map[j] = map[j - 1];
			map[i + 1].start = end;
			map[i + 1].length = e - end;
			map[i + 1].type = map[i].type;
			map[i].length = start - s;
			len++;
		} else if (s < start) {
			map[i].length = start - s;
		} else if (e > end) {
			map[i].start = end;
			map[i].length = e - end;
		} else {
			map[i].length = 0;
		}
	}

	/* Drop what was swallowed, then insert the new range in order. */
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		if (map[i].length)
			map[k++] = map[i];
	len = k;
	for (at = 0; at < len && map[at].start < start; at++)
		;
	for (size_t j = len; j > at; j--)
		map[j] = map[j - 1];
	map[at].start = start;
	map[at].length = end - start;
	map[at].type = type;
	len++;

	*n = normalize(map, len);
	return true;
}

uint64_t memmap_limit_usable(struct mm_range *map, size_t *n, uint64_t limit)
{
	uint64_t removed = 0;
	size_t k = 0;

	limit = memmap_page_down(limit);
	for (size_t i = 0; i < *n; i++) {
		struct mm_range r = map[i];

		if (r.type == MM_RANGE_USABLE) {
			if (r.start >= limit) {
				removed += r.length;
				continue;
			}
			if (memmap_end(&r) > limit) {
				removed += memmap_end(&r) - limit;
				r.length = limit - r.start;
			}
		}
		map[k++] = r;
	}
	*n = k;
	return removed;
}

uint64_t memmap_usable_bytes(const struct mm_range *map, size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		if (map[i].type == MM_RANGE_USABLE)
			total += map[i].length;
	return total;
}

uint64_t memmap_covered_bytes(uint64_t start, uint64_t end,
			      const struct mm_range *ranges, size_t n)
{
	uint64_t covered = 0, x = start;

	while (x < end) {
		uint64_t cover_end = x, next_start = end;

		for (size_t i = 0; i < n; i++) {
			uint64_t s = ranges[i].start, e;

			if (__builtin_add_overflow(s, ranges[i].length, &e))
				e = UINT64_MAX;
			if (s <= x && e > x) {
				if (e > cover_end)
					cover_end = e;
			} else if (s > x && s < next_start) {
				next_start = s;
			}
		}
		if (cover_end > x) {
			uint64_t c = cover_end < end ? cover_end : end;

			covered += c - x;
			x = c;
		} else {
			x = next_start;
		}
	}
	return covered;
}

bool memmap_check(const struct mm_range *map, size_t n, const char **why)
{
	const char *bad = NULL;

	for (size_t i = 0; i < n && !bad; i++) {
		const struct mm_range *r = &map[i];

		if (r->length == 0)
			bad = "empty range";
		else if (r->type < MM_RANGE_USABLE || r->type > MM_RANGE_BAD)
			bad = "non-canonical type";
		else if (r->start >= MEMMAP_PHYS_LIMIT ||
			 r->length > MEMMAP_PHYS_LIMIT - r->start)
			bad = "range past the physical limit";
		else if (r->type == MM_RANGE_USABLE &&
			 ((r->start | r->length) & (MM_PAGE_SIZE - 1)))
			bad = "usable range not frame-aligned";
		else if (i > 0 && memmap_end(&map[i - 1]) > r->start)
			bad = "ranges unsorted or overlapping";
		else if (i > 0 && memmap_end(&map[i - 1]) == r->start &&
			 map[i - 1].type == r->type)
			bad = "adjacent ranges of one type not merged";
	}
	if (bad && why)
		*why = bad;
	return !bad;
}
