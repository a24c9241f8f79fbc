/* SPDX-License-Identifier: MIT */
/*
 * printk/snprintf: one formatter (kformat) and two sinks. The serial sink
 * buffers a line at a time, so a message is written in one go.
 *
 * printk holds a lock for the whole message, interrupts off, so messages
 * from several CPUs never interleave. The lock records its owner: a printk
 * nested on the owning CPU (an exception or NMI while it prints, a panic
 * in the formatter) prints without it instead of deadlocking, and the
 * panic path takes it over from a CPU it stopped (printk_panic_takeover).
 */
#include "printk.h"

#include <stdbool.h>
#include <stdint.h>

#include "mm_port_inline.h"
#include "percpu.h"
#include "serial.h"

struct spec {
	bool left;  /* '-' */
	bool zero;  /* '0' */
	bool plus;  /* '+' */
	bool space; /* ' ' */
	bool alt;   /* '#' */
	int width;
	int precision; /* -1: none */
};

struct out {
	void (*emit)(char c, void *ctx);
	void *ctx;
	int count;
};

static void put(struct out *o, char c)
{
	o->emit(c, o->ctx);
	o->count++;
}

static void put_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* A string, padded to the width (precision cuts it). */
static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		put_repeat(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		put_repeat(o, ' ', sp->width - len);
}

/*
 * An integer: magnitude v in base, with the sign or prefix given, padded.
 * Layout: [spaces][sign/prefix][zeros][digits][spaces].
 */
static void put_num(struct out *o, unsigned long long v, unsigned base,
		    bool upper, const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 2^64 in octal is 22 digits */
	int n = 0, plen = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->precision == 0 && n == 1 && buf[0] == '0')
		n = 0; /* "%.0d" of 0 prints nothing, as in C */
	while (prefix[plen])
		plen++;

	int zeros = sp->precision > n ? sp->precision - n : 0;
	int pad = sp->width - plen - zeros - n;
	if (sp->zero && !sp->left && sp->precision < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		put_repeat(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	put_repeat(o, '0', zeros);
	while (n)
		put(o, buf[--n]);
	if (sp->left)
		put_repeat(o, ' ', pad);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return va_arg(*ap, long); /* ssize_t / ptrdiff_t / intmax_t */
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Parses "123" or "*" at *p; returns -1 when there is neither. */
static int parse_count(const char **p, va_list *ap)
{
	if (**p == '*') {
		(*p)++;
		return va_arg(*ap, int);
	}
	if (**p < '0' || **p > '9')
		return -1;
	int n = 0;
	while (**p >= '0' && **p <= '9') {
		if (n < 100000)
			n = n * 10 + (**p - '0');
		(*p)++;
	}
	return n;
}

int kformat(void (*emit)(char c, void *ctx), void *ctx, const char *fmt,
	    va_list ap_in)
{
	struct out o = { emit, ctx, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		const char *start = p++;
		struct spec sp = { .precision = -1 };

		for (;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else if (*p == '+')
				sp.plus = true;
			else if (*p == ' ')
				sp.space = true;
			else if (*p == '#')
				sp.alt = true;
			else
				break;
		}
		sp.width = parse_count(&p, &ap);
		if (sp.width < 0 && p[-1] == '*') {
			sp.left = true; /* a negative '*' width means '-' */
			sp.width = -sp.width;
		}
		if (*p == '.') {
			p++;
			sp.precision = parse_count(&p, &ap);
			if (sp.precision < 0)
				sp.precision = p[-1] == '*' ? -1 : 0;
		}

		enum length len = LEN_INT;
		if (*p == 'h') {
			len = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
			p += p[1] == 'h' ? 2 : 1;
		} else if (*p == 'l') {
			len = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
			p += p[1] == 'l' ? 2 : 1;
		} else if (*p == 'z' || *p == 't' || *p == 'j') {
			len = LEN_SIZE;
			p++;
		}

		switch (*p) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, len);
			/* 0 - (unsigned)v: the magnitude, LLONG_MIN included */
			unsigned long long mag =
				v < 0 ? 0ull - (unsigned long long)v
				      : (unsigned long long)v;
			const char *sign = v < 0 ? "-" : sp.plus ? "+"
						: sp.space	  ? " "
								  : "";
			put_num(&o, mag, 10, false, sign, &sp);
			break;
		}
		case 'u':
			put_num(&o, arg_unsigned(&ap, len), 10, false, "", &sp);
			break;
		case 'x':
		case 'X': {
			unsigned long long v = arg_unsigned(&ap, len);
			const char *pre = sp.alt && v ? (*p == 'x' ? "0x" : "0X")
						       : "";
			put_num(&o, v, 16, *p == 'X', pre, &sp);
			break;
		}
		case 'o': {
			unsigned long long v = arg_unsigned(&ap, len);
			put_num(&o, v, 8, false, sp.alt && v ? "0" : "", &sp);
			break;
		}
		case 'p': {
			struct spec ps = sp;
			ps.precision = 16; /* always 16 digits */
			ps.zero = false;
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false,
				"0x", &ps);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				put_repeat(&o, ' ', sp.width - 1);
			put(&o, c);
			if (sp.left)
				put_repeat(&o, ' ', sp.width - 1);
			break;
		}
		case 's':
			put_str(&o, va_arg(ap, const char *), &sp);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown: print the directive as written, and stop at
			 * the end of the string. */
			for (const char *q = start; q <= p && *q; q++)
				put(&o, *q);
			if (!*p)
				p--;
			break;
		}
	}
	va_end(ap);
	return o.count;
}

