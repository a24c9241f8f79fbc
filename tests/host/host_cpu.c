/* SPDX-License-Identifier: MIT */
/*
 * Threads as CPUs for the host port: a thread bound to CPU c
 * (host_cpu_thread_enter) is that CPU, with its own interrupts, a timer
 * interrupt and a mailbox of cross-CPU calls (mm_port_call_on_cpu). A
 * thread that is bound to no CPU plays whichever CPU host_set_cpu() says,
 * and a call for a CPU no thread is bound to runs inline under its id, as
 * when one thread played every CPU.
 *
 * Interrupts are signals. HOST_SIG_TIMER comes from a per-thread POSIX timer
 * (SIGEV_THREAD_ID), HOST_SIG_CALL from a sender that has put a call in the
 * target's mailbox. The handler runs on the interrupted thread: when that
 * thread has interrupts on (host_irq_off is 0) it turns them off, sets
 * host_in_interrupt and runs what is pending; otherwise it only marks it
 * pending and mm_port_irq_restore() runs it (mm_port_host_inline.h). Both
 * signals are blocked while the handler runs, so handlers never nest.
 *
 * Under ThreadSanitizer a signal is delivered at the thread's next libc call
 * (TSan defers them), not at any instruction: the ASan build is the one
 * whose interrupts land anywhere.
 */
#define _GNU_SOURCE
#include <mm/port.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "host_port.h"

#define HOST_SIG_TIMER (SIGRTMIN)
#define HOST_SIG_CALL (SIGRTMIN + 1)

enum { PEND_TIMER = 1, PEND_CALL = 2 };

HOST_TLS volatile unsigned long host_irq_off;
HOST_TLS volatile unsigned long host_irq_pending;
HOST_TLS volatile bool host_in_interrupt;
static _Thread_local volatile int bound_cpu = -1;
static _Thread_local timer_t thread_timer;
static _Thread_local bool timer_armed;

/* A cross-CPU call, on the sender's stack until done. */
struct host_call {
	void (*fn)(void *arg);
	void *arg;
	int done; /* atomic; release by the runner */
};

struct host_cpu {
	int tid;  /* atomic: the bound thread's kernel id, 0 if none */
	int lock; /* atomic: held to bind, and to run a call inline unbound */
	/* One slot per sending CPU: a sender waits, so it has one call out. */
	struct host_call *inbox[MM_MAX_CPUS];
};

static struct host_cpu cpus[MM_MAX_CPUS];
static void (*irq_work)(unsigned int cpu);

static void spin_lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void spin_unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* Runs the calls waiting in this CPU's mailbox; interrupts are off. */
static void serve_inbox(void)
{
	int cpu = bound_cpu;

	if (cpu < 0)
		return;
	for (unsigned int s = 0; s < MM_MAX_CPUS; s++) {
		struct host_call *c =
			__atomic_exchange_n(&cpus[cpu].inbox[s], NULL, __ATOMIC_ACQ_REL);
		if (!c)
			continue;
		c->fn(c->arg);
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	}
}

/* Runs pending interrupts as their handler; called with interrupts on, and
 * leaves them on. Loops: one may arrive while the last is finishing. */
void host_irq_run_pending(void)
{
	bool was_in = host_in_interrupt;

	for (;;) {
		unsigned long p;

		host_irq_off = 1;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		host_in_interrupt = true;
		while ((p = __atomic_exchange_n(&host_irq_pending, 0, __ATOMIC_RELAXED))) {
			if ((p & PEND_TIMER) && irq_work && bound_cpu >= 0)
				irq_work((unsigned int)bound_cpu);
			if (p & PEND_CALL)
				serve_inbox();
		}
		host_in_interrupt = was_in;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		host_irq_off = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (!host_irq_pending)
			return;
	}
}

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == HOST_SIG_TIMER && bound_cpu < 0)
		return; /* a tick left over after host_cpu_thread_leave */
	__atomic_fetch_or(&host_irq_pending, sig == HOST_SIG_TIMER ? PEND_TIMER : PEND_CALL,
			  __ATOMIC_RELAXED);
	if (!host_irq_off)
		host_irq_run_pending();
	errno = saved;
}

static void install_handlers(void)
{
	static int installed;
	struct sigaction sa = { 0 };

	if (__atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL))
		return;
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, HOST_SIG_TIMER);
	sigaddset(&sa.sa_mask, HOST_SIG_CALL);
	if (sigaction(HOST_SIG_TIMER, &sa, NULL) || sigaction(HOST_SIG_CALL, &sa, NULL)) {
		perror("host_cpu: sigaction");
		abort();
	}
}

void host_cpu_set_interrupt_work(void (*fn)(unsigned int cpu))
{
	__atomic_store_n(&irq_work, fn, __ATOMIC_RELEASE);
}

