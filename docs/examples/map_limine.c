/* map_limine.c - a Limine memory map response as mm_init()'s map.
 * Limine numbers its types from 0 and has three of its own; the table
 * below says where each goes. Needs <mm/memmap.h> only. */
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

struct limine_memmap_entry {
	uint64_t base;
	uint64_t length;
	uint64_t type;
};

struct limine_memmap_response {
	uint64_t revision;
	uint64_t entry_count;
	struct limine_memmap_entry **entries; /* entry_count pointers */
};

/* Limine type -> mm64 type. BOOTLOADER_RECLAIMABLE (5) holds Limine's
 * page tables, stack and these very responses: RESERVED unless the
 * caller says it is done with them. EXECUTABLE_AND_MODULES (6, the
 * kernel and its modules) and FRAMEBUFFER (7) are never RAM to hand out;
 * neither is anything newer (8 MAPPED_RESERVED, ...). */
static const uint32_t limine_to_mm[] = {
	[0] = MM_RANGE_USABLE,           /* USABLE */
	[1] = MM_RANGE_RESERVED,         /* RESERVED */
	[2] = MM_RANGE_ACPI_RECLAIMABLE, /* ACPI_RECLAIMABLE */
	[3] = MM_RANGE_ACPI_NVS,         /* ACPI_NVS */
	[4] = MM_RANGE_BAD,              /* BAD_MEMORY */
	[5] = MM_RANGE_RESERVED,         /* BOOTLOADER_RECLAIMABLE */
	[6] = MM_RANGE_RESERVED,         /* EXECUTABLE_AND_MODULES */
	[7] = MM_RANGE_RESERVED,         /* FRAMEBUFFER */
};

/*
 * map_from_limine - convert the response into out[0 .. *out_len).
 * @reclaim_bootloader: non-zero to hand BOOTLOADER_RECLAIMABLE memory to
 *   the allocator: only once the kernel runs on its own page tables and
 *   stack and has copied what it needs out of every Limine response.
 * Returns how many entries were dropped or changed, 0 for a clean map:
 * an entry of length 0 is dropped; one whose end passes 2^64 is dropped
 * if it is RAM, clamped to end at 2^64 - 1 otherwise; entries beyond cap
 * are dropped. Returns -1 with *out_len = 0 when there is no response or
 * no entry array. out must not lie in bootloader-reclaimable memory.
 */
int map_from_limine(const struct limine_memmap_response *resp,
		    int reclaim_bootloader, struct mm_range *out, size_t cap,
		    size_t *out_len)
{
	int bad = 0;

	*out_len = 0;
	if (!resp || !resp->entries)
		return -1;
	for (uint64_t i = 0; i < resp->entry_count; i++) {
		const struct limine_memmap_entry *e = resp->entries[i];
		uint64_t nr_types = sizeof(limine_to_mm) / sizeof(limine_to_mm[0]);
		uint32_t type = e->type < nr_types ? limine_to_mm[e->type]
						   : MM_RANGE_RESERVED;
		uint64_t room = UINT64_MAX - e->base; /* bytes up to 2^64 - 1 */
		uint64_t length = e->length < room ? e->length : room;
		int wraps = e->length > room;

		if (e->type == 5 && reclaim_bootloader)
			type = MM_RANGE_USABLE;
		if (length == 0 || (wraps && type == MM_RANGE_USABLE) ||
		    *out_len == cap) {
			bad++;
			continue;
		}
		bad += wraps;
		out[(*out_len)++] = (struct mm_range){ e->base, length, type };
	}
	return bad;
}
