/* SPDX-License-Identifier: MIT */
/*
 * What the ktest core needs from the environment it runs in. The kernel
 * implements these in kernel/ktest_kernel.c, the host in tests/host/main.c.
 */
#ifndef KTEST_ENV_H
#define KTEST_ENV_H

#include <stdarg.h>
#include <stddef.h>

void ktest_env_vprintf(const char *fmt, va_list ap);
/* Formats into buf (always NUL-terminated); returns the length it wanted. */
int ktest_env_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
