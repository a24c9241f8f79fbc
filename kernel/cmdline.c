/* SPDX-License-Identifier: MIT */
/* Kernel command line parsing (see cmdline.h). */
#include "cmdline.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Finds the next word at or after *p: [*ws, *we). A double quote toggles
 * quoting; blanks inside quotes do not end the word. */
static bool next_word(const char **p, const char **ws, const char **we)
{
	const char *s = *p;
	bool quoted = false;

	while (is_blank(*s))
		s++;
	if (!*s)
		return false;
	*ws = s;
	while (*s && (quoted || !is_blank(*s))) {
		if (*s == '"')
			quoted = !quoted;
		s++;
	}
	*we = s;
	*p = s;
	return true;
}

/* If the word [ws, we) is `key` or `key=...` (quotes ignored), returns true
 * and sets *val to the first character after the '=' (or we). */
static bool word_is_key(const char *ws, const char *we, const char *key,
			const char **val)
{
	const char *w = ws;

	for (const char *k = key; *k; k++) {
		while (w < we && *w == '"')
			w++;
		if (w == we || *w != *k)
			return false;
		w++;
	}
	while (w < we && *w == '"')
		w++;
	if (w == we) {
		*val = we;
		return true;
	}
	if (*w != '=')
		return false;
	*val = w + 1;
	return true;
}

bool cmdline_find(const char *cmdline, const char *key, size_t nth, char *buf,
		  size_t bufsz, size_t *len)
{
	const char *p = cmdline, *ws, *we, *val, *hit_val = NULL, *hit_end = NULL;
	size_t seen = 0;

	if (!cmdline || !key || !*key)
		return false;
	while (next_word(&p, &ws, &we)) {
		if (!word_is_key(ws, we, key, &val))
			continue;
		hit_val = val;
		hit_end = we;
		if (nth != CMDLINE_LAST && seen++ == nth)
			break;
	}
	if (!hit_val || (nth != CMDLINE_LAST && seen <= nth))
		return false;

	size_t n = 0;
	for (const char *v = hit_val; v < hit_end; v++) {
		if (*v == '"')
			continue;
		if (n + 1 < bufsz)
			buf[n] = *v;
		n++;
	}
	if (bufsz)
		buf[n < bufsz ? n : bufsz - 1] = '\0';
	if (len)
		*len = n;
	return true;
}

const char *cmdline_get(const char *cmdline, const char *key, char *buf,
			size_t bufsz)
{
	size_t len;

	if (!cmdline_find(cmdline, key, CMDLINE_LAST, buf, bufsz, &len) ||
	    len >= bufsz)
		return NULL;
	return buf;
}

size_t cmdline_count(const char *cmdline, const char *key)
{
	const char *p = cmdline, *ws, *we, *val;
	size_t n = 0;

	if (!cmdline || !key || !*key)
		return 0;
	while (next_word(&p, &ws, &we))
		if (word_is_key(ws, we, key, &val))
			n++;
	return n;
}

static int digit_value(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

bool cmdline_parse_size(const char *s, uint64_t *out, const char **end)
{
	unsigned base = 10;
	uint64_t v = 0;
	unsigned shift = 0;
	int d;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2], 16) >= 0) {
		base = 16;
		s += 2;
	}
	if (digit_value(*s, base) < 0)
		return false;
	for (; (d = digit_value(*s, base)) >= 0; s++)
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			return false;
	switch (*s) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	}
	if (shift) {
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
		s++;
	}
	*out = v;
	if (end)
		*end = s;
	return true;
}
