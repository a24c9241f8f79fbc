/* SPDX-License-Identifier: MIT */
/* GFP masks by name (for failure reports and panics) and the check that
 * rejects contradictory masks. */
#include "build.h"

#include "core.h"
#include "page/gfp_check.h"

struct gfp_name {
	gfp_t mask;
	const char *name;
};

/* Combinations first, largest first, then single modifiers. */
static const struct gfp_name names[] = {
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_THISNODE, "GFP_THISNODE" },
	{ __GFP_DMA, "GFP_DMA" },
	{ __GFP_DMA32, "GFP_DMA32" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_ATOMIC, "__GFP_ATOMIC" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_COLD, "__GFP_COLD" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_REPEAT, "__GFP_REPEAT" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
};

static size_t append(char *buf, size_t size, size_t len, const char *s)
{
	if (len && len + 1 < size)
		buf[len++] = '|';
	while (*s && len + 1 < size)
		buf[len++] = *s++;
	buf[len < size ? len : size - 1] = '\0';
	return len;
}

const char *mm_gfp_format(gfp_t gfp, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0;
	gfp_t left = gfp;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (gfp == 0)
		return append(buf, size, 0, "GFP_NOWAIT"), buf;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((left & names[i].mask) == names[i].mask) {
			len = append(buf, size, len, names[i].name);
			left &= ~names[i].mask;
		}
	}
	if (left) { /* undefined bits, in hex */
		char num[16] = "0x";
		int n = 2;
		for (int sh = 28; sh >= 0; sh -= 4)
			if ((left >> sh) || sh == 0)
				num[n++] = hex[(left >> sh) & 0xf];
		num[n] = '\0';
		len = append(buf, size, len, num);
	}
	return buf;
}

void mm_gfp_check_slow(const char *fn, gfp_t gfp)
{
	char buf[160];

	if (gfp & ~___GFP_BITS_MASK)
		mm_panic("%s: unknown gfp bits 0x%x in mask %s", fn,
			 gfp & ~___GFP_BITS_MASK, mm_gfp_format(gfp, buf, sizeof(buf)));
	if ((gfp & __GFP_DMA) && (gfp & __GFP_DMA32))
		mm_panic("%s: contradictory gfp mask: GFP_DMA with GFP_DMA32 (%s)",
			 fn, mm_gfp_format(gfp, buf, sizeof(buf)));
	if ((gfp & __GFP_HIGHMEM) && (gfp & (__GFP_DMA | __GFP_DMA32)))
		mm_panic("%s: contradictory gfp mask: __GFP_HIGHMEM with %s (%s)",
			 fn, (gfp & __GFP_DMA) ? "GFP_DMA" : "GFP_DMA32",
			 mm_gfp_format(gfp, buf, sizeof(buf)));
	if ((gfp & __GFP_NOFAIL) && (gfp & __GFP_NORETRY))
		mm_panic("%s: contradictory gfp mask: __GFP_NOFAIL with "
			 "__GFP_NORETRY (%s)", fn, mm_gfp_format(gfp, buf, sizeof(buf)));
}

void mm_gfp_context_panic(const char *fn, gfp_t gfp)
{
	char buf[160];

	mm_panic("%s: reclaiming gfp mask in an interrupt handler (%s; use "
		 "GFP_ATOMIC or GFP_NOWAIT there)", fn, mm_gfp_format(gfp, buf, sizeof(buf)));
}
