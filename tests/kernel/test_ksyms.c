/* SPDX-License-Identifier: MIT */
/* Symbol lookup for stack traces (kernel/ksyms.c). */
#include <ktest.h>

#include "kernel.h"
#include "kstring.h"
#include "ksyms.h"

static void __attribute__((noinline)) a_known_function(void)
{
	__asm__ volatile("" ::: "memory");
}

KTEST(ksyms, names_functions_by_address)
{
	uint64_t off = ~0ull;
	const char *name;

	/* GRUB always passes the ELF sections (the kernel asks for them),
	 * wherever the kernel moved them to. */
	KT_ASSERT(ksyms_count() > 0);
	name = ksym_lookup((uint64_t)(uintptr_t)kernel_main, &off);
	KT_ASSERT(name != NULL);
	KT_EXPECT(strcmp(name, "kernel_main") == 0);
	KT_EXPECT_EQ(off, 0);

	name = ksym_lookup((uint64_t)(uintptr_t)a_known_function + 1, &off);
	KT_ASSERT(name != NULL);
	KT_EXPECT(strcmp(name, "a_known_function") == 0);
	KT_EXPECT_EQ(off, 1);
}

KTEST(ksyms, nothing_outside_the_image)
{
	uint64_t off;

	KT_EXPECT(ksym_lookup(0, &off) == NULL);
	KT_EXPECT(ksym_lookup(0xffff800000100000ull, &off) == NULL);
}
