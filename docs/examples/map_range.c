/* map_range.c - no firmware map at all, only "RAM from here to there":
 * one usable range from the end of the kernel image to the top of RAM.
 * Needs <mm/memmap.h> only.
 *
 * Without a firmware map nothing tells the allocator where RAM is
 * missing: a PC has the VGA window and BIOS below 1 MiB, ACPI tables and
 * NVS near the top of low RAM, the PCI hole below 4 GiB, and sometimes
 * an ISA hole at 15 MiB. Handing out such a frame corrupts firmware data
 * or writes into a device. Keep ram_top below all of them (below the
 * ACPI tables, below 3 GiB), and prefer a real map whenever there is one.
 *
 * What the kernel still uses above kernel_end goes into mm_init()'s
 * reserved list: boot modules or an initrd loaded after the image, the
 * boot page tables and stack if they lie there, the command line and
 * boot information, a framebuffer in RAM.
 */
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

/*
 * map_from_range - out[0] = the usable RAM [kernel_end rounded up to
 * 4 KiB, ram_top), *out_len = 1. Returns 0, or -1 with *out_len = 0 when
 * that range is empty (ram_top at or below the rounded kernel_end) or
 * cap is 0.
 */
int map_from_range(uint64_t kernel_end, uint64_t ram_top,
		   struct mm_range *out, size_t cap, size_t *out_len)
{
	uint64_t start = (kernel_end + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);

	*out_len = 0;
	if (start < kernel_end || ram_top <= start || cap == 0)
		return -1; /* start < kernel_end: the round-up wrapped */
	out[0] = (struct mm_range){ start, ram_top - start, MM_RANGE_USABLE };
	*out_len = 1;
	return 0;
}
