/* SPDX-License-Identifier: MIT */
/* Shared by the host tests that look at another CPU's per-CPU array. */
#ifndef SLAB_HOST_UTIL_H
#define SLAB_HOST_UTIL_H

#include <ktest.h>
#include <mm/slab.h>

#include "host_port.h"

/* As CPU cpu, allocates n objects of c and frees them (they stay in that
 * CPU's array), then plays CPU 0 again. */
static inline void slab_fill_cpu_array(struct kmem_cache *c, unsigned int cpu,
				       void **objs, int n)
{
	host_set_cpu(cpu);
	for (int i = 0; i < n; i++)
		KT_ASSERT((objs[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	for (int i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	host_set_cpu(0);
}

#endif
