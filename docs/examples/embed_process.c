/* SPDX-License-Identifier: MIT */
/* embed_process.c - mm64 in an ordinary Linux process: a complete port
 * and a first allocation. Build (from the repository root):
 *   cc -std=gnu11 -O2 -Iinclude -Imm -DMM_HOSTED -o embed \
 *      docs/examples/embed_process.c $(MM_SRCS)
 * where MM_SRCS is the list of mm/ sources in mm/sources.mk (a make
 * fragment: `MM_DIR := path/to/mm` then `include path/to/mm/sources.mk`).
 * `make check-embed` builds and runs it.
 */
#define _GNU_SOURCE
#include <mm/mm.h>
#include <mm/port.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

/* ---- the port: include/mm/port.h, thirteen functions and one variable ---- */

uintptr_t mm_port_direct_map_offset; /* virtual = physical + this */

unsigned long mm_port_lock_irqsave(mm_spinlock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	return 0; /* no interrupts to save in a process */
}

void mm_port_unlock_irqrestore(mm_spinlock_t *lock, unsigned long irq_state)
{
	(void)irq_state;
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

unsigned long mm_port_irq_save(void) { return 0; }
void mm_port_irq_restore(unsigned long irq_state) { (void)irq_state; }
unsigned int mm_port_cpu_id(void) { return 0; }
unsigned int mm_port_cpu_count(void) { return 1; }
/* One CPU: every cross-CPU call is for this CPU; no interrupt handlers. */
void mm_port_call_on_cpu(unsigned int cpu, void (*fn)(void *), void *arg)
{
	(void)cpu;
	fn(arg);
}
bool mm_port_in_interrupt(void) { return false; }
/* One NUMA node. */
unsigned int mm_port_cpu_node(unsigned int cpu) { (void)cpu; return 0; }
unsigned int mm_port_node_distance(unsigned int a, unsigned int b)
{
	return a == b ? 10 : 20;
}

uint64_t mm_port_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void mm_port_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void mm_port_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- bring-up ---- */

int main(void)
{
	/* "Physical memory": 64 MiB of RAM at physical 16 MiB, a 1 MiB hole,
	 * 16 MiB more. Physical address 0 is the start of this mapping. */
	static const struct mm_range map[] = {
		{ 16 << 20, 64 << 20, MM_RANGE_USABLE },
		{ 80 << 20, 1 << 20, MM_RANGE_RESERVED },
		{ 81 << 20, 16 << 20, MM_RANGE_USABLE },
	};
	/* Frames inside usable RAM that must never be handed out. */
	static const struct mm_range reserved[] = {
		{ 16 << 20, 1 << 20, MM_RANGE_RESERVED }, /* e.g. a kernel image */
	};
	size_t span = 97 << 20; /* [0, end of the last usable range) */
	void *ram = mmap(NULL, span, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return 1;
	mm_port_direct_map_offset = (uintptr_t)ram; /* before mm_init() */

	mm_init(map, 3, reserved, 1);
	mm_report();

	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3); /* 32 KiB */
	void *va = page_address(p);
	printf("order-3 block at phys 0x%llx, virt %p, %lu frames free\n",
	       (unsigned long long)page_to_phys(p), va, nr_free_pages());
	__free_pages(p, 3);

	unsigned long page = get_zeroed_page(GFP_KERNEL);
	free_page(page);
	return 0;
}
