/* SPDX-License-Identifier: MIT */
/*
 * A deliberate cross-CPU double free must be caught: CPU 0 allocates and
 * frees, CPU 1 (another thread) frees the same memory again, and mm/ must
 * panic naming a double free. So must a use of a dead CPU's id: CPU 1
 * works, goes away (mm_cpu_dead on CPU 0), and a thread uses its id again.
 * The panic ends the process, so each runs in a child (forked before the
 * stress test starts any thread) whose stderr the parent reads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_port.h"
#include "smp_stress.h"

static const char *kind;
static void *victim;
static int freed_once; /* atomic */

static void *cpu0(void *arg)
{
	host_cpu_thread_enter(0);
	if (!strcmp(kind, "pages")) {
		struct page *pg = alloc_pages(GFP_KERNEL, 0);
		victim = pg;
		__free_pages(pg, 0);
	} else {
		victim = kmalloc(64, GFP_KERNEL);
		kfree(victim);
	}
	__atomic_store_n(&freed_once, 1, __ATOMIC_RELEASE);
	host_cpu_thread_leave();
	return NULL;
}

static void *cpu1(void *arg)
{
	host_cpu_thread_enter(1);
	while (!__atomic_load_n(&freed_once, __ATOMIC_ACQUIRE))
		sched_yield();
	if (!strcmp(kind, "pages"))
		__free_pages(victim, 0);
	else
		kfree(victim);
	host_cpu_thread_leave();
	return NULL;
}

/* CPU 1's work: a frame and a kmalloc object, each taken and given back. */
static void *cpu1_works(void *arg)
{
	host_cpu_thread_enter(1);
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
	kfree(kmalloc(64, GFP_KERNEL));
	host_cpu_thread_leave();
	return NULL;
}

static void child(void)
{
	pthread_t t0, t1;

	host_set_log_quiet(true);
	host_set_cpu_count(2);
	host_mm_default();
	if (!strcmp(kind, "deadcpu")) {
		pthread_create(&t1, NULL, cpu1_works, NULL);
		pthread_join(t1, NULL);
		host_cpu_thread_enter(0);
		mm_cpu_dead(1);
		host_cpu_thread_leave();
		pthread_create(&t1, NULL, cpu1_works, NULL); /* the dead id again */
		pthread_join(t1, NULL);
		fprintf(stderr, "no panic\n");
		exit(0);
	}
	pthread_create(&t0, NULL, cpu0, NULL);
	pthread_create(&t1, NULL, cpu1, NULL);
	pthread_join(t0, NULL);
	pthread_join(t1, NULL);
	fprintf(stderr, "no panic\n");
	exit(0);
}

bool smp_doublefree_caught(const char *what, char *msg, size_t size)
{
	int fd[2], status;
	size_t len = 0;
	ssize_t n;

	kind = what;
	if (pipe(fd))
		return false;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		child();
	}
	close(fd[1]);
	char buf[1024];
	while ((n = read(fd[0], buf, sizeof(buf))) > 0) /* all of it: never block the child */
		for (ssize_t i = 0; i < n && len + 1 < size; i++)
			msg[len++] = buf[i];
	msg[len] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	/* keep the panic line only */
	char *p = strstr(msg, "panic: ");
	if (p) {
		memmove(msg, p, strlen(p) + 1);
		msg[strcspn(msg, "\n")] = '\0';
	}
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0) && p &&
	       strstr(msg, strcmp(what, "deadcpu") ? "double free" : "not online");
}
