/* SPDX-License-Identifier: MIT */
/*
 * Formatted output: printk to the serial console, snprintf into a buffer.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with the length modifiers
 * hh h l ll z t j (so %ld %lu %lld %llu %lx %llx %zu ...), flags '-' (left
 * align), '0' (zero pad), '+', ' ', '#', a width and a precision (numbers or
 * '*'). %p prints 0x and 16 hex digits. %s of NULL prints "(null)". An
 * unknown conversion is printed as it was written.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* Prints to the serial console; returns the number of bytes written. */
int printk(const char *fmt, ...) PRINTF_LIKE(1, 2);
int vprintk(const char *fmt, va_list ap);

/* Keeps several printks together (a register dump): takes printk's lock
 * (interrupts off) until printk_release(the value returned). Nested
 * printks on this CPU go through. */
unsigned long printk_hold(void);
void printk_release(unsigned long held);

/* The panicking CPU makes printk's lock its own (the CPU that held it
 * has been stopped). Then printk never waits again. */
void printk_panic_takeover(void);

/* Messages that began while another CPU was inside printk: 0 unless the
 * lock is broken (read by the tests). */
unsigned long printk_overlaps(void);

/* Formats into buf, always NUL-terminated when size > 0; returns the length
 * the full output has (>= size means it was cut). */
int snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* The formatter underneath: calls emit(c, ctx) for every output byte and
 * returns how many there were. */
int kformat(void (*emit)(char c, void *ctx), void *ctx, const char *fmt,
	    va_list ap);

#endif
