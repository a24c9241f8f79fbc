/* SPDX-License-Identifier: MIT */
/*
 * Malloc types: the owner named in every contigmalloc(), with FreeBSD
 * vmstat -m statistics. A type joins the report list the first time it is
 * used (M_DEVBUF at mm_init), so MALLOC_DEFINE needs no constructor or
 * linker section.
 */
#include "build.h"

#include "contig/malloc_type.h"

#include "core.h"

MALLOC_DEFINE(M_DEVBUF, "devbuf", "device driver memory");

static mm_spinlock_t malloc_type_lock = MM_SPINLOCK_INIT;
static struct malloc_type *malloc_type_list; /* in order of first use */
static struct malloc_type **malloc_type_tail = &malloc_type_list;
static struct malloc_type *malloc_type_table[MALLOC_TYPE_MAX + 1];
static unsigned int malloc_type_count;

void mm_malloc_type_check(const char *fn, const struct malloc_type *type)
{
	if (!type || type->ks_magic != MALLOC_TYPE_MAGIC)
		mm_panic("%s: not a malloc type (type %p)", fn, (const void *)type);
}

/* Caller holds malloc_type_lock. */
static void list_locked(struct malloc_type *type)
{
	MM_ASSERT_LOCKED(&malloc_type_lock, "list_locked");
	if (type->ks_listed)
		return;
	type->ks_listed = true;
	type->ks_next = NULL;
	*malloc_type_tail = type;
	malloc_type_tail = &type->ks_next;
	type->ks_index = 0;
	if (malloc_type_count < MALLOC_TYPE_MAX) {
		type->ks_index = (uint16_t)++malloc_type_count;
		malloc_type_table[type->ks_index] = type;
	}
}

unsigned int mm_malloc_type_index(struct malloc_type *type)
{
	unsigned long irq = mm_port_lock_irqsave(&malloc_type_lock);

	list_locked(type);
	unsigned int index = type->ks_index;

	mm_port_unlock_irqrestore(&malloc_type_lock, irq);
	return index;
}

struct malloc_type *mm_malloc_type_from_index(unsigned int index)
{
	if (index == 0 || index > MALLOC_TYPE_MAX)
		return NULL;
	return __atomic_load_n(&malloc_type_table[index], __ATOMIC_RELAXED);
}

void mm_malloc_type_account_alloc(struct malloc_type *type, uint64_t bytes)
{
	unsigned long irq = mm_port_lock_irqsave(&malloc_type_lock);

	list_locked(type);
	type->ks_requests++;
	type->ks_inuse_bytes += bytes;
	if (type->ks_inuse_bytes > type->ks_peak_bytes)
		type->ks_peak_bytes = type->ks_inuse_bytes;
	mm_port_unlock_irqrestore(&malloc_type_lock, irq);
}

void mm_malloc_type_account_free(struct malloc_type *type, uint64_t bytes)
{
	unsigned long irq = mm_port_lock_irqsave(&malloc_type_lock);

	list_locked(type);
	type->ks_frees++;
	/* A free under another type than the allocation's must not wrap. */
	type->ks_inuse_bytes -= bytes < type->ks_inuse_bytes
					? bytes : type->ks_inuse_bytes;
	mm_port_unlock_irqrestore(&malloc_type_lock, irq);
}

void mm_malloc_type_account_failure(struct malloc_type *type)
{
	unsigned long irq = mm_port_lock_irqsave(&malloc_type_lock);

	list_locked(type);
	type->ks_failures++;
	mm_port_unlock_irqrestore(&malloc_type_lock, irq);
}

void mm_malloc_type_reset(void)
{
	unsigned long irq = mm_port_lock_irqsave(&malloc_type_lock);
	struct malloc_type *t = malloc_type_list;

	while (t) {
		struct malloc_type *next = t->ks_next;

		t->ks_listed = false;
		t->ks_next = NULL;
		malloc_type_table[t->ks_index] = NULL;
		t->ks_index = 0;
		t->ks_requests = t->ks_frees = t->ks_failures = 0;
		t->ks_inuse_bytes = t->ks_peak_bytes = 0;
		t = next;
	}
	malloc_type_list = NULL;
	malloc_type_tail = &malloc_type_list;
	malloc_type_count = 0;
	list_locked(M_DEVBUF);
	mm_port_unlock_irqrestore(&malloc_type_lock, irq);
}

void malloc_type_report(void)
{
	/* A consistent copy of each row, printed without the lock held. */
	unsigned long irq = mm_port_lock_irqsave(&malloc_type_lock);
	struct malloc_type *t = malloc_type_list;

	mm_port_unlock_irqrestore(&malloc_type_lock, irq);
	mm_port_log("malloc types (contigmalloc), like vmstat -m:\n");
	mm_port_log("  %-12s %8s %10s %10s %10s %10s %8s  %s\n", "Type",
		    "InUse", "MemUse", "HighUse", "Requests", "Frees",
		    "Failed", "Description");
	while (t) {
		struct malloc_type row;

		irq = mm_port_lock_irqsave(&malloc_type_lock);
		row = *t;
		mm_port_unlock_irqrestore(&malloc_type_lock, irq);
		mm_port_log("  %-12s %8llu %9lluK %9lluK %10llu %10llu %8llu  "
			    "%s\n",
			    row.ks_shortdesc,
			    (unsigned long long)(row.ks_requests - row.ks_frees),
			    (unsigned long long)(row.ks_inuse_bytes >> 10),
			    (unsigned long long)(row.ks_peak_bytes >> 10),
			    (unsigned long long)row.ks_requests,
			    (unsigned long long)row.ks_frees,
			    (unsigned long long)row.ks_failures,
			    row.ks_longdesc ? row.ks_longdesc : "");
		t = row.ks_next;
	}
}
