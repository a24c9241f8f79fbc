/* SPDX-License-Identifier: MIT */
/* Per-CPU event counters (mm/stats.h). */
#include "build.h"

#include "stats.h"

struct mm_cpu_stats mm_cpu_stats[MM_MAX_CPUS];

unsigned long mm_stat_read(enum mm_stat stat)
{
	unsigned long sum = 0;

	for (unsigned int c = 0; c < MM_MAX_CPUS; c++)
		sum += __atomic_load_n(&mm_cpu_stats[c].n[stat], __ATOMIC_RELAXED);
	return sum;
}

void mm_stats_reset(void)
{
	__builtin_memset(mm_cpu_stats, 0, sizeof(mm_cpu_stats));
}
