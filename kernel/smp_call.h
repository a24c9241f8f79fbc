/* SPDX-License-Identifier: MIT */
/*
 * Cross-CPU calls: run fn(arg) on another CPU, from its IRQ_VEC_CALL
 * interrupt handler, and (for the synchronous forms) wait until it ran.
 *
 * Each CPU has a queue of requests, pushed by any CPU (lock-free) and
 * emptied by its owner: in the IPI handler, and by smp_call_wait() while
 * it waits. fn always runs with interrupts off, on the target's stack.
 *
 * The deadlock rule. A CPU that waits with interrupts off cannot take the
 * IPI, so if CPU A waits for B while B waits for A, neither handler would
 * run. Here a waiter keeps running its own queue while it spins, so two
 * CPUs calling each other (or a call that calls back) complete. Still
 * forbidden: waiting while holding a lock the called fn takes, and calling
 * a CPU that sits with interrupts off and never waits (the BSP while it
 * runs the test suites takes calls only while it waits itself). A wait
 * that lasts longer than SMP_CALL_TIMEOUT_MS panics, naming the CPU.
 */
#ifndef KERNEL_SMP_CALL_H
#define KERNEL_SMP_CALL_H

#include <stdint.h>

#define SMP_CALL_TIMEOUT_MS 10000

/* One request; the caller owns it (the stack is fine) until it is done. */
struct smp_call {
	void (*fn)(void *arg);
	void *arg;
	struct smp_call *next; /* in the target's queue */
	uint32_t done;         /* set (release) after fn returned */
	unsigned int cpu;
};

/* Runs fn(arg) on cpu and returns when it has. cpu may be this CPU (the
 * call then runs from the wait). Panics if cpu is not running. */
void smp_call(unsigned int cpu, void (*fn)(void *), void *arg);

/* Queues fn(arg) on cpu in *c and sends the IPI; returns at once. *c must
 * stay valid until smp_call_wait(c) returned (or smp_call_done(c)). */
void smp_call_async(unsigned int cpu, struct smp_call *c,
		    void (*fn)(void *), void *arg);

/* True once the call in *c has run. */
int smp_call_done(const struct smp_call *c);

/* Waits for *c, running this CPU's own queue meanwhile. */
void smp_call_wait(struct smp_call *c);

/* Runs fn(arg) on every CPU but this one, all at once, and waits for all.
 * Returns the number of CPUs it ran on. */
unsigned int smp_call_all_others(void (*fn)(void *), void *arg);

/* Runs this CPU's queued calls (the IPI handler; smp_call_wait()). */
void smp_call_run_queued(void);

#endif
