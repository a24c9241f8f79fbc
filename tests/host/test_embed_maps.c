/* SPDX-License-Identifier: MIT */
/*
 * The memory map conversions of docs/EMBEDDING.md ("Handing over the
 * memory map"), compiled here from docs/examples/ itself: synthetic
 * multiboot2, Limine, UEFI and bare-range maps go through each conversion
 * and then through mm_init() on the host arena. Each test checks the
 * conversion's output and bad-input outcome, then that every zone holds
 * exactly the usable frames the loader's map describes, that all of them
 * but the reserved ones and mm's metadata are managed, and that no frame
 * handed out lies outside usable RAM or inside a reserved range.
 */
#include <ktest.h>
#include <mm/mm.h>
#include <string.h>

#include "host_port.h"
#include "page/early.h"
#include "page/report.h"
#include "page/zone.h"

#include "../../docs/examples/map_multiboot2.c"
#include "../../docs/examples/map_limine.c"
#include "../../docs/examples/map_uefi.c"
#include "../../docs/examples/map_range.c"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define FRAMES(bytes) ((bytes) >> MM_PAGE_SHIFT)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int overlaps(uint64_t pa, const struct mm_range *r)
{
	return pa < r->start + r->length && r->start < pa + MM_PAGE_SIZE;
}

/* May the frame at pa be handed out under this map and reserved list? */
static int frame_allowed(uint64_t pa, const struct mm_range *map, size_t n,
			 const struct mm_range *res, size_t nres)
{
	int usable = 0;

	for (size_t i = 0; i < n; i++) {
		if (map[i].type != MM_RANGE_USABLE && overlaps(pa, &map[i]))
			return 0;
		if (map[i].type == MM_RANGE_USABLE && pa >= map[i].start &&
		    pa + MM_PAGE_SIZE <= map[i].start + map[i].length)
			usable = 1;
	}
	for (size_t i = 0; i < nres; i++)
		if (overlaps(pa, &res[i]))
			return 0;
	return usable;
}

/*
 * Takes every frame the allocator gives (order 0, GFP_ATOMIC, until it
 * refuses), expects each to be allowed by the map and reserved list,
 * gives them all back and expects the free count it started from.
 */
static void expect_handed_out_only_usable(const struct mm_range *map, size_t n,
					  const struct mm_range *res, size_t nres)
{
	unsigned long before = nr_free_pages(), taken = 0, wrong = 0;
	struct page *head = NULL, *p;

	while ((p = alloc_pages(GFP_ATOMIC, 0)) != NULL) {
		wrong += !frame_allowed(page_to_phys(p), map, n, res, nres);
		*(struct page **)page_address(p) = head; /* chain through it */
		head = p;
		taken++;
	}
	KT_EXPECT_EQ(wrong, 0);
	KT_EXPECT(taken > 0 && taken <= before);
	while ((p = head) != NULL) {
		head = *(struct page **)page_address(p);
		__free_pages(p, 0);
	}
	KT_EXPECT_EQ(nr_free_pages(), before);
}

/* Each zone holds the usable frames the map describes; all of them are
 * managed except reserved_frames and the allocator's own metadata. */
static void expect_zones(uint64_t dma, uint64_t dma32, uint64_t normal,
			 uint64_t reserved_frames)
{
	uint64_t managed = 0;

	KT_EXPECT_EQ(mm_zones[ZONE_DMA].present, dma);
	KT_EXPECT_EQ(mm_zones[ZONE_DMA32].present, dma32);
	KT_EXPECT_EQ(mm_zones[ZONE_NORMAL].present, normal);
	for (int z = 0; z < MM_NR_ZONES; z++)
		managed += mm_zones[z].managed;
	KT_EXPECT_EQ(managed, dma + dma32 + normal - reserved_frames -
				      FRAMES(mm_early_allocated_bytes()));
}

static int range_is(const struct mm_range *r, uint64_t start, uint64_t length,
		    uint32_t type)
{
	return r->start == start && r->length == length && r->type == type;
}

/* ---- multiboot2 ---- */

/* A type 6 tag with entries entry_size bytes apart; the bytes after each
 * entry are junk, as a later entry_version may put fields there. */
