/* SPDX-License-Identifier: MIT */
/* The CPUs mm/ serves: how many run, and the check on an id (core.h). */
#include "core.h"

unsigned int mm_cpus_running(void)
{
	unsigned int n = mm_port_cpu_count();

	if (n == 0 || n > MM_MAX_CPUS)
		mm_panic("mm_port_cpu_count: %u CPUs (the port must say 1..%d)", n,
			 MM_MAX_CPUS);
	return n;
}

void mm_bad_cpu_id(unsigned int cpu)
{
	mm_panic("mm_port_cpu_id: CPU id %u (ids are below MM_MAX_CPUS, %d)", cpu,
		 MM_MAX_CPUS);
}
