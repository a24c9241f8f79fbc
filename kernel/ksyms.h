/* SPDX-License-Identifier: MIT */
/*
 * Kernel symbols for stack traces, from the kernel's own .symtab/.strtab,
 * which GRUB loads next to the image and describes in the multiboot2 ELF
 * sections tag (kernel/bootinfo.c reserves them). Without that tag, or if
 * it is malformed, traces simply print bare addresses.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"

/* Finds .symtab and its string table; checks every bound (the tag is
 * external input) and logs why symbols are unavailable when they are.
 * Returns true when symbols can be looked up. */
bool ksyms_init(const struct boot_elf_sections *elf);

/*
 * The function (or assembly label) containing kernel text address addr:
 * its name, and *offset = addr - its start. NULL when addr is not in the
 * kernel image's text or there are no symbols.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* Number of usable symbols found (for the boot report and tests). */
unsigned ksyms_count(void);

#endif
