/* SPDX-License-Identifier: MIT */
#include "shutdown.h"

#include "cpu.h"

_Noreturn void machine_exit(uint8_t code)
{
	outb(QEMU_EXIT_PORT, code);
	for (;;) {
		cli();
		hlt();
	}
}
