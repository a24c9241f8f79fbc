/* SPDX-License-Identifier: MIT */
/*
 * Stopping the machine. Under QEMU with
 *   -device isa-debug-exit,iobase=0xf4,iosize=0x04
 * writing v to port 0xf4 exits QEMU with status (v << 1) | 1. Elsewhere the
 * write goes nowhere and the CPU halts.
 */
#ifndef KERNEL_SHUTDOWN_H
#define KERNEL_SHUTDOWN_H

#include <stdint.h>

#define QEMU_EXIT_PORT 0xf4
#define EXIT_SUCCESS_CODE 0x10 /* QEMU status 33: report done / tests passed */
#define EXIT_TESTS_FAILED 0x11 /* QEMU status 35: some test failed */
#define EXIT_PANIC 0x12        /* QEMU status 37: panic or boot failure */

_Noreturn void machine_exit(uint8_t code);

#endif