static const struct mb2_tag_mmap *
build_mb2(uint8_t *buf, size_t bufsize, uint32_t entry_size,
	  const struct mb2_mmap_entry *e, size_t n)
{
	struct mb2_tag_mmap tag = { 6, (uint32_t)(sizeof(tag) + n * entry_size),
				    entry_size, 0 };

	KT_ASSERT(tag.size <= bufsize);
	memset(buf, 0xa5, bufsize);
	memcpy(buf, &tag, sizeof(tag));
	for (size_t i = 0; i < n; i++)
		memcpy(buf + sizeof(tag) + i * entry_size, &e[i],
		       entry_size < sizeof(e[i]) ? entry_size : sizeof(e[i]));
	return (const void *)buf;
}

/* What GRUB passes on a small PC: low RAM, the BIOS area, RAM to just
 * below 64 MiB, ACPI tables and NVS above it, a bad stretch, a PCI/ROM
 * area, RAM above 4 GiB, and a type this kernel does not know. */
static const struct mb2_mmap_entry mb2_pc[] = {
	{ 0x0, 0x9fc00, 1, 0 },
	{ 0x9fc00, 0x400, 2, 0 },
	{ 0xf0000, 0x10000, 2, 0 },
	{ 1 * MiB, 60 * MiB, 1, 0 },
	{ 61 * MiB, 1 * MiB, 5, 0 },                 /* bad RAM */
	{ 62 * MiB, 1 * MiB, 1, 0 },
	{ 63 * MiB, 512 * KiB, 3, 0 },               /* ACPI tables */
	{ 63 * MiB + 512 * KiB, 512 * KiB, 4, 0 },   /* ACPI NVS */
	{ 0xfffc0000, 0x40000, 2, 0 },
	{ 4 * GiB, 16 * MiB, 1, 0 },
	{ 4 * GiB + 16 * MiB, 1 * MiB, 12, 0 },      /* unknown type */
};

KTEST(embed_maps, multiboot2_map_through_mm_init)
{
	static uint8_t buf[1024], buf32[1024];
	static const struct mm_range kernel[] = {
		{ 1 * MiB, 2 * MiB, MM_RANGE_RESERVED }, /* image + boot data */
	};
	struct mm_range map[16], map32[16];
	size_t n, n32;

	KT_ASSERT_EQ(map_from_multiboot2(build_mb2(buf, sizeof(buf), 24, mb2_pc,
						   ARRAY_LEN(mb2_pc)),
					 map, ARRAY_LEN(map), &n), 0);
	KT_ASSERT_EQ(n, ARRAY_LEN(mb2_pc));
	for (size_t i = 0; i < n; i++) {
		KT_EXPECT_EQ(map[i].start, mb2_pc[i].base_addr);
		KT_EXPECT_EQ(map[i].length, mb2_pc[i].length);
		KT_EXPECT_EQ(map[i].type, i == 10 ? MM_RANGE_RESERVED
						  : mb2_pc[i].type);
	}
	/* a larger stride, junk after each entry: the same map */
	KT_ASSERT_EQ(map_from_multiboot2(build_mb2(buf32, sizeof(buf32), 32,
						   mb2_pc, ARRAY_LEN(mb2_pc)),
					 map32, ARRAY_LEN(map32), &n32), 0);
	KT_ASSERT_EQ(n32, n);
	for (size_t i = 0; i < n; i++)
		KT_EXPECT(range_is(&map32[i], map[i].start, map[i].length,
				   map[i].type));

	host_mm_init(map, n, kernel, ARRAY_LEN(kernel));
	/* DMA: 159 low frames and [1M, 16M); DMA32: [16M, 61M) and [62M, 63M) */
	expect_zones(159 + FRAMES(15 * MiB), FRAMES(46 * MiB), FRAMES(16 * MiB),
		     FRAMES(2 * MiB));
	expect_handed_out_only_usable(map, n, kernel, ARRAY_LEN(kernel));
	mm_check_invariants();
	host_mm_default();
}

