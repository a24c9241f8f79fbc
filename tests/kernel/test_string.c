/* SPDX-License-Identifier: MIT */
/* kernel/string.c: the copies in both directions, comparisons. */
#include <ktest.h>

#include "kstring.h"

KTEST(string, memset_memcpy_memcmp)
{
	char a[64], b[64];

	memset(a, 0x5a, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		KT_ASSERT_EQ((unsigned char)a[i], 0x5a);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (char)i;
	KT_EXPECT(memcpy(a, b, sizeof(a)) == a);
	KT_EXPECT_EQ(memcmp(a, b, sizeof(a)), 0);
	a[10] = 100;
	KT_EXPECT(memcmp(a, b, sizeof(a)) > 0);
	KT_EXPECT(memcmp(b, a, sizeof(a)) < 0);
	KT_EXPECT_EQ(memcmp(a, b, 10), 0);
}

KTEST(string, memmove_overlapping_both_ways)
{
	char s[16] = "0123456789";

	KT_EXPECT(memmove(s + 2, s, 8) == s + 2); /* forward overlap */
	KT_EXPECT(memcmp(s, "0101234567", 10) == 0);
	char t[16] = "0123456789";
	memmove(t, t + 3, 7); /* backward overlap */
	KT_EXPECT(memcmp(t, "3456789789", 10) == 0);
	/* The direction flag is clear again afterwards. */
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	KT_EXPECT_EQ(flags & (1ul << 10), 0);
}

KTEST(string, str_functions)
{
	char dst[6];

	KT_EXPECT_EQ(strlen(""), 0);
	KT_EXPECT_EQ(strlen("abc"), 3);
	KT_EXPECT_EQ(strnlen("abcdef", 4), 4);
	KT_EXPECT(strcmp("abc", "abc") == 0);
	KT_EXPECT(strcmp("abc", "abd") < 0);
	KT_EXPECT(strcmp("abc", "ab") > 0);
	KT_EXPECT(strncmp("abcx", "abcy", 3) == 0);
	KT_EXPECT(strchr("hello", 'l') != NULL && *strchr("hello", 'l') == 'l');
	KT_EXPECT(strchr("hello", 'z') == NULL);
	KT_EXPECT(strstr("page fault here", "fault") != NULL);
	KT_EXPECT(strstr("page", "fault") == NULL);
	KT_EXPECT_EQ(strlcpy(dst, "truncated", sizeof(dst)), 9);
	KT_EXPECT(strcmp(dst, "trunc") == 0);
}

/* memset/memcpy split into quadwords and a byte tail: every length and
 * misalignment up to three quadwords, with guard bytes on both sides. */
KTEST(string, memset_memcpy_every_length_and_offset)
{
	unsigned char buf[64], src[64];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= 24; len++) {
			memset(buf, 0xee, sizeof(buf));
			memset(buf + off, 0x5a, len);
			for (size_t i = 0; i < sizeof(buf); i++) {
				unsigned char want = (i >= off && i < off + len) ? 0x5a : 0xee;
				KT_ASSERT_EQ(buf[i], want);
			}
			memset(buf, 0xee, sizeof(buf));
			memcpy(buf + off, src + (len % 8), len);
			for (size_t i = 0; i < sizeof(buf); i++) {
				unsigned char want = (i >= off && i < off + len)
					? src[len % 8 + i - off] : 0xee;
				KT_ASSERT_EQ(buf[i], want);
			}
		}
	}
}
