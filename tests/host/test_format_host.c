/* SPDX-License-Identifier: MIT */
/*
 * mm_vsnprintf (mm/format.c), the formatter a port may use for
 * mm_port_log: every conversion, length, width and flag of the subset
 * against the C library's snprintf, truncation, and what it does with a
 * format outside the subset (host only: the kernel has no libc to compare
 * with).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <ktest.h>
#include <mm/port.h>

/* Formats with both and expects the same text and the same return. */
#define SAME(...)                                                               \
	do {                                                                    \
		char a[128], b[128];                                            \
		int na = mm_snprintf(a, sizeof(a), __VA_ARGS__);                \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                   \
		KT_EXPECT_EQ(na, nb);                                           \
		if (strcmp(a, b) != 0) {                                        \
			ktest_printf("# mm: \"%s\" libc: \"%s\"\n", a, b);           \
			KT_EXPECT(strcmp(a, b) == 0);                           \
		}                                                               \
	} while (0)

KTEST(format_host, the_subset_prints_as_libc_does)
{
	SAME("plain text, no conversion");
	SAME("%d %d %d %i", 0, -1, INT_MIN, INT_MAX);
	SAME("%u %x %X", 0u, 0xdeadbeefu, 0xabcdefu);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcul);
	SAME("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ull);
	SAME("%zu %zu", (size_t)0, (size_t)-1);
	SAME("%s|%10s|%-10s|%2s", "zone", "DMA32", "Normal", "longer");
	SAME("%c%c%5c|%-3c|", 'o', 'k', 'x', 'y');
	SAME("%5d|%-5d|%05d|%05d", 42, 42, 42, -42);
	SAME("%010llx|%02llu|%9llu|%16llu", 0x1234ull, 3ull, 123456789ull, 1ull);
	SAME("%8zu|%-12s|%7lu", (size_t)4096, "kmalloc-64", 99ul);
	SAME("100%% of %d", 3);
	SAME("%p %p", (void *)0x1000, (void *)0xffff800000000000ull);
	SAME("%20p|%-20p|", (void *)0xabc, (void *)0xabc);
}

KTEST(format_host, truncates_like_snprintf)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	KT_EXPECT_EQ(mm_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345), 12);
	KT_EXPECT(strcmp(buf, "abcdef-") == 0);
	KT_EXPECT_EQ(mm_snprintf(buf, 1, "%d", 7), 1);
	KT_EXPECT_EQ(buf[0], '\0');
	buf[0] = 'q';
	KT_EXPECT_EQ(mm_snprintf(buf, 0, "%d", 7), 1);
	KT_EXPECT_EQ(buf[0], 'q'); /* size 0 stores nothing */
}

/* A conversion outside the subset is copied out and consumes no argument,
 * so what follows still prints the right values. */
KTEST(format_host, outside_the_subset_is_copied_out)
{
	/* through a pointer: the compiler's format check would refuse these */
	int (*volatile fmt)(char *, size_t, const char *, ...) = mm_snprintf;
	char buf[64];

	KT_EXPECT_EQ(fmt(buf, sizeof(buf), "%.3s|%d", 5), 6);
	KT_EXPECT(strcmp(buf, "%.3s|5") == 0);
	fmt(buf, sizeof(buf), "%+d %d", 9);
	KT_EXPECT(strcmp(buf, "%+d 9") == 0);
	fmt(buf, sizeof(buf), "%s %", "end");
	KT_EXPECT(strcmp(buf, "end %") == 0);
	fmt(buf, sizeof(buf), "%s", (const char *)0);
	KT_EXPECT(strcmp(buf, "(null)") == 0);
}
