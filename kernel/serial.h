/* SPDX-License-Identifier: MIT */
/* COM1, a 16550 UART at 0x3f8: 115200 baud, 8N1, polled, output only. */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

#include <stddef.h>

/* Programs COM1. Safe to call again (the panic path does). */
void serial_init(void);

/* Sends one byte; waits for the transmitter, but never forever. */
void serial_putc(char c);

void serial_write(const char *s, size_t n);

#endif
