/* SPDX-License-Identifier: MIT */
/*
 * Event counters for tests, benchmarks and reports (mm/stats.c). Each CPU
 * counts in its own cache line, with interrupts off (an interrupt handler
 * on the same CPU counts too) and a relaxed store, so counting costs no
 * atomic instruction and no shared line; a read sums every CPU's count.
 * All counters are on slow paths.
 */
#ifndef MM_STATS_H
#define MM_STATS_H

#include <mm/port.h>

#include "core.h"

enum mm_stat {
	MM_STAT_RECLAIM_ROUNDS,  /* alloc_pages reclaim-and-retry rounds */
	MM_STAT_FAIL_REPORTS,    /* "page allocation failure" printed */
	MM_STAT_ALLOC_FAILURES,  /* alloc_pages returned NULL */
	MM_STAT_SHRINKER_CALLS,  /* shrinker scan() calls */
	MM_STAT_POISON_CHECKED,  /* frames checked at allocation (debug) */
	MM_STAT_CONTIG_DRAINS,   /* contigmalloc: per-CPU drains after a miss */
	MM_STAT_CONTIG_RECLAIMS, /* contigmalloc: mm_direct_reclaim calls */
	MM_STAT_SLAB_LEAKED,     /* objects kmem_cache_destroy found in use */
	MM_NR_STATS
};

struct mm_cpu_stats {
	unsigned long n[MM_NR_STATS];
} __attribute__((aligned(MM_CACHE_LINE)));

extern struct mm_cpu_stats mm_cpu_stats[MM_MAX_CPUS];

static inline void mm_stat_add(enum mm_stat stat, unsigned long v)
{
	unsigned long irq = mm_port_irq_save();
	unsigned long *n = &mm_cpu_stats[mm_this_cpu_raw()].n[stat];

	__atomic_store_n(n, *n + v, __ATOMIC_RELAXED);
	mm_port_irq_restore(irq);
}

static inline void mm_stat_inc(enum mm_stat stat)
{
	mm_stat_add(stat, 1);
}

/* The sum over every CPU (racy while others count: each CPU's count is
 * read once, atomically). */
unsigned long mm_stat_read(enum mm_stat stat);
/* All counters to 0 (mm_init; no other CPU in mm/). */
void mm_stats_reset(void);

#endif
