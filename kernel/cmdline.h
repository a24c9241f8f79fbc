/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line: words separated by blanks, each `key=value` or a bare
 * `key`. Double quotes group blanks into a word and are removed:
 * `key="a b"` has the value `a b`. Hardware-free; builds for the kernel and
 * the host.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_LAST ((size_t)-1) /* cmdline_find: the last occurrence */

/*
 * cmdline_find - the value of the nth occurrence of @key (0 = first,
 * CMDLINE_LAST = last). A bare `key` has the empty value.
 * @buf, @bufsz: receives the value with quotes removed, cut to bufsz - 1
 *               characters and always NUL-terminated (if bufsz > 0).
 * @len:         if not NULL, receives the value's full length; a value was
 *               cut when *len >= bufsz.
 * Returns false if @cmdline (may be NULL) has no such occurrence.
 */
bool cmdline_find(const char *cmdline, const char *key, size_t nth, char *buf,
		  size_t bufsz, size_t *len);

/*
 * cmdline_get - the value of `key=value`, as on Linux the last one given.
 * Returns @buf, or NULL when the key is absent or its value does not fit in
 * bufsz - 1 characters (use cmdline_find to tell those apart).
 */
const char *cmdline_get(const char *cmdline, const char *key, char *buf,
			size_t bufsz);

/* Number of occurrences of @key. */
size_t cmdline_count(const char *cmdline, const char *key);

/*
 * cmdline_parse_size - parse SIZE: a decimal or 0x-hexadecimal number with an
 * optional suffix K, M, G or T (either case; powers of 1024).
 * *out receives the value and, if @end is not NULL, *end the first character
 * after it. Returns false, leaving *out unchanged, when there is no number or
 * the value does not fit in 64 bits.
 */
bool cmdline_parse_size(const char *s, uint64_t *out, const char **end);

#endif