KTEST(embed_maps, multiboot2_bad_input_is_counted_or_refused)
{
	static uint8_t buf[1024];
	struct mm_range map[4];
	size_t n = 99;
	const struct mb2_tag_mmap *tag;
	static const struct mb2_mmap_entry bad[] = {
		{ 1 * MiB, 0, 1, 0 },                        /* empty: dropped */
		{ UINT64_MAX - 8 * KiB, 64 * KiB, 1, 0 },     /* RAM wraps: dropped */
		{ UINT64_MAX - 8 * KiB, 64 * KiB, 2, 0 },     /* clamped */
		{ 16 * MiB, 16 * MiB, 1, 0 },
		{ 32 * MiB, 1 * MiB, 2, 0 },
		{ 33 * MiB, 1 * MiB, 1, 0 },
		{ 34 * MiB, 1 * MiB, 1, 0 },                  /* out is full */
	};

	/* an entry_size below an entry or off the 8-byte grid: unreadable */
	tag = build_mb2(buf, sizeof(buf), 24, bad, ARRAY_LEN(bad));
	((struct mb2_tag_mmap *)buf)->entry_size = 16;
	KT_EXPECT_EQ(map_from_multiboot2(tag, map, 4, &n), -1);
	KT_EXPECT_EQ(n, 0);
	((struct mb2_tag_mmap *)buf)->entry_size = 28;
	KT_EXPECT_EQ(map_from_multiboot2(tag, map, 4, &n), -1);
	((struct mb2_tag_mmap *)buf)->entry_size = 24;
	((struct mb2_tag_mmap *)buf)->size = 8; /* shorter than the header */
	KT_EXPECT_EQ(map_from_multiboot2(tag, map, 4, &n), -1);
	KT_EXPECT_EQ(n, 0);

	/* bytes after the last whole entry are ignored */
	tag = build_mb2(buf, sizeof(buf), 24, bad, ARRAY_LEN(bad));
	((struct mb2_tag_mmap *)buf)->size += 20;
	KT_EXPECT_EQ(map_from_multiboot2(tag, map, 4, &n), 4);
	KT_ASSERT_EQ(n, 4);
	KT_EXPECT(range_is(&map[0], UINT64_MAX - 8 * KiB, 8 * KiB,
			   MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[1], 16 * MiB, 16 * MiB, MM_RANGE_USABLE));
	KT_EXPECT(range_is(&map[3], 33 * MiB, 1 * MiB, MM_RANGE_USABLE));

	/* what survived is a map mm_init takes as it is */
	host_mm_init(map, n, NULL, 0);
	expect_zones(0, FRAMES(17 * MiB), 0, 0);
	expect_handed_out_only_usable(map, n, NULL, 0);
	host_mm_default();
}

/* ---- Limine ---- */

/* A Limine map: sorted, usable and bootloader-reclaimable entries whole
 * frames; the kernel and a module, the framebuffer, a type newer than
 * this code (8, MAPPED_RESERVED). */
static struct limine_memmap_entry limine_pc[] = {
	{ 0x1000, 0x9e000, 0 },
	{ 0x9fc00, 0x400, 1 },
	{ 1 * MiB, 31 * MiB, 0 },
	{ 32 * MiB, 2 * MiB, 6 },          /* kernel and modules */
	{ 34 * MiB, 6 * MiB, 5 },          /* bootloader reclaimable */
	{ 40 * MiB, 20 * MiB, 0 },
	{ 60 * MiB, 1 * MiB, 4 },          /* bad RAM */
	{ 61 * MiB, 1 * MiB, 2 },          /* ACPI reclaimable */
	{ 62 * MiB, 1 * MiB, 3 },          /* ACPI NVS */
	{ 0xfd000000, 8 * MiB, 7 },        /* framebuffer */
	{ 0xfe000000, 1 * MiB, 8 },        /* MAPPED_RESERVED */
	{ 4 * GiB, 8 * MiB, 0 },
};

static void limine_response(struct limine_memmap_response *resp,
			    struct limine_memmap_entry **ptrs,
			    struct limine_memmap_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &e[i];
	*resp = (struct limine_memmap_response){ 0, n, ptrs };
}

