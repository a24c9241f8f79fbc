/* SPDX-License-Identifier: MIT */
/*
 * Keeping ZONE_DMA free of boot data. The kernel is linked at 18 MiB, but
 * GRUB still puts the multiboot2 information block and the ELF sections it
 * loads for us (.symtab and .strtab for stack traces, debug info: about
 * 1 MiB for the test kernel) in the lowest free memory, just above 1 MiB.
 * boot_move_low_data() copies whatever of them lies in [1 MiB, 16 MiB) to
 * the lowest free usable RAM at or above max(16 MiB, end of the kernel) and
 * points the section headers' sh_addr at the copies; the caller parses the
 * block again at its new address, so the reservations follow the data and
 * the old places become free RAM.
 *
 *   GRUB:    1M [ELF sections][info] ....... 16M .. 18M [kernel] .........
 *   moved:   1M ....... free ............... 16M .. 18M [kernel][ELF][info]
 *
 * Modules stay where GRUB put them (mm64 loads none; one in low memory
 * stays reserved there). Each piece keeps its offset inside its page, so
 * every alignment up to 4 KiB survives the move.
 * Hardware-free: physical memory is reached through @phys_base.
 */
#ifndef KERNEL_BOOTMOVE_H
#define KERNEL_BOOTMOVE_H

#include <stdint.h>

#include "bootinfo.h"

#define BOOT_DMA_START (1ull << 20) /* the low 1 MiB stays reserved anyway */
#define BOOT_DMA_END (16ull << 20)  /* end of ZONE_DMA */

/*
 * boot_move_low_data - moves the boot data in [BOOT_DMA_START, BOOT_DMA_END)
 * above the kernel.
 * @bi:        parsed (boot_info_parse) from the block at phys_base +
 *             bi->mbi_phys, where the boot loader left it.
 * @img:       where the kernel is; NULL: nothing to stay above but 16 MiB.
 * @phys_base: the virtual address of physical address 0 (the direct map).
 * @limit:     the copies end at or below this physical address (the RAM
 *             that phys_base maps).
 * @log:       one line saying what moved where, or why nothing did.
 * Returns the physical address of the information block afterwards:
 * bi->mbi_phys when nothing lies low or when there is no room for all of
 * it (logged; then nothing is moved or changed). The caller must then parse
 * the block again at the returned address: @bi still describes the old
 * places. Moves only bytes that @bi reserves onto RAM that @bi neither
 * reserves nor leaves unusable.
 */
uint64_t boot_move_low_data(const struct boot_info *bi,
			    const struct boot_image *img, uintptr_t phys_base,
			    uint64_t limit, boot_log_fn log);

#endif
