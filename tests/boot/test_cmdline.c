/* SPDX-License-Identifier: MIT */
/* Command line words and sizes (kernel/cmdline.c). */
#include <ktest.h>

#include "cmdline.h"

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

KTEST(cmdline, get_basic)
{
	char buf[32];
	const char *cl = "test=boot.* seed=42  mem=512M\tquiet";

	KT_EXPECT(str_eq(cmdline_get(cl, "test", buf, sizeof(buf)), "boot.*"));
	KT_EXPECT(str_eq(cmdline_get(cl, "seed", buf, sizeof(buf)), "42"));
	KT_EXPECT(str_eq(cmdline_get(cl, "mem", buf, sizeof(buf)), "512M"));
	KT_EXPECT(str_eq(cmdline_get(cl, "quiet", buf, sizeof(buf)), ""));
	KT_EXPECT(cmdline_get(cl, "verbose", buf, sizeof(buf)) == NULL);
}

KTEST(cmdline, key_must_match_whole_word)
{
	char buf[32];

	/* "mem" is a prefix of "memmap": it must not match it, nor "xmem". */
	KT_EXPECT(cmdline_get("memmap=1M$0x1000 xmem=3", "mem", buf,
			      sizeof(buf)) == NULL);
	KT_EXPECT(cmdline_get("me=1", "mem", buf, sizeof(buf)) == NULL);
	KT_EXPECT(str_eq(cmdline_get("memmap=4K$0 mem=9", "mem", buf,
				     sizeof(buf)), "9"));
	KT_EXPECT_EQ(cmdline_count("memmap=1 mem=2 memmap=3 memmapx=4",
				   "memmap"), 2);
}

KTEST(cmdline, last_occurrence_wins_and_nth)
{
	char buf[16];
	size_t len;

	KT_EXPECT(str_eq(cmdline_get("mem=1G mem=2G", "mem", buf,
				     sizeof(buf)), "2G"));
	KT_EXPECT(cmdline_find("a=1 a=2 a=3", "a", 0, buf, sizeof(buf), &len));
	KT_EXPECT(str_eq(buf, "1"));
	KT_EXPECT(cmdline_find("a=1 a=2 a=3", "a", 2, buf, sizeof(buf), &len));
	KT_EXPECT(str_eq(buf, "3"));
	KT_EXPECT(!cmdline_find("a=1 a=2 a=3", "a", 3, buf, sizeof(buf), &len));
}

KTEST(cmdline, quotes_group_blanks)
{
	char buf[32];

	KT_EXPECT(str_eq(cmdline_get("x=\"a b  c\" y=2", "x", buf,
				     sizeof(buf)), "a b  c"));
	KT_EXPECT(str_eq(cmdline_get("x=\"a b\" y=2", "y", buf, sizeof(buf)),
			 "2"));
	KT_EXPECT(str_eq(cmdline_get("\"x=q r\"", "x", buf, sizeof(buf)),
			 "q r"));
	/* An unterminated quote runs to the end of the line. */
	KT_EXPECT(str_eq(cmdline_get("x=\"open y=2", "x", buf, sizeof(buf)),
			 "open y=2"));
	KT_EXPECT(str_eq(cmdline_get("x=\"\"", "x", buf, sizeof(buf)), ""));
}

