/* SPDX-License-Identifier: MIT */
/*
 * A small in-tree fuzzer that also runs inside the test kernel (the
 * libFuzzer target only runs on the host): random byte mutations of a
 * GRUB-like block never crash the parser, and every block it accepts keeps
 * the promises boot_info_check() states.
 */
#include <ktest.h>

#include "mb2.h"
#include "mb2_blob.h"

static void grub_like(struct mb2_blob *b)
{
	blob_cmdline(b, "mem=3G memmap=1M$0x1000000,4K$0x2000000");
	blob_tag(b, MB2_TAG_LOADER_NAME, "GRUB 2.06", 10);
	blob_meminfo(b, 639, 130048);
	blob_default_map(b);
	blob_module(b, 0x500000, 0x512345, "initrd");
	blob_rsdp(b, true);
	blob_end(b);
}

KTEST(mb2, random_mutations_keep_promises)
{
	struct mb2_blob *b = blob_begin();
	static uint8_t pristine[BLOB_CAP];
	size_t len, accepted = 0;

	grub_like(b);
	len = b->len;
	__builtin_memcpy(pristine, b->buf, len);
	for (int round = 0; round < 1000; round++) {
		const char *why = "";
		int flips = 1 + (int)ktest_rand_below(8);

		__builtin_memcpy(b->buf, pristine, len);
		for (int i = 0; i < flips; i++) {
			size_t at = ktest_rand_below(len);
			uint64_t how = ktest_rand_below(4);

			if (how == 0)
				b->buf[at] ^= (uint8_t)(1u << ktest_rand_below(8));
			else if (how == 1)
				b->buf[at] = (uint8_t)ktest_rand();
			else if (how == 2)
				b->buf[at] = 0;
			else
				b->buf[at] = 0xff;
		}
		/* sometimes cut the block short */
		b->len = ktest_rand_below(4) ? len : ktest_rand_below(len + 1);
		if (blob_parse(b)) {
			accepted++;
			KT_EXPECT(boot_info_check(&test_bi, &why));
			KT_EXPECT(usable_unreserved_in(0, 0x100000) == 0);
		} else {
			KT_EXPECT(test_bi.error != NULL);
		}
		b->len = len;
	}
	/* the mutations are mild: most blocks still parse */
	KT_EXPECT(accepted > 100);
}
