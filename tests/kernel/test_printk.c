/* SPDX-License-Identifier: MIT */
/* printk's formatter, through snprintf: every conversion, widths, padding,
 * the edges of the integer types, truncation. */
#include <ktest.h>
#include <limits.h>

#include "kstring.h"
#include "printk.h"

static char buf[256];

/* Formats with snprintf and compares; on a mismatch prints both strings. */
#define EXPECT_FMT(want, ...)                                                   \
	do {                                                                    \
		int n_ = snprintf(buf, sizeof(buf), __VA_ARGS__);              \
		if (strcmp(buf, want) != 0)                                     \
			ktest_printf("#     got \"%s\", want \"%s\"\n", buf,    \
				     want);                                     \
		KT_EXPECT(strcmp(buf, want) == 0);                              \
		KT_EXPECT_EQ(n_, strlen(want));                                 \
	} while (0)

KTEST(printk, signed_conversions)
{
	EXPECT_FMT("0", "%d", 0);
	EXPECT_FMT("42 -42", "%d %i", 42, -42);
	EXPECT_FMT("2147483647 -2147483648", "%d %d", INT_MAX, INT_MIN);
	EXPECT_FMT("-9223372036854775808", "%ld", LONG_MIN);
	EXPECT_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT_FMT("9223372036854775807", "%lld", LLONG_MAX);
	EXPECT_FMT("-1 -1", "%hhd %hd", (signed char)-1, (short)-1);
	EXPECT_FMT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
}

KTEST(printk, unsigned_conversions)
{
	EXPECT_FMT("4294967295", "%u", UINT_MAX);
	EXPECT_FMT("18446744073709551615", "%lu", ULONG_MAX);
	EXPECT_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT_FMT("12345", "%zu", (size_t)12345);
	EXPECT_FMT("255 65535", "%hhu %hu", (unsigned char)255,
		   (unsigned short)65535);
}

KTEST(printk, hex_and_octal)
{
	EXPECT_FMT("ff FF", "%x %X", 255u, 255u);
	EXPECT_FMT("deadbeefcafe", "%lx", 0xdeadbeefcafeul);
	EXPECT_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
	EXPECT_FMT("0x1f 0", "%#x %#x", 0x1fu, 0u);
	EXPECT_FMT("17 017", "%o %#o", 15u, 15u);
}

KTEST(printk, widths_and_padding)
{
	EXPECT_FMT("   42", "%5d", 42);
	EXPECT_FMT("42   |", "%-5d|", 42);
	EXPECT_FMT("00042", "%05d", 42);
	EXPECT_FMT("-0042", "%05d", -42);
	EXPECT_FMT("  -42", "%5d", -42);
	EXPECT_FMT("0000beef", "%08x", 0xbeefu);
	EXPECT_FMT("0x000000ab", "%#010x", 0xabu);
	EXPECT_FMT("123456", "%3d", 123456); /* never cut */
	EXPECT_FMT("   7|7   ", "%*d|%-*d", 4, 7, 4, 7);
	EXPECT_FMT("7   |", "%*d|", -4, 7); /* negative '*' width: left */
	EXPECT_FMT("00012", "%.5d", 12);
	EXPECT_FMT("", "%.0d", 0);
	EXPECT_FMT("000000000000abcd", "%016llx", 0xabcdull);
}

KTEST(printk, strings_chars_and_percent)
{
	EXPECT_FMT("hello", "%s", "hello");
	const char *volatile null_string = NULL; /* hidden from -Wformat */
	EXPECT_FMT("(null)", "%s", null_string);
	EXPECT_FMT("   ab|ab   |", "%5s|%-5s|", "ab", "ab");
	EXPECT_FMT("abc", "%.3s", "abcdef");
	EXPECT_FMT("ab", "%.*s", 2, "abcdef");
	EXPECT_FMT("x", "%c", 'x');
	EXPECT_FMT("  x|x  |", "%3c|%-3c|", 'x', 'x');
	EXPECT_FMT("100%", "%d%%", 100);
	EXPECT_FMT("", "%s", "");
}

KTEST(printk, pointers_print_16_digits)
{
	EXPECT_FMT("0x0000000000000000", "%p", (void *)0);
	EXPECT_FMT("0x0000000000001000", "%p", (void *)0x1000);
	EXPECT_FMT("0xffffffff80100000", "%p", (void *)0xffffffff80100000ul);
	EXPECT_FMT("  0x00000000000000ff|", "%20p|", (void *)0xff);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
KTEST(printk, unknown_conversion_and_odd_flags)
{
	EXPECT_FMT("a%qb", "a%qb");
	EXPECT_FMT("end%", "end%");
	EXPECT_FMT("-42  |", "%-05d|", -42); /* '-' wins over '0' */
}
#pragma GCC diagnostic pop

KTEST(printk, snprintf_truncates_and_reports_full_length)
{
	char small[8];

	memset(small, 'Z', sizeof(small));
	int n = snprintf(small, sizeof(small), "%s", "0123456789");
	KT_EXPECT_EQ(n, 10);
	KT_EXPECT(strcmp(small, "0123456") == 0);

	/* size 1: only the terminator; size 0: nothing written at all */
	small[0] = 'Z';
	KT_EXPECT_EQ(snprintf(small, 1, "%d", 12345), 5);
	KT_EXPECT_EQ(small[0], '\0');
	small[0] = 'Z';
	KT_EXPECT_EQ(snprintf(small, 0, "%d", 12345), 5);
	KT_EXPECT_EQ(small[0], 'Z');
}

KTEST(printk, printk_returns_bytes_written)
{
	KT_EXPECT_EQ(printk("# printk test line %d\n", 7), 21);
}
