/* SPDX-License-Identifier: MIT */
/* COM1 output, polled (the UART interrupt stays off). printk serializes
 * the CPUs. */
#include "serial.h"

#include "cpu.h"

#define COM1 0x3f8
#define UART_DATA 0        /* DLAB=0: transmit holding register */
#define UART_IER 1         /* DLAB=0: interrupt enable */
#define UART_DLL 0         /* DLAB=1: divisor low */
#define UART_DLM 1         /* DLAB=1: divisor high */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define FCR_ENABLE_CLEAR_14 0xc7
#define MCR_DTR_RTS 0x03
#define LSR_THR_EMPTY 0x20

#define UART_CLOCK 115200
#define BAUD 115200
/* Waiting longer than this for the transmitter means there is no UART. */
#define TX_SPIN_LIMIT 100000

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, (UART_CLOCK / BAUD) & 0xff);
	outb(COM1 + UART_DLM, (UART_CLOCK / BAUD) >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR_14);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void serial_putc(char c)
{
	for (int i = 0; i < TX_SPIN_LIMIT; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
		cpu_relax();
	}
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}
