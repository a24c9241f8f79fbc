/* SPDX-License-Identifier: MIT */
/*
 * What every mm/ source may use: the debug switch, the panic and assertion
 * macros, the checked CPU id and the generic bit tricks (each tested in
 * tests/mm/page/test_page_bits.c). Nothing here knows about zones, slabs or
 * contigmalloc.
 */
#ifndef MM_CORE_H
#define MM_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/port.h>

/* Debug checks (assertions, poisoning, red zones): on in the tests. */
#ifndef MM_DEBUG
#define MM_DEBUG 0
#endif

/* "<function>: <reason> (<values>)" - the file and line come from the port. */
#define mm_panic(...) mm_port_panic(__FILE__, __LINE__, __VA_ARGS__)

/* Debug assertion on an internal invariant; type-checks when disabled.
 * Never put a side effect in cond. */
#define MM_ASSERT(cond, ...)                                                    \
	do {                                                                    \
		if (MM_DEBUG && !(cond))                                        \
			mm_panic(__VA_ARGS__);                                  \
	} while (0)

/* For every _locked function (debug builds): the lock it needs is held,
 * by some CPU (a spinlock does not record its owner). */
#define MM_ASSERT_LOCKED(lock, fn)                                              \
	MM_ASSERT(__atomic_load_n(&(lock)->locked, __ATOMIC_RELAXED),           \
		  "%s: called without %s held", fn, #lock)

/* mm_port_cpu_count(), checked: CPU ids are 0 .. this - 1, so loops over
 * every CPU's lists and arrays stop here. Panics, naming the value, when
 * the port says 0 or more than MM_MAX_CPUS. */
unsigned int mm_cpus_running(void);

/* Whether x is a power of two (0 is not). */
static inline bool mm_is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* The set bits of x. __builtin_popcountll is a call to libgcc's
 * __popcountdi2 unless the build has -mpopcnt (mm/build.h). */
static inline unsigned int mm_popcount64(uint64_t x)
{
#ifdef __POPCNT__
	return (unsigned int)__builtin_popcountll(x);
#else
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned int)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* x rounded up to a multiple of the power of two a. */
static inline uint64_t mm_align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Whether [start, start + len) crosses a multiple of the power of two
 * boundary (boundary 0: never). len > 0. */
static inline bool mm_crosses_boundary(uint64_t start, uint64_t len,
				       uint64_t boundary)
{
	return boundary != 0 && ((start ^ (start + len - 1)) & ~(boundary - 1)) != 0;
}

/* The unit of sharing between CPUs: data two CPUs write goes in separate
 * lines of this size (x86-64). */
#define MM_CACHE_LINE 64

/* The duration of the last mm_init(), for the report. */
extern uint64_t mm_init_ns;

/* The CPUs mm/ serves (mm/cpu.c): every CPU the port counts, except those
 * mm_cpu_dead() took down (bit c set) and mm_cpu_online() did not bring
 * back. */
extern uint64_t mm_cpus_dead;

static inline bool mm_cpu_is_online(unsigned int cpu)
{
	return !((__atomic_load_n(&mm_cpus_dead, __ATOMIC_RELAXED) >> cpu) & 1);
}

/* mm_port_cpu_id(), checked: an id at or above MM_MAX_CPUS would index past
 * every per-CPU array, and a dead CPU's id (mm_cpu_dead) is another CPU's
 * lists given back, so both panic, naming the id. The fast paths pay one
 * compare; the online test is theirs in debug builds only, and every slow
 * path's (mm_this_cpu_slow). */
_Noreturn void mm_bad_cpu_id(unsigned int cpu);
static inline unsigned int mm_this_cpu(void)
{
	unsigned int cpu = mm_port_cpu_id();

	if (__builtin_expect(cpu >= MM_MAX_CPUS, 0) ||
	    (MM_DEBUG && __builtin_expect(!mm_cpu_is_online(cpu), 0)))
		mm_bad_cpu_id(cpu);
	return cpu;
}

/* The id, range-checked only: for the callbacks of cross-CPU calls, which
 * may run on a CPU that mm_cpu_dead() is taking down (its bit is set
 * before the calls already in flight to it have finished). */
static inline unsigned int mm_this_cpu_raw(void)
{
	unsigned int cpu = mm_port_cpu_id();

	if (__builtin_expect(cpu >= MM_MAX_CPUS, 0))
		mm_bad_cpu_id(cpu);
	return cpu;
}

/*
 * mm_call_on_online_cpu - mm_port_call_on_cpu(cpu, fn, arg) if cpu is
 * online; returns whether it ran. mm_cpu_dead() marks a CPU dead first,
 * then waits for the calls in flight to it, so a call either starts before
 * the CPU is given back or not at all. Every cross-CPU call of mm/ goes
 * through here.
 */
bool mm_call_on_online_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg);

static inline unsigned int mm_this_cpu_slow(void)
{
	unsigned int cpu = mm_port_cpu_id();

	if (cpu >= MM_MAX_CPUS || !mm_cpu_is_online(cpu))
		mm_bad_cpu_id(cpu);
	return cpu;
}

/* Panics, naming fn, when called in an interrupt handler: for the calls
 * that wait for other CPUs (drains, shrinks, destroy, unregister_shrinker)
 * or are task-context only (mm_cpu_online/dead). */
void mm_check_task_context(const char *fn);

/* Called by mm_init: no CPU is dead. */
void mm_cpus_reset(void);

#endif
