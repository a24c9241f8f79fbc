/* SPDX-License-Identifier: MIT */
/*
 * Stamps: every allocation gets, in the first and the last word of each of
 * its 4 KiB pieces, a value made from the word's address and the
 * allocation's tag (seed, CPU and serial). A block handed to two owners, a
 * write after free or a stale per-CPU entry shows up as a wrong word when
 * the owner verifies before freeing. Also called from the timer interrupt:
 * nothing here takes a lock or allocates.
 */
#include <stdarg.h>

#include "ktest_env.h"
#include "smp_stress.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t expected(const uint64_t *w, uint64_t tag)
{
	return mix((uint64_t)(uintptr_t)w ^ tag ^ smp_cfg.seed * 0x9e3779b97f4a7c15ull);
}

/* Stamped words: 2 per 4 KiB piece, its first (even i) and last (odd i). */
static uint64_t nr_stamps(const struct obj *o)
{
	return 2 * ((o->size + 4095) / 4096);
}

static uint64_t *stamp_word(const struct obj *o, uint64_t i)
{
	uint64_t start = (i / 2) * 4096;
	uint64_t len = o->size - start < 4096 ? o->size - start : 4096;

	return (uint64_t *)((char *)o->p + start + ((i & 1) ? (len - 8) & ~7ull : 0));
}

void smp_stamp(const struct obj *o)
{
	for (uint64_t i = 0; i < nr_stamps(o); i++) {
		uint64_t *w = stamp_word(o, i);
		*w = expected(w, o->tag);
	}
}

static const char *const kind_names[] = { "none", "pages", "kmalloc", "cache",
					  "own-cache", "contig" };

static int format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = ktest_env_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void smp_fail(struct worker *w, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	int n = format(buf, sizeof(buf), "# CPU %u: ", w->cpu);

	va_start(ap, fmt);
	ktest_env_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	smp_env_puts(buf); /* this may run in the timer interrupt */
	__atomic_fetch_add(&w->failures, 1, __ATOMIC_RELAXED); /* also from interrupts */
}

bool smp_verify(struct worker *w, const struct obj *o, const char *where)
{
	for (uint64_t i = 0; i < nr_stamps(o); i++) {
		uint64_t *x = stamp_word(o, i);
		uint64_t want = expected(x, o->tag);

		if (*x != want) {
			smp_fail(w, "stamp mismatch (%s): %s %p size %llu, word at +%lld is "
				 "0x%llx, want 0x%llx (tag 0x%llx: CPU %llu%s serial %llu)",
				 where, kind_names[o->kind], o->p, (unsigned long long)o->size,
				 (long long)((char *)x - (char *)o->p), (unsigned long long)*x,
				 (unsigned long long)want, (unsigned long long)o->tag,
				 (unsigned long long)(o->tag >> 56),
				 (o->tag >> 48) & 1 ? " in interrupt" : "",
				 (unsigned long long)(o->tag & 0xffffffffffull));
			return false;
		}
	}
	return true;
}

bool smp_check_zero(struct worker *w, const struct obj *o, const char *where)
{
	/* All of a small block; the stamped words of a large one. */
	if (o->size <= 16384) {
		for (uint64_t i = 0; i < o->size / 8; i++)
			if (((const uint64_t *)o->p)[i]) {
				smp_fail(w, "not zeroed (%s): %s %p size %llu, word %llu",
					 where, kind_names[o->kind], o->p,
					 (unsigned long long)o->size,
					 (unsigned long long)i);
				return false;
			}
		return true;
	}
	for (uint64_t i = 0; i < nr_stamps(o); i++) {
		uint64_t *x = stamp_word(o, i);
		if (*x) {
			smp_fail(w, "not zeroed (%s): %s %p size %llu at +%lld", where,
				 kind_names[o->kind], o->p, (unsigned long long)o->size,
				 (long long)((char *)x - (char *)o->p));
			return false;
		}
	}
	return true;
}

void smp_free(struct worker *w, struct obj *o, const char *where)
{
	smp_verify(w, o, where);
	switch (o->kind) {
	case OBJ_PAGES:
		__free_pages(virt_to_page(o->p), o->order);
		break;
	case OBJ_KMALLOC:
		kfree(o->p);
		break;
	case OBJ_CACHE:
	case OBJ_OWN:
		kmem_cache_free(o->cache, o->p);
		break;
	case OBJ_CONTIG:
		contigfree(o->p, o->size, M_SMP);
		break;
	default:
		smp_fail(w, "smp_free: object of kind %u", o->kind);
	}
	o->kind = OBJ_NONE;
	o->p = NULL;
}
