/* SPDX-License-Identifier: MIT */
/*
 * The kernel's entry and the hook that decides what it does after booting.
 *
 *   boot/boot.asm -> kernel_main(): console, CPU tables, boot information,
 *   direct map, boot report, mm_init() -> kernel_after_boot()
 *
 * kernel_after_boot() is kernel/run.c in the report kernel (mm64.elf: print
 * "mm64: boot report complete", exit) and kernel/test_main.c in the test
 * kernel (mm64-test.elf: run the tests, exit with their verdict).
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdint.h>

#include "bootinfo.h"

_Noreturn void kernel_main(uint32_t magic, uint64_t mbi_phys);

/* The parsed boot information; NULL before kernel_main() parsed it. */
const struct boot_info *kernel_boot_info(void);

/* Called once at the end of kernel_main(); never returns. */
_Noreturn void kernel_after_boot(const struct boot_info *bi);

/* printk with the boot_log_fn type, for the boot-info code. */
void kernel_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
