/* SPDX-License-Identifier: MIT */
/*
 * The mm64 porting interface: everything mm/ needs from the kernel it lives
 * in, and nothing else. A port implements the functions below in one file
 * (this kernel: kernel/mm_port.c; the host test build:
 * tests/host/mm_port_host.c) and sets mm_port_direct_map_offset before
 * calling mm_init(). See docs/EMBEDDING.md.
 *
 * Besides these, mm/ calls memset, memcpy, memmove and memcmp, which every
 * freestanding C environment must supply anyway (GCC may emit them itself).
 *
 * Physical memory is reached through a direct map: the virtual address of
 * physical address pa is pa + mm_port_direct_map_offset. Every frame that
 * mm_init() is given must be mapped there, read-write, before mm_init().
 */
#ifndef MM_PORT_H
#define MM_PORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- direct map ---- */
extern uintptr_t mm_port_direct_map_offset;

static inline void *mm_port_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + mm_port_direct_map_offset);
}

static inline uint64_t mm_port_virt_to_phys(const void *va)
{
	return (uint64_t)((uintptr_t)va - mm_port_direct_map_offset);
}

/* ---- locks ----
 * A spinlock that also keeps interrupts off on this CPU while held, so mm
 * functions may be called from interrupt handlers (with GFP_ATOMIC).
 * mm_port_lock_irqsave() returns the interrupt state to hand back to unlock.
 * mm/ never panics while holding one of these.
 */
typedef struct mm_spinlock {
	volatile uint32_t locked;
} mm_spinlock_t;
#define MM_SPINLOCK_INIT { 0 }

unsigned long mm_port_lock_irqsave(mm_spinlock_t *lock);
void mm_port_unlock_irqrestore(mm_spinlock_t *lock, unsigned long irq_state);

/* ---- per-CPU fast-path hooks ----
 * mm_port_irq_save/restore: interrupts off/on on this CPU without a lock
 * (guards per-CPU data). mm_port_cpu_id: this CPU, 0 .. cpu_count - 1.
 * mm_port_in_interrupt: whether this CPU is in an interrupt handler (or
 * any context your kernel forbids waiting in); interrupt handlers take the
 * slab's locked path instead of the per-CPU arrays, mm/ never waits for
 * other CPUs there, and debug builds panic on a gfp mask that may reclaim
 * (GFP_KERNEL) used there.
 * Every per-CPU-list and slab fast path calls these, so a port may supply
 * them inline: build mm/ with -DMM_PORT_INLINE='"header.h"', a header that
 * defines all four as static inline functions with these contracts (this
 * kernel: kernel/mm_port_inline.h; the host: tests/host/mm_port_host_inline.h).
 * Without it they are ordinary functions of the port's file.
 */
#define MM_MAX_CPUS 64
#ifdef MM_PORT_INLINE
#include MM_PORT_INLINE
#else
unsigned long mm_port_irq_save(void);
void mm_port_irq_restore(unsigned long irq_state);
unsigned int mm_port_cpu_id(void);    /* 0 .. mm_port_cpu_count() - 1 */
bool mm_port_in_interrupt(void);
#endif

/* ---- CPUs ---- */
/* 1 .. MM_MAX_CPUS; walks over every CPU's lists stop here, so a CPU is
 * counted before it first calls into mm/ (mm/ panics on 0 or > 64). */
unsigned int mm_port_cpu_count(void);

/*
 * mm_port_call_on_cpu - run fn(arg) on CPU cpu, with interrupts off there,
 * and return once it has returned (its writes visible to the caller). On
 * another CPU fn runs as an interrupt would (a cross-CPU call: an IPI), so
 * it never interrupts mm/'s own interrupts-off sections; for the calling
 * CPU it runs right here. mm/ calls this only from code that may wait
 * (never in an interrupt handler, never holding an mm lock), possibly with
 * interrupts off. While it waits, the port must run the calls other CPUs
 * send to the waiting CPU, so two CPUs that call each other both finish.
 * fn does not wait and does not call this function.
 */
void mm_port_call_on_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg);

/* ---- NUMA ----
 * mm_port_cpu_node: the node of CPU cpu (0 .. MM_MAX_NUMNODES - 1; 0 on a
 * machine without NUMA). Asked for every counted CPU in mm_init() and for a
 * CPU in mm_cpu_online(). mm_port_node_distance: ACPI SLIT distance from
 * node a to node b (10 = local; 0 .. num_online_nodes - 1), asked in
 * mm_init() only; allocations fall back to other nodes nearest first. */
unsigned int mm_port_cpu_node(unsigned int cpu);
unsigned int mm_port_node_distance(unsigned int a, unsigned int b);


/* ---- time ---- */
uint64_t mm_port_now_ns(void); /* monotonic; resolution of a microsecond or better */

/* ---- output ----
 * The formats mm/ uses: conversions d i u x X p s c %, length modifiers
 * l ll z, a width, flags '-' and '0' (no precision, no '+', '#' or ' ').
 * A port whose console printf has less formats with mm_vsnprintf() below.
 */
void mm_port_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void mm_port_panic(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Provided by mm/ (mm/format.c) for ports: exactly that subset, with
 * snprintf's contract (returns the length the whole text needs, stores at
 * most size - 1 characters and a NUL); a conversion outside it is copied
 * out as written. %p prints 0x followed by hex digits. */
int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
