/* SPDX-License-Identifier: MIT */
#include "percpu.h"

#include "cpu.h"

static struct percpu bsp;

void percpu_init_bsp(void)
{
	bsp.self = &bsp;
	bsp.cpu_id = 0;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&bsp);
}

unsigned int percpu_cpu_count(void)
{
	return 1; /* APs are not started; see percpu.h */
}