void host_cpu_thread_enter(unsigned int cpu)
{
	if (cpu >= mm_port_cpu_count() || bound_cpu >= 0) {
		fprintf(stderr, "host_cpu_thread_enter: CPU %u (of %u), this thread is CPU %d\n",
			cpu, mm_port_cpu_count(), bound_cpu);
		abort();
	}
	install_handlers();
	spin_lock(&cpus[cpu].lock);
	if (__atomic_load_n(&cpus[cpu].tid, __ATOMIC_RELAXED)) {
		fprintf(stderr, "host_cpu_thread_enter: CPU %u has a thread already\n", cpu);
		abort();
	}
	mm_host_cpu = cpu;
	bound_cpu = (int)cpu;
	__atomic_store_n(&cpus[cpu].tid, (int)gettid(), __ATOMIC_SEQ_CST);
	spin_unlock(&cpus[cpu].lock);
}

void host_cpu_timer_start(uint64_t period_ns)
{
	struct sigevent sev = { 0 };
	struct itimerspec its = { 0 };

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = HOST_SIG_TIMER;
	sev._sigev_un._tid = gettid(); /* sigev_notify_thread_id: glibc 2.36 lacks the name */
	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)(period_ns / 1000000000u);
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)(period_ns % 1000000000u);
	if (timer_create(CLOCK_MONOTONIC, &sev, &thread_timer) ||
	    timer_settime(thread_timer, 0, &its, NULL)) {
		perror("host_cpu_timer_start");
		abort();
	}
	timer_armed = true;
}

void host_cpu_timer_stop(void)
{
	if (timer_armed)
		timer_delete(thread_timer);
	timer_armed = false;
}

void host_cpu_thread_leave(void)
{
	int cpu = bound_cpu;

	if (cpu < 0)
		return;
	host_cpu_timer_stop();
	/* Unpublished first; a sender that still posts takes its call back
	 * (mm_port_call_on_cpu), and what was posted before is run here. */
	__atomic_store_n(&cpus[cpu].tid, 0, __ATOMIC_SEQ_CST);
	unsigned long irq = mm_port_irq_save();
	serve_inbox();
	bound_cpu = -1;
	mm_port_irq_restore(irq);
}

int host_cpu_bound(void)
{
	return bound_cpu;
}

/* fn on CPU cpu from this thread, interrupts off, as task code (the caller
 * is the owner itself, or holds the lock of a CPU no thread is bound to). */
static void run_as(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	unsigned int self = mm_host_cpu;
	unsigned long irq = mm_port_irq_save();

	mm_host_cpu = cpu;
	fn(arg);
	mm_host_cpu = self;
	mm_port_irq_restore(irq);
}

/* fn as CPU cpu from this thread if no thread is bound to it: checked under
 * the CPU's lock, which host_cpu_thread_enter() holds to bind one, so no
 * thread starts using the CPU while fn runs (and two callers never run one
 * CPU at once). False if a thread is bound. */
static bool run_if_unbound(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	spin_lock(&cpus[cpu].lock);
	bool unbound = !__atomic_load_n(&cpus[cpu].tid, __ATOMIC_SEQ_CST);
	if (unbound)
		run_as(cpu, fn, arg);
	spin_unlock(&cpus[cpu].lock);
	return unbound;
}

/* While waiting: run the calls others send here, as an interrupt would. */
static void serve_while_waiting(void)
{
	unsigned long irq = mm_port_irq_save();
	bool was_in = host_in_interrupt;

	host_in_interrupt = true;
	serve_inbox();
	host_in_interrupt = was_in;
	mm_port_irq_restore(irq);
	sched_yield(); /* two cores, four CPUs: let the target run */
}

void mm_port_call_on_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct host_call call = { fn, arg, 0 };
	unsigned int self = mm_host_cpu;
	struct host_cpu *t = &cpus[cpu];
	int tid;

	if (cpu >= mm_port_cpu_count()) {
		fprintf(stderr, "mm_port_call_on_cpu: CPU %u, but the port says %u CPUs\n",
			cpu, mm_port_cpu_count());
		abort();
	}
	if ((int)cpu == bound_cpu) {
		run_as(cpu, fn, arg);
		return;
	}
post:
	if (run_if_unbound(cpu, fn, arg))
		return;
	tid = __atomic_load_n(&t->tid, __ATOMIC_SEQ_CST);
	struct host_call *none = NULL;
	while (!__atomic_compare_exchange_n(&t->inbox[self], &none, &call, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		none = NULL; /* an unbound thread playing our id has a call out */
		serve_while_waiting();
	}
	syscall(SYS_tgkill, getpid(), tid, HOST_SIG_CALL);
	while (!__atomic_load_n(&call.done, __ATOMIC_ACQUIRE)) {
		struct host_call *mine = &call;

		/* The thread left: take the call back and run it as unbound. */
		if (!__atomic_load_n(&t->tid, __ATOMIC_SEQ_CST) &&
		    __atomic_compare_exchange_n(&t->inbox[self], &mine, NULL, false,
						__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			goto post; /* unbound now, or bound by a new thread */
		serve_while_waiting();
	}
}