KTEST(embed_maps, limine_map_through_mm_init)
{
	static const uint32_t want[] = {
		MM_RANGE_USABLE, MM_RANGE_RESERVED, MM_RANGE_USABLE,
		MM_RANGE_RESERVED, MM_RANGE_RESERVED, MM_RANGE_USABLE,
		MM_RANGE_BAD, MM_RANGE_ACPI_RECLAIMABLE, MM_RANGE_ACPI_NVS,
		MM_RANGE_RESERVED, MM_RANGE_RESERVED, MM_RANGE_USABLE,
	};
	struct limine_memmap_entry *ptrs[ARRAY_LEN(limine_pc)];
	struct limine_memmap_response resp;
	struct mm_range map[16];
	size_t n;

	limine_response(&resp, ptrs, limine_pc, ARRAY_LEN(limine_pc));
	KT_ASSERT_EQ(map_from_limine(&resp, 0, map, ARRAY_LEN(map), &n), 0);
	KT_ASSERT_EQ(n, ARRAY_LEN(limine_pc));
	for (size_t i = 0; i < n; i++)
		KT_EXPECT(range_is(&map[i], limine_pc[i].base,
				   limine_pc[i].length, want[i]));

	/* bootloader-reclaimable memory kept: the kernel needs no reserved
	 * list, its image and modules are not RAM in this map */
	host_mm_init(map, n, NULL, 0);
	expect_zones(FRAMES(0x9e000) + FRAMES(15 * MiB), FRAMES(36 * MiB),
		     FRAMES(8 * MiB), 0);
	expect_handed_out_only_usable(map, n, NULL, 0);

	/* reclaimed: 6 MiB more RAM in DMA32, the kernel still untouched */
	KT_ASSERT_EQ(map_from_limine(&resp, 1, map, ARRAY_LEN(map), &n), 0);
	KT_EXPECT_EQ(map[4].type, MM_RANGE_USABLE);
	host_mm_init(map, n, NULL, 0);
	expect_zones(FRAMES(0x9e000) + FRAMES(15 * MiB), FRAMES(42 * MiB),
		     FRAMES(8 * MiB), 0);
	expect_handed_out_only_usable(map, n, NULL, 0);
	mm_check_invariants();
	host_mm_default();
}

KTEST(embed_maps, limine_bad_input_is_counted_or_refused)
{
	struct limine_memmap_entry e[] = {
		{ 16 * MiB, 0, 0 },                         /* empty: dropped */
		{ UINT64_MAX - 4 * KiB + 1, 8 * KiB, 0 },   /* RAM wraps: dropped */
		{ UINT64_MAX - 4 * KiB + 1, 8 * KiB, 7 },   /* clamped */
		{ 16 * MiB, 8 * MiB, 0 },
		{ 24 * MiB, 8 * MiB, 0 },                   /* out is full */
	};
	struct limine_memmap_entry *ptrs[ARRAY_LEN(e)];
	struct limine_memmap_response resp = { 0, 3, NULL };
	struct mm_range map[2];
	size_t n = 99;

	KT_EXPECT_EQ(map_from_limine(NULL, 0, map, 2, &n), -1);
	KT_EXPECT_EQ(n, 0);
	KT_EXPECT_EQ(map_from_limine(&resp, 0, map, 2, &n), -1); /* no array */
	limine_response(&resp, ptrs, e, ARRAY_LEN(e));
	KT_EXPECT_EQ(map_from_limine(&resp, 0, map, 2, &n), 4);
	KT_ASSERT_EQ(n, 2);
	KT_EXPECT(range_is(&map[0], UINT64_MAX - 4 * KiB + 1, 4 * KiB - 1,
			   MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[1], 16 * MiB, 8 * MiB, MM_RANGE_USABLE));
	host_mm_init(map, n, NULL, 0);
	expect_zones(0, FRAMES(8 * MiB), 0, 0);
	host_mm_default();
}

/* ---- UEFI ---- */

/* Descriptors as firmware lays them out: DescriptorSize 48, not 40, with
 * junk in the 8 bytes after each (a loop stepping by sizeof reads them as
 * the next descriptor's Type). */
#define EFI_DESC_SIZE 48
static const void *build_efi(uint8_t *buf, size_t bufsize, size_t desc_size,
			     const struct efi_memory_descriptor *d, size_t n)
{
	KT_ASSERT(n * desc_size <= bufsize);
	memset(buf, 0xa5, bufsize);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * desc_size, &d[i], sizeof(d[i]));
	return buf;
}

