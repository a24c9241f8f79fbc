/* SPDX-License-Identifier: MIT */
/*
 * mm_vsnprintf: the printf subset mm/ formats with (include/mm/port.h), for
 * ports whose console has less (xv6's has %d %x %p %s). mm/ itself never
 * calls it; a port's mm_port_log and mm_port_panic may format with it and
 * write the result out (docs/examples/port_template.c).
 *
 * Conversions d i u x X p s c %, length modifiers l ll z, a width, flags
 * '-' (left-justify) and '0' (zero padding). Anything else is copied out
 * as written, so a format outside the subset shows up in the output
 * instead of reading a wrong argument. Like snprintf it returns the
 * length the whole text needs and stores at most size - 1 characters and
 * a NUL (size 0: nothing).
 */
#include "build.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/port.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* the whole text's length so far */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, unsigned int width,
		       bool left, char pad)
{
	size_t fill = width > n ? width - n : 0;

	if (!left && pad == '0' && n > 0 && *s == '-') { /* "-0042" */
		put(o, *s++);
		n--;
	}
	for (; !left && fill; fill--)
		put(o, pad);
	while (n--)
		put(o, *s++);
	for (; fill; fill--)
		put(o, ' ');
}

/* v in base (10 or 16) into the end of buf[24]; returns the first digit. */
static char *digits(char *end, uint64_t v, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do
		*--p = set[v % base];
	while ((v /= base) != 0);
	return p;
}

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	char num[24];

	while (*fmt) {
		const char *start = fmt;
		bool left = false;
		char pad = ' ';
		unsigned int width = 0, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9' && width < 1000)
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		if (*fmt == 'z') {
			lng = 2; /* size_t is unsigned long long-sized here */
			fmt++;
		} else {
			for (; *fmt == 'l' && lng < 2; fmt++)
				lng++;
		}

		char conv = *fmt;
		uint64_t u;
		char *p = num + sizeof(num);

		switch (conv) {
		case 'd':
		case 'i': {
			long long v = lng == 2 ? va_arg(ap, long long)
				    : lng == 1 ? va_arg(ap, long)
					       : va_arg(ap, int);
			u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			p = digits(p, u, 10, false);
			if (v < 0)
				*--p = '-';
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			u = lng == 2 ? va_arg(ap, unsigned long long)
			  : lng == 1 ? va_arg(ap, unsigned long)
				     : va_arg(ap, unsigned int);
			p = digits(p, u, conv == 'u' ? 10 : 16, conv == 'X');
			break;
		case 'p':
			p = digits(p, (uintptr_t)va_arg(ap, void *), 16, false);
			*--p = 'x';
			*--p = '0';
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			put_padded(&o, s, n, width, left, ' ');
			fmt++;
			continue;
		}
		case 'c':
			*--p = (char)va_arg(ap, int);
			break;
		case '%':
			put(&o, '%');
			fmt++;
			continue;
		default: /* outside the subset (or the end): copy it out */
			while (start < fmt)
				put(&o, *start++);
			continue;
		}
		put_padded(&o, p, (size_t)(num + sizeof(num) - p), width, left,
			   conv == 'c' ? ' ' : pad);
		fmt++;
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = mm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
