/* SPDX-License-Identifier: MIT */
/* boot_move_low_data(): see bootmove.h. */
#include "bootmove.h"

#include "mb2.h"

/* A piece of boot data: the information block (index 0) or loaded ELF
 * section index - 1. */
struct piece {
	uint64_t start, end; /* physical, end exclusive */
};

static bool overlaps_low_zone(const struct piece *p)
{
	return p->start < BOOT_DMA_END && p->end > BOOT_DMA_START;
}

/* Piece @k, if it exists and lies (partly) in [BOOT_DMA_START, BOOT_DMA_END).
 * Sections count only when all of them were reserved: the others are not
 * trusted (ksyms ignores them) and need not move. */
static bool low_piece(const struct boot_info *bi, uint32_t k, struct piece *p)
{
	if (k == 0) {
		p->start = bi->mbi_phys;
		p->end = bi->mbi_phys + bi->mbi_size;
	} else if (!bi->elf.loaded_reserved ||
		   !mb2_elf_loaded_section(&bi->elf, k - 1, &p->start,
					   &p->end)) {
		return false;
	}
	return overlaps_low_zone(p);
}

/* Bytes a piece takes at its destination: whole pages, so that its offset
 * inside the page (and so its alignment) is kept. */
static uint64_t piece_span(const struct piece *p)
{
	return memmap_page_up(p->end) - memmap_page_down(p->start);
}

static bool inside_usable(const struct boot_info *bi, uint64_t start,
			  uint64_t end)
{
	for (size_t i = 0; i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];

		if (r->type == MM_RANGE_USABLE && start >= r->start &&
		    end <= memmap_end(r))
			return true;
	}
	return false;
}

/* Whether [c, c + bytes) is free usable RAM at or above @floor, below
 * @limit, overlapping no reservation. */
static bool room_at(const struct boot_info *bi, uint64_t c, uint64_t bytes,
		    uint64_t floor, uint64_t limit)
{
	return c >= floor && c <= limit && bytes <= limit - c &&
	       inside_usable(bi, c, c + bytes) &&
	       memmap_covered_bytes(c, c + bytes, bi->reserved,
				    bi->reserved_len) == 0;
}

/* @c if it is a better (lower) place than @best for room_at(), else @best. */
static uint64_t lower_room(const struct boot_info *bi, uint64_t best,
			   uint64_t c, uint64_t bytes, uint64_t floor,
			   uint64_t limit)
{
	c = memmap_page_up(c);
	return (!best || c < best) && room_at(bi, c, bytes, floor, limit) ?
		       c : best;
}

/* The lowest page-aligned place for @bytes that room_at() accepts, or 0.
 * It is @floor (page aligned) itself, or right after something that stops
 * a lower start: the end of a reservation or the start of a usable range. */
static uint64_t find_room(const struct boot_info *bi, uint64_t bytes,
			  uint64_t floor, uint64_t limit)
{
	uint64_t best = lower_room(bi, 0, floor, bytes, floor, limit);

	for (size_t i = 0; i < bi->reserved_len; i++)
		best = lower_room(bi, best, memmap_end(&bi->reserved[i]), bytes,
				  floor, limit);
	for (size_t i = 0; i < bi->memory_map_len; i++)
		best = lower_room(bi, best, bi->memory_map[i].start, bytes,
				  floor, limit);
	return best;
}

static void *phys_ptr(uintptr_t phys_base, uint64_t pa)
{
	return (void *)(phys_base + (uintptr_t)pa);
}

/* ELF64 section header @i's sh_addr := @addr, in the block at @mbi_va
 * (headers lie at the same offset as in the block @bi was parsed from). */
static void set_sh_addr(const struct boot_info *bi, uintptr_t phys_base,
			uint8_t *mbi_va, uint32_t i, uint64_t addr)
{
	const uint8_t *old_mbi = phys_ptr(phys_base, bi->mbi_phys);
	size_t off = (size_t)((const uint8_t *)bi->elf.headers - old_mbi) +
		     (size_t)i * bi->elf.entsize + MB2_SHDR_ADDR;

	__builtin_memcpy(mbi_va + off, &addr, sizeof(addr));
}

uint64_t boot_move_low_data(const struct boot_info *bi,
			    const struct boot_image *img, uintptr_t phys_base,
			    uint64_t limit, boot_log_fn log)
{
	uint32_t pieces = 1 + bi->elf.num, moved = 0;
	uint64_t bytes = 0, floor = BOOT_DMA_END;
	struct piece p;

	for (uint32_t k = 0; k < pieces; k++) {
		if (!low_piece(bi, k, &p))
			continue;
		if (piece_span(&p) > limit || bytes > limit - piece_span(&p))
			bytes = limit + 1; /* cannot fit: find_room says so */
		else
			bytes += piece_span(&p);
		moved++;
	}
	if (moved == 0)
		return bi->mbi_phys;
	if (img && memmap_page_up(img->kernel_end) > floor)
		floor = memmap_page_up(img->kernel_end);
	uint64_t dest = find_room(bi, bytes, floor, limit);
	if (dest == 0) {
		log("boot: no room at or above 0x%llx for the %llu KiB of boot "
		    "data in [1 MiB, 16 MiB); it stays there\n",
		    (unsigned long long)floor,
		    (unsigned long long)(bytes >> 10));
		return bi->mbi_phys;
	}

	/* The block first (piece 0), so that each section's header is then
	 * rewritten in the copy that will be parsed, or in place when the
	 * block itself is not low. */
	uint64_t cursor = dest, new_mbi = bi->mbi_phys;

	for (uint32_t k = 0; k < pieces; k++) {
		if (!low_piece(bi, k, &p))
			continue;
		uint64_t to = cursor + (p.start - memmap_page_down(p.start));

		__builtin_memcpy(phys_ptr(phys_base, to),
				 phys_ptr(phys_base, p.start), p.end - p.start);
		cursor += piece_span(&p);
		if (k == 0)
			new_mbi = to;
		else
			set_sh_addr(bi, phys_base, phys_ptr(phys_base, new_mbi),
				    k - 1, to);
	}
	log("boot: moved %u piece(s) of boot data (%llu KiB) out of "
	    "[1 MiB, 16 MiB) to 0x%llx; information block now at 0x%llx\n",
	    moved, (unsigned long long)(bytes >> 10), (unsigned long long)dest,
	    (unsigned long long)new_mbi);
	return new_mbi;
}