#define EFI_D(type, start, bytes, attr) \
	{ (type), 0, (start), 0, (bytes) >> 12, (attr) }

static const struct efi_memory_descriptor efi_pc[] = {
	EFI_D(3, 0x0, 0x1000, 0),                   /* BootServicesCode */
	EFI_D(7, 0x1000, 0x9e000, 0),               /* Conventional */
	EFI_D(0, 0x9f000, 0x1000, 0),               /* Reserved */
	EFI_D(7, 1 * MiB, 1 * MiB, 0),
	EFI_D(1, 2 * MiB, 2 * MiB, 0),              /* LoaderCode: kernel */
	EFI_D(2, 4 * MiB, 1 * MiB, 0),              /* LoaderData: boot info */
	EFI_D(4, 5 * MiB, 3 * MiB, 0),              /* BootServicesData */
	EFI_D(7, 8 * MiB, 40 * MiB, 0),
	EFI_D(6, 48 * MiB, 1 * MiB, 1ull << 63),    /* RuntimeServicesData */
	EFI_D(5, 49 * MiB, 1 * MiB, 1ull << 63),    /* RuntimeServicesCode */
	EFI_D(9, 50 * MiB, 1 * MiB, 0),             /* ACPIReclaim */
	EFI_D(10, 51 * MiB, 1 * MiB, 0),            /* ACPINVS */
	EFI_D(8, 52 * MiB, 1 * MiB, 0),             /* Unusable */
	EFI_D(7, 53 * MiB, 11 * MiB, 0),
	EFI_D(11, 0xfec00000, 0x1000, 1ull << 63),  /* MMIO */
	EFI_D(7, 4 * GiB, 8 * MiB, 0),
	EFI_D(7, 4 * GiB + 8 * MiB, 4 * MiB, 0x40000), /* EFI_MEMORY_SP */
	EFI_D(14, 5 * GiB, 16 * MiB, 0),            /* PersistentMemory */
	EFI_D(15, 6 * GiB, 16 * MiB, 0),            /* Unaccepted */
};

KTEST(embed_maps, uefi_map_through_mm_init)
{
	static uint8_t buf[4096];
	static const struct mm_range reserved[] = {
		{ 2 * MiB, 3 * MiB, MM_RANGE_RESERVED }, /* the LoaderCode/Data */
	};
	struct mm_range map[32];
	size_t n;
	const void *m = build_efi(buf, sizeof(buf), EFI_DESC_SIZE, efi_pc,
				  ARRAY_LEN(efi_pc));

	KT_ASSERT_EQ(map_from_uefi(m, ARRAY_LEN(efi_pc) * EFI_DESC_SIZE,
				   EFI_DESC_SIZE, map, ARRAY_LEN(map), &n), 0);
	/* touching descriptors of one type are merged: boot services,
	 * conventional and loader memory are all RAM */
	KT_ASSERT_EQ(n, 13);
	KT_EXPECT(range_is(&map[0], 0, 0x9f000, MM_RANGE_USABLE));
	KT_EXPECT(range_is(&map[1], 0x9f000, 0x1000, MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[2], 1 * MiB, 47 * MiB, MM_RANGE_USABLE));
	KT_EXPECT(range_is(&map[3], 48 * MiB, 2 * MiB, MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[4], 50 * MiB, 1 * MiB,
			   MM_RANGE_ACPI_RECLAIMABLE));
	KT_EXPECT(range_is(&map[5], 51 * MiB, 1 * MiB, MM_RANGE_ACPI_NVS));
	KT_EXPECT(range_is(&map[6], 52 * MiB, 1 * MiB, MM_RANGE_BAD));
	KT_EXPECT(range_is(&map[7], 53 * MiB, 11 * MiB, MM_RANGE_USABLE));
	KT_EXPECT(range_is(&map[8], 0xfec00000, 0x1000, MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[9], 4 * GiB, 8 * MiB, MM_RANGE_USABLE));
	KT_EXPECT(range_is(&map[10], 4 * GiB + 8 * MiB, 4 * MiB,
			   MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[11], 5 * GiB, 16 * MiB, MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[12], 6 * GiB, 16 * MiB, MM_RANGE_RESERVED));

	host_mm_init(map, n, reserved, ARRAY_LEN(reserved));
	/* boot services memory counts as RAM; the loader's is reserved */
	expect_zones(FRAMES(0x9f000) + FRAMES(15 * MiB),
		     FRAMES(32 * MiB) + FRAMES(11 * MiB), FRAMES(8 * MiB),
		     FRAMES(3 * MiB));
	expect_handed_out_only_usable(map, n, reserved, ARRAY_LEN(reserved));
	mm_check_invariants();
	host_mm_default();
}

