/* SPDX-License-Identifier: MIT */
/* ACPI tables through the direct map (acpi_boot.h). */
#include "acpi_boot.h"

#include "acpi.h"
#include "kernel.h"
#include "layout.h"
#include "paging.h"
#include "printk.h"

static bool mapped(uint64_t pa)
{
	return pa < DIRECT_MAP_MAX_PHYS &&
	       paging_translate(DIRECT_MAP_BASE + pa) == pa;
}

static const void *direct_map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (len == 0 || pa + len < pa || !mapped(pa) || !mapped(pa + len - 1))
		return NULL;
	return (const void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

const uint8_t *acpi_boot_find(const struct boot_info *bi, const char *sig,
			      uint32_t *len)
{
	const struct acpi_reader r = { direct_map, NULL, kernel_log };
	const uint8_t *rsdp = bi->rsdp;

	if (bi->rsdp_revision < 0) {
		uint64_t pa = acpi_find_rsdp_legacy(&r);
		if (!pa) {
			printk("acpi: no RSDP (none from the boot loader, "
			       "none in the EBDA or BIOS area)\n");
			return NULL;
		}
		rsdp = direct_map(pa, ACPI_RSDP_V1_SIZE, NULL);
	}
	return acpi_find_table(&r, rsdp, sig, len);
}
