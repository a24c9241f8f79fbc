/* SPDX-License-Identifier: MIT */
/*
 * The test kernel (mm64-test.elf): boot, then run every ktest selected by
 * `test=GLOB` (default: all) with the PRNG seeded by `seed=N` (default: the
 * TSC, printed by the runner so a failure can be replayed), on at most
 * test_ram= (64G) of free RAM (kernel/test_confine.c). QEMU exits with
 * status 33 when every test passed and 35 otherwise.
 */
#include <ktest.h>

#include "cmdline.h"
#include "cpu.h"
#include "kernel.h"
#include "panic.h"
#include "printk.h"
#include "shutdown.h"
#include "test_confine.h"

/* A decimal or 0x-hexadecimal seed; false if s is not exactly one. */
static bool parse_seed(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

_Noreturn void kernel_after_boot(const struct boot_info *bi)
{
	char glob[256], seed_text[32];
	uint64_t seed = rdtsc();

	const char *g = cmdline_get(bi->cmdline, "test", glob, sizeof(glob));
	const char *s = cmdline_get(bi->cmdline, "seed", seed_text,
				    sizeof(seed_text));
	if (s && *s && !parse_seed(s, &seed))
		panic("kernel_after_boot: seed=%s is not a decimal or 0x "
		      "number", s);

	test_confine_ram(bi->cmdline);
	printk("mm64: running tests\n");
	int failed = ktest_run_all(g, seed);
	if (!test_release_ram())
		failed++;
	machine_exit(failed ? EXIT_TESTS_FAILED : EXIT_SUCCESS_CODE);
}
