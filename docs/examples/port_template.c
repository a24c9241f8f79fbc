/* SPDX-License-Identifier: MIT */
/*
 * A port of mm64 to your kernel: every hook of include/mm/port.h with its
 * contract (docs/EMBEDDING.md, "The port, hook by hook"). Copy this file,
 * fill in the parts marked YOUR KERNEL, and link it with mm/. As it is, it
 * is a correct port for one CPU with the kernel's own interrupts; `make
 * check-embed` compiles it with a hobby kernel's flags and links it with
 * mm/, and nothing but memset, memcpy, memmove and memcmp stays undefined.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/port.h>

/* YOUR KERNEL: where your console writes n bytes (a serial port, a VGA
 * text buffer). It must work with interrupts off and on any CPU. */
static void console_write(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

/* ---- direct map ----
 * Virtual address = physical address + this, for every frame you give to
 * mm_init(), mapped read-write before mm_init(). Set it before mm_init(),
 * never change it after. */
uintptr_t mm_port_direct_map_offset = 0xffff800000000000ull; /* YOUR KERNEL */

/* ---- interrupts on this CPU ----
 * Off/on without a lock; save returns the state restore puts back (nesting
 * works). Called on every fast path, first during mm_init(), before your
 * per-CPU data may exist: they must not depend on it. */
unsigned long mm_port_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void mm_port_irq_restore(unsigned long flags)
{
	if (flags & (1ul << 9)) /* IF was set */
		__asm__ volatile("sti" : : : "memory");
}

/* ---- spinlocks that keep interrupts off while held ----
 * mm/ never sleeps, never panics and never calls the port's log holding
 * one; no lock of mm/ is held across a call to your code except the
 * shrinkers, which run with none held. */
unsigned long mm_port_lock_irqsave(mm_spinlock_t *lock)
{
	unsigned long flags = mm_port_irq_save();

	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
	return flags;
}

void mm_port_unlock_irqrestore(mm_spinlock_t *lock, unsigned long flags)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	mm_port_irq_restore(flags);
}

/* ---- CPUs ----
 * mm_port_cpu_id: this CPU, 0 .. mm_port_cpu_count() - 1, stable for the
 * whole of an mm call (the caller keeps the thread from migrating), and a
 * different id for every CPU running mm code at once. First called in
 * mm_init(); on the boot CPU it must answer before your per-CPU area is
 * set up (return 0 there). YOUR KERNEL with several CPUs: read your
 * per-CPU area (a %gs load) or the local APIC id mapped to 0..n-1. */
unsigned int mm_port_cpu_id(void)
{
	return 0;
}

/* How many CPUs may run mm code: 1 .. MM_MAX_CPUS. First called in
 * mm_init(); walks over all CPUs' lists (nr_free_pages, drains, reclaim,
 * shrinks) stop there, so count a CPU before it first calls into mm/
 * (announce later ones with mm_cpu_online). */
unsigned int mm_port_cpu_count(void)
{
	return 1;
}

/* Run fn(arg) on CPU cpu with interrupts off there and return when it has
 * returned. Called only where waiting is allowed (never in an interrupt
 * handler, no mm lock held), maybe with interrupts off: while waiting, run
 * the calls other CPUs send to this one. For this CPU (and with one CPU)
 * run it right here. YOUR KERNEL with several CPUs: an IPI whose handler
 * calls fn(arg), then a completion flag the caller spins on. */
void mm_port_call_on_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	(void)cpu;
	unsigned long flags = mm_port_irq_save();
	fn(arg);
	mm_port_irq_restore(flags);
}

/* ---- NUMA ----
 * The node of each CPU (0 .. MM_MAX_NUMNODES - 1) and the distance between
 * nodes (10 = local), asked in mm_init() for every counted CPU and in
 * mm_cpu_online(). The nodes of memory come with mm_init_numa()'s node
 * entries (struct mm_node_range). YOUR KERNEL on a NUMA machine: the SRAT's
 * proximity domain of the CPU's APIC id, and the SLIT's entry. */
unsigned int mm_port_cpu_node(unsigned int cpu)
{
	(void)cpu;
	return 0;
}

unsigned int mm_port_node_distance(unsigned int a, unsigned int b)
{
	return a == b ? 10 : 20;
}

/* Whether this CPU is in an interrupt handler (or anywhere your kernel
 * forbids waiting). YOUR KERNEL: your interrupt nesting counter. */
bool mm_port_in_interrupt(void)
{
	return false;
}

/* ---- time: monotonic nanoseconds, for reports only (init time, report
 * headers). A microsecond of resolution is plenty; 0 is allowed if you
 * have no clock yet. YOUR KERNEL: the TSC scaled, or your tick count. */
uint64_t mm_port_now_ns(void)
{
	return 0;
}

/* ---- output ----
 * mm_vsnprintf (provided by mm/) formats exactly the subset mm/ uses, so a
 * console that can only write bytes is enough. Lines end in '\n'; a line
 * longer than the buffer is cut, never overrun. */
static void vlog(const char *fmt, va_list ap)
{
	char line[256];
	int n = mm_vsnprintf(line, sizeof(line), fmt, ap);

	console_write(line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void mm_port_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/* Print the message with where it came from, then stop (this CPU, and
 * with several CPUs the others too). Never returns. */
_Noreturn void mm_port_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	mm_port_log("mm64 panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	mm_port_log("\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}
