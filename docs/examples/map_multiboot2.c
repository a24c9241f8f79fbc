/* map_multiboot2.c - the multiboot2 memory map tag (type 6) as mm_init()'s
 * map. The type numbers are already mm64's; unknown ones become RESERVED.
 * Bad input: see map_from_multiboot2(). Needs <mm/memmap.h> only. */
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;     /* 1 RAM, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad */
	uint32_t reserved;
};

struct mb2_tag_mmap {
	uint32_t type;          /* 6 */
	uint32_t size;          /* of the whole tag, header included */
	uint32_t entry_size;    /* stride: step by it, never by sizeof */
	uint32_t entry_version; /* 0 */
	/* entries follow */
};

/*
 * map_from_multiboot2 - convert the tag's entries into out[0 .. *out_len).
 * Returns how many entries were dropped or changed, 0 for a clean map:
 * an entry of length 0 is dropped; one whose end passes 2^64 is dropped
 * if it is RAM, clamped to end at 2^64 - 1 otherwise; entries beyond
 * cap are dropped. Returns -1 with *out_len = 0 when the tag cannot be
 * read: size shorter than the header, or entry_size smaller than an
 * entry or not a multiple of 8. Bytes after the last whole entry are
 * ignored.
 */
int map_from_multiboot2(const struct mb2_tag_mmap *tag, struct mm_range *out,
			size_t cap, size_t *out_len)
{
	int bad = 0;

	*out_len = 0;
	if (tag->size < sizeof(*tag) ||
	    tag->entry_size < sizeof(struct mb2_mmap_entry) ||
	    tag->entry_size % 8)
		return -1;
	size_t count = (tag->size - sizeof(*tag)) / tag->entry_size;
	const uint8_t *p = (const uint8_t *)(tag + 1);

	for (size_t i = 0; i < count; i++, p += tag->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		uint32_t type = e->type;
		uint64_t room = UINT64_MAX - e->base_addr; /* bytes up to 2^64 - 1 */
		uint64_t length = e->length < room ? e->length : room;
		int wraps = e->length > room;

		if (type < MM_RANGE_USABLE || type > MM_RANGE_BAD)
			type = MM_RANGE_RESERVED;
		if (length == 0 || (wraps && type == MM_RANGE_USABLE) ||
		    *out_len == cap) {
			bad++;
			continue;
		}
		bad += wraps;
		out[(*out_len)++] = (struct mm_range){ e->base_addr, length, type };
	}
	return bad;
}
