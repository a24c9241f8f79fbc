/* SPDX-License-Identifier: MIT */
/* The ktest environment in the kernel (tests/lib/ktest_env.h). Test kernel
 * only; ktest_setjmp/ktest_longjmp are in kernel/ktest_jmp.asm. */
#include "ktest_env.h"

#include "printk.h"

void ktest_env_vprintf(const char *fmt, va_list ap)
{
	vprintk(fmt, ap);
}

int ktest_env_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}
