/* SPDX-License-Identifier: MIT */
/*
 * The C string functions the kernel provides (kernel/string.c). Named
 * kstring.h so that it never shadows the host's <string.h> (kernel/ is on
 * the host build's include path too).
 */
#ifndef KERNEL_KSTRING_H
#define KERNEL_KSTRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
/* Copies at most size-1 bytes and always NUL-terminates (size > 0);
 * returns strlen(src), so truncation is result >= size. */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
