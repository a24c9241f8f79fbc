/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables in the running kernel: acpi.c's lookup on firmware memory
 * read through the direct map, from the RSDP the boot loader handed over
 * (or, without one, the legacy EBDA/BIOS-area scan).
 */
#ifndef KERNEL_ACPI_BOOT_H
#define KERNEL_ACPI_BOOT_H

#include <stdint.h>

#include "bootinfo.h"

/*
 * acpi_boot_find - the table with signature sig (checked by
 * acpi_find_table()), readable for *len bytes. Call after the direct map
 * covers RAM. Returns NULL, with the reason logged, when there is no RSDP
 * or no valid table of that name.
 */
const uint8_t *acpi_boot_find(const struct boot_info *bi, const char *sig,
			      uint32_t *len);

#endif