KTEST(embed_maps, uefi_bad_input_is_counted_or_refused)
{
	static uint8_t buf[1024];
	static const struct efi_memory_descriptor d[] = {
		EFI_D(7, 16 * MiB, 0, 0),                   /* empty: dropped */
		{ 7, 0, UINT64_MAX - 0x1fff, 0, 3, 0 },     /* RAM wraps: dropped */
		{ 11, 0, UINT64_MAX - 0x1fff, 0, 3, 0 },    /* clamped */
		EFI_D(7, 16 * MiB, 8 * MiB, 0),
		EFI_D(4, 24 * MiB, 8 * MiB, 0),             /* merged */
		EFI_D(9, 32 * MiB, 1 * MiB, 0),             /* out is full */
	};
	struct mm_range map[2];
	size_t n = 99;
	const void *m = build_efi(buf, sizeof(buf), EFI_DESC_SIZE, d,
				  ARRAY_LEN(d));

	/* a descriptor size below the descriptor, or off the 8-byte grid */
	KT_EXPECT_EQ(map_from_uefi(m, sizeof(buf), 32, map, 2, &n), -1);
	KT_EXPECT_EQ(n, 0);
	KT_EXPECT_EQ(map_from_uefi(m, sizeof(buf), 44, map, 2, &n), -1);
	/* a partial descriptor at the end is ignored */
	KT_EXPECT_EQ(map_from_uefi(m, ARRAY_LEN(d) * EFI_DESC_SIZE + 40,
				   EFI_DESC_SIZE, map, 2, &n), 4);
	KT_ASSERT_EQ(n, 2);
	KT_EXPECT(range_is(&map[0], UINT64_MAX - 0x1fff, 0x1000,
			   MM_RANGE_RESERVED));
	KT_EXPECT(range_is(&map[1], 16 * MiB, 16 * MiB, MM_RANGE_USABLE));
	host_mm_init(map, n, NULL, 0);
	expect_zones(0, FRAMES(16 * MiB), 0, 0);
	host_mm_default();
}

/* ---- no firmware map ---- */

KTEST(embed_maps, range_map_through_mm_init)
{
	static const struct mm_range reserved[] = {
		{ 4 * MiB, 1 * MiB, MM_RANGE_RESERVED }, /* an initrd */
		{ 0x345678, 0x2000, MM_RANGE_RESERVED }, /* boot information */
	};
	struct mm_range map[1];
	size_t n = 99;

	KT_EXPECT_EQ(map_from_range(0x345678, 48 * MiB, map, 0, &n), -1);
	KT_EXPECT_EQ(n, 0);
	KT_EXPECT_EQ(map_from_range(48 * MiB, 48 * MiB, map, 1, &n), -1);
	KT_EXPECT_EQ(map_from_range(48 * MiB - 1, 48 * MiB, map, 1, &n), -1);
	KT_EXPECT_EQ(map_from_range(UINT64_MAX - 5, UINT64_MAX, map, 1, &n), -1);
	KT_EXPECT_EQ(n, 0);

	KT_ASSERT_EQ(map_from_range(0x345678, 48 * MiB, map, 1, &n), 0);
	KT_ASSERT_EQ(n, 1);
	KT_EXPECT(range_is(&map[0], 0x346000, 48 * MiB - 0x346000,
			   MM_RANGE_USABLE));
	host_mm_init(map, n, reserved, ARRAY_LEN(reserved));
	/* the boot information's 2 frames above the kernel (rounded outward)
	 * and the initrd's 256 */
	expect_zones(FRAMES(16 * MiB - 0x346000), FRAMES(32 * MiB), 0, 2 + 256);
	expect_handed_out_only_usable(map, n, reserved, ARRAY_LEN(reserved));
	mm_check_invariants();
	host_mm_default();
}
