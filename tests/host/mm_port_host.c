/* SPDX-License-Identifier: MIT */
/*
 * The host port of mm64 (include/mm/port.h): the second port, which proves
 * the interface is enough. Physical memory is an mmap()ed arena; see
 * host_arena.c. Panics are caught by ktest when a test expects them.
 * Threads as CPUs, interrupts and cross-CPU calls: host_cpu.c.
 */
#define _GNU_SOURCE
#include <mm/page_alloc.h>
#include <mm/port.h>

#include <ktest.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "host_port.h"

uintptr_t mm_port_direct_map_offset;

HOST_TLS unsigned int mm_host_cpu; /* read inline: mm_port_host_inline.h */
static unsigned int host_cpus = 2;

void host_set_cpu(unsigned int cpu)
{
	/* The port's contract: ids are below mm_port_cpu_count(); a thread
	 * bound to a CPU stays that CPU. */
	if (cpu >= host_cpus || host_cpu_bound() >= 0) {
		fprintf(stderr, "host_set_cpu: CPU %u, but the port says %u CPUs "
			"(this thread is bound to CPU %d)\n", cpu, host_cpus,
			host_cpu_bound());
		abort();
	}
	mm_host_cpu = cpu;
}

void host_set_cpu_count(unsigned int n)
{
	host_cpus = n;
}

unsigned long mm_port_lock_irqsave(mm_spinlock_t *lock)
{
	unsigned long irq = mm_port_irq_save();

	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	return irq;
}

void mm_port_unlock_irqrestore(mm_spinlock_t *lock, unsigned long irq_state)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	mm_port_irq_restore(irq_state);
}

/* mm_port_irq_save/restore and mm_port_cpu_id: mm_port_host_inline.h. */

unsigned int mm_port_cpu_count(void)
{
	return host_cpus;
}

/* The NUMA topology tests set (host_set_numa): each CPU's node and the
 * distances; by default every CPU is on node 0. */
static uint8_t host_cpu_node[MM_MAX_CPUS];
static uint8_t host_distance[MM_MAX_NUMNODES][MM_MAX_NUMNODES];
static bool host_distance_set;

void host_set_numa(const uint8_t *cpu_node, unsigned int cpus,
		   const uint8_t *distance, unsigned int nodes)
{
	__builtin_memset(host_cpu_node, 0, sizeof(host_cpu_node));
	for (unsigned int c = 0; c < cpus && c < MM_MAX_CPUS; c++)
		host_cpu_node[c] = cpu_node[c];
	host_distance_set = distance != NULL;
	for (unsigned int a = 0; distance && a < nodes; a++)
		for (unsigned int b = 0; b < nodes; b++)
			host_distance[a][b] = distance[a * nodes + b];
}

unsigned int mm_port_cpu_node(unsigned int cpu)
{
	return cpu < MM_MAX_CPUS ? host_cpu_node[cpu] : 0;
}

unsigned int mm_port_node_distance(unsigned int a, unsigned int b)
{
	if (host_distance_set && a < MM_MAX_NUMNODES && b < MM_MAX_NUMNODES)
		return host_distance[a][b];
	return a == b ? 10 : 20;
}

/* mm_port_call_on_cpu and mm_port_in_interrupt: host_cpu.c. */

uint64_t mm_port_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool log_quiet;

void host_set_log_quiet(bool quiet)
{
	log_quiet = quiet;
}

static char *log_cap;
static size_t log_cap_size, log_cap_len;

void host_log_capture(char *buf, size_t size)
{
	log_cap = size ? buf : NULL;
	log_cap_size = size;
	log_cap_len = 0;
	if (log_cap)
		log_cap[0] = '\0';
}

size_t host_log_captured(void)
{
	return log_cap_len;
}

void mm_port_log(const char *fmt, ...)
{
	va_list ap;

	if (log_cap) { /* a test reads what mm printed; truncates when full */
		size_t room = log_cap_size - log_cap_len;
		va_start(ap, fmt);
		int n = vsnprintf(log_cap + log_cap_len, room, fmt, ap);
		va_end(ap);
		if (n > 0)
			log_cap_len += (size_t)n < room ? (size_t)n : room - 1;
		return;
	}
	if (log_quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

_Noreturn void mm_port_panic(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	ktest_on_panic(msg); /* returns only when no test expects it */
	fprintf(stderr, "panic: %s\n", msg);
	fflush(NULL);
	abort();
}
