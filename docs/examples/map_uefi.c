/* map_uefi.c - the UEFI GetMemoryMap() descriptors, read after
 * ExitBootServices(), as mm_init()'s map. Needs <mm/memmap.h> only. */
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

struct efi_memory_descriptor {   /* EFI_MEMORY_DESCRIPTOR */
	uint32_t type;           /* Type */
	uint32_t pad;
	uint64_t physical_start; /* PhysicalStart */
	uint64_t virtual_start;  /* VirtualStart */
	uint64_t number_of_pages; /* NumberOfPages, 4 KiB each */
	uint64_t attribute;      /* Attribute */
};

#define EFI_MEMORY_SP 0x40000ull /* specific-purpose: not general RAM */

/* EFI type -> mm64 type, after ExitBootServices(). Loader and boot
 * services memory is free RAM then, but the kernel's own image and what
 * the loader left for it (EfiLoaderCode/Data) must go into mm_init()'s
 * reserved list. Runtime services code/data (5, 6), MMIO (11, 12), PAL
 * code (13), persistent memory (14), unaccepted memory (15) and every
 * other number are RESERVED. */
static uint32_t efi_to_mm(uint32_t efi_type)
{
	switch (efi_type) {
	case 1: /* EfiLoaderCode */
	case 2: /* EfiLoaderData */
	case 3: /* EfiBootServicesCode */
	case 4: /* EfiBootServicesData */
	case 7: /* EfiConventionalMemory */
		return MM_RANGE_USABLE;
	case 8: /* EfiUnusableMemory */
		return MM_RANGE_BAD;
	case 9: /* EfiACPIReclaimMemory */
		return MM_RANGE_ACPI_RECLAIMABLE;
	case 10: /* EfiACPIMemoryNVS */
		return MM_RANGE_ACPI_NVS;
	default:
		return MM_RANGE_RESERVED;
	}
}

/*
 * map_from_uefi - convert the map GetMemoryMap() returned (map_size bytes,
 * descriptors desc_size bytes apart: the DescriptorSize it returned, which
 * may exceed sizeof(struct efi_memory_descriptor)) into out[0 .. *out_len).
 * A descriptor that continues the previous output range with the same
 * type extends it, so the output is often much shorter than the map.
 * Returns how many descriptors were dropped or changed, 0 for a clean map:
 * one of 0 pages is dropped; one whose end passes 2^64 is dropped if it
 * is RAM, clamped to its last whole page below 2^64 otherwise; those
 * that find out full are dropped. Returns -1 with *out_len = 0 when
 * desc_size is smaller than a descriptor or not a multiple of 8.
 */
int map_from_uefi(const void *map, size_t map_size, size_t desc_size,
		  struct mm_range *out, size_t cap, size_t *out_len)
{
	int bad = 0;

	*out_len = 0;
	if (desc_size < sizeof(struct efi_memory_descriptor) || desc_size % 8)
		return -1;
	for (size_t off = 0; off + desc_size <= map_size; off += desc_size) {
		const struct efi_memory_descriptor *d =
			(const void *)((const uint8_t *)map + off);
		uint32_t type = efi_to_mm(d->type);
		uint64_t room = (UINT64_MAX - d->physical_start) >> 12; /* pages */
		uint64_t pages = d->number_of_pages < room ? d->number_of_pages
							   : room;
		int wraps = d->number_of_pages > room;
		struct mm_range *last = *out_len ? &out[*out_len - 1] : NULL;

		if (type == MM_RANGE_USABLE && (d->attribute & EFI_MEMORY_SP))
			type = MM_RANGE_RESERVED;
		if (pages == 0 || (wraps && type == MM_RANGE_USABLE)) {
			bad++;
			continue;
		}
		if (last && last->type == type &&
		    last->start + last->length == d->physical_start) {
			last->length += pages << 12;
		} else if (*out_len < cap) {
			out[(*out_len)++] = (struct mm_range){
				d->physical_start, pages << 12, type };
		} else {
			bad++; /* out is full */
			continue;
		}
		bad += wraps;
	}
	return bad;
}