KTEST(cmdline, edge_cases)
{
	char buf[8];
	size_t len = 0;

	KT_EXPECT(cmdline_get(NULL, "a", buf, sizeof(buf)) == NULL);
	KT_EXPECT(cmdline_get("", "a", buf, sizeof(buf)) == NULL);
	KT_EXPECT(cmdline_get("   ", "a", buf, sizeof(buf)) == NULL);
	KT_EXPECT(cmdline_get("a=1", "", buf, sizeof(buf)) == NULL);
	KT_EXPECT(str_eq(cmdline_get("  a=1  ", "a", buf, sizeof(buf)), "1"));
	KT_EXPECT(str_eq(cmdline_get("a==1", "a", buf, sizeof(buf)), "=1"));
	KT_EXPECT(str_eq(cmdline_get("a=", "a", buf, sizeof(buf)), ""));
	KT_EXPECT_EQ(cmdline_count(NULL, "a"), 0);
	/* Too long for buf: cmdline_get says absent, cmdline_find cuts it and
	 * reports the full length. */
	KT_EXPECT(cmdline_get("a=123456789", "a", buf, sizeof(buf)) == NULL);
	KT_EXPECT(cmdline_find("a=123456789", "a", 0, buf, sizeof(buf), &len));
	KT_EXPECT_EQ(len, 9);
	KT_EXPECT(str_eq(buf, "1234567"));
	KT_EXPECT(str_eq(cmdline_get("a=1234567", "a", buf, sizeof(buf)),
			 "1234567"));
	/* bufsz 0 writes nothing */
	KT_EXPECT(cmdline_find("a=1", "a", 0, buf, 0, &len));
	KT_EXPECT_EQ(len, 1);
}

static uint64_t size_of(const char *s, bool *ok)
{
	uint64_t v = 0xdead;
	const char *end = NULL;

	*ok = cmdline_parse_size(s, &v, &end) && end && *end == '\0';
	return v;
}

KTEST(cmdline, parse_size_suffixes)
{
	bool ok;

	KT_EXPECT_EQ(size_of("0", &ok), 0);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("4096", &ok), 4096);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("4K", &ok), 4096);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("4k", &ok), 4096);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("16M", &ok), 16ull << 20);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("3g", &ok), 3ull << 30);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("2T", &ok), 2ull << 40);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("0x1000", &ok), 0x1000);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("0X10m", &ok), 16ull << 20);
	KT_EXPECT(ok);
	KT_EXPECT_EQ(size_of("0xfd00000000", &ok), 0xfd00000000ull);
	KT_EXPECT(ok);
}

KTEST(cmdline, parse_size_rejects)
{
	uint64_t v = 7;
	const char *end;

	KT_EXPECT(!cmdline_parse_size("", &v, &end));
	KT_EXPECT(!cmdline_parse_size("K", &v, &end));
	KT_EXPECT(!cmdline_parse_size("abc", &v, &end));
	KT_EXPECT(!cmdline_parse_size("-1", &v, &end));
	KT_EXPECT(!cmdline_parse_size(NULL, &v, &end));
	KT_EXPECT(!cmdline_parse_size("18446744073709551616", &v, &end));
	KT_EXPECT(!cmdline_parse_size("0x10000000000000000", &v, &end));
	KT_EXPECT(!cmdline_parse_size("16777216T", &v, &end)); /* 2^64 */
	KT_EXPECT(!cmdline_parse_size("17179869184G", &v, &end));
	KT_EXPECT_EQ(v, 7); /* untouched on failure */

	KT_EXPECT(cmdline_parse_size("18446744073709551615", &v, &end));
	KT_EXPECT_EQ(v, UINT64_MAX);
	KT_EXPECT(cmdline_parse_size("16777215T", &v, &end));
	KT_EXPECT_EQ(v, 16777215ull << 40);
	/* "0x" without hex digits is the number 0 followed by "x". */
	KT_EXPECT(cmdline_parse_size("0x", &v, &end));
	KT_EXPECT_EQ(v, 0);
	KT_EXPECT_EQ(*end, 'x');
	/* The parse stops after the suffix: the caller checks the rest. */
	KT_EXPECT(cmdline_parse_size("64M$0x1000", &v, &end));
	KT_EXPECT_EQ(v, 64ull << 20);
	KT_EXPECT_EQ(*end, '$');
	KT_EXPECT(cmdline_parse_size("12Q", &v, &end));
	KT_EXPECT_EQ(v, 12);
	KT_EXPECT_EQ(*end, 'Q');
}
