/* SPDX-License-Identifier: MIT */
/* Host-only knobs of the host port and arena, for host tests and benchmarks. */
#ifndef HOST_PORT_H
#define HOST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

void host_set_cpu(unsigned int cpu);
void host_set_cpu_count(unsigned int n);
void host_set_log_quiet(bool quiet);
/* NUMA for the next mm_init: cpu_node[c] for CPUs 0..cpus-1 (the rest on
 * node 0), distance[a * nodes + b] (NULL: 10 local, 20 remote). Call with
 * (NULL, 0, NULL, 0) to go back to one node. */
void host_set_numa(const uint8_t *cpu_node, unsigned int cpus,
		   const uint8_t *distance, unsigned int nodes);

/* ---- threads as CPUs (host_cpu.c) ----
 * host_cpu_thread_enter - this thread becomes CPU cpu (below
 * mm_port_cpu_count()) until host_cpu_thread_leave(): its mm_port_cpu_id,
 * its interrupts (signals; see host_cpu.c) and its mailbox, which other
 * threads' mm_port_call_on_cpu(cpu, ...) fill. Aborts if cpu has a thread.
 * host_cpu_timer_start - a timer interrupt on this thread every period_ns,
 * which runs the interrupt work; host_cpu_thread_leave stops it.
 * host_cpu_set_interrupt_work - what every timer interrupt runs, with
 * interrupts off and mm_port_in_interrupt() true (NULL: nothing).
 * host_cpu_bound - this thread's CPU, or -1 when it is bound to none.
 */
/* True while this thread runs an interrupt (the timer's work or a call);
 * tests set it to play an interrupt handler. mm_port_in_interrupt(). */
#ifndef HOST_TLS
/* The host port's thread-locals: local-exec (the host builds are
 * executables), so each is one %fs load, as this kernel's %gs loads are. */
#define HOST_TLS _Thread_local __attribute__((tls_model("local-exec")))
#endif
extern HOST_TLS volatile bool host_in_interrupt;
void host_cpu_thread_enter(unsigned int cpu);
void host_cpu_thread_leave(void);
void host_cpu_timer_start(uint64_t period_ns);
void host_cpu_timer_stop(void);
void host_cpu_set_interrupt_work(void (*fn)(unsigned int cpu));
int host_cpu_bound(void);
/* Sends mm_port_log() output into buf (NUL-terminated, truncated when
 * full) instead of stdout, until host_log_capture(NULL, 0). */
void host_log_capture(char *buf, size_t size);
size_t host_log_captured(void); /* bytes captured so far */

/*
 * Backs "physical" [0, max end of map) with a lazily committed anonymous
 * mapping and points the direct map at it; then runs mm_init(map, ...).
 * A later call releases the previous arena. Host tests use it to run the
 * real allocator on a map of their choosing.
 */
void host_mm_init(const struct mm_range *map, size_t map_len,
		  const struct mm_range *reserved, size_t reserved_len);
/* The same with mm_init_numa's node entries. */
void host_mm_init_numa(const struct mm_range *map, size_t map_len,
		       const struct mm_range *reserved, size_t reserved_len,
		       const struct mm_node_range *nodes, size_t nodes_len);

/* The map every host test starts from (host_mm_default): RAM in all three
 * zones with a hole, small enough to exhaust quickly. */
void host_mm_default(void);

#endif