/* ---- snprintf ---- */

struct buf_sink {
	char *buf;
	size_t size;
	size_t used;
};

static void buf_emit(char c, void *ctx)
{
	struct buf_sink *b = ctx;

	if (b->size && b->used < b->size - 1)
		b->buf[b->used] = c;
	b->used++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = kformat(buf_emit, &b, fmt, ap);

	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- printk ---- */

#define LINE_MAX_BYTES 256

struct line_sink {
	char line[LINE_MAX_BYTES];
	size_t used;
};

static void line_flush(struct line_sink *l)
{
	serial_write(l->line, l->used);
	l->used = 0;
}

static void line_emit(char c, void *ctx)
{
	struct line_sink *l = ctx;

	l->line[l->used++] = c;
	if (c == '\n' || l->used == sizeof(l->line))
		line_flush(l);
}

#define NO_OWNER UINT32_MAX

static uint32_t owner = NO_OWNER; /* the CPU printing, or NO_OWNER */
static unsigned int writers;      /* CPUs inside the locked section */
static unsigned long overlaps;    /* times writers was found above 0 */

/* Takes the lock unless this CPU holds it; true if it took it. */
static bool printk_lock(uint32_t me)
{
	uint32_t expected = NO_OWNER;

	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) == me)
		return false; /* nested on this CPU */
	while (!__atomic_compare_exchange_n(&owner, &expected, me, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		expected = NO_OWNER;
		__builtin_ia32_pause();
	}
	if (__atomic_fetch_add(&writers, 1, __ATOMIC_RELAXED) != 0)
		__atomic_fetch_add(&overlaps, 1, __ATOMIC_RELAXED);
	return true;
}

static void printk_unlock(void)
{
	__atomic_fetch_sub(&writers, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&owner, NO_OWNER, __ATOMIC_RELEASE);
}

void printk_panic_takeover(void)
{
	__atomic_store_n(&writers, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&owner, this_cpu_id_early(), __ATOMIC_RELEASE);
}

unsigned long printk_overlaps(void)
{
	return __atomic_load_n(&overlaps, __ATOMIC_RELAXED);
}

unsigned long printk_hold(void)
{
	unsigned long flags = mm_port_irq_save();

	/* Bit 0 of the IF-free flags word records whether this call took the
	 * lock (RFLAGS bit 1 is always 1, bit 0 is CF: not needed back). */
	return (flags & ~1ul) | printk_lock(this_cpu_id_early());
}

void printk_release(unsigned long held)
{
	if (held & 1)
		printk_unlock();
	mm_port_irq_restore(held & ~1ul);
}

int vprintk(const char *fmt, va_list ap)
{
	struct line_sink l;
	int n;
	unsigned long flags = mm_port_irq_save();
	bool locked = printk_lock(this_cpu_id_early());

	l.used = 0;
	n = kformat(line_emit, &l, fmt, ap);
	line_flush(&l);
	if (locked)
		printk_unlock();
	mm_port_irq_restore(flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
