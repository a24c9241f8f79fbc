/* SPDX-License-Identifier: MIT */
/* The report kernel (mm64.elf): boot, print the report, exit. */
#include "kernel.h"
#include "printk.h"
#include "shutdown.h"

_Noreturn void kernel_after_boot(const struct boot_info *bi)
{
	(void)bi;
	printk("mm64: boot report complete\n");
	machine_exit(EXIT_SUCCESS_CODE);
}
