/* SPDX-License-Identifier: MIT */
/*
 * Work for an application processor's idle loop: fn(arg) runs on that CPU
 * in task context (not inside an interrupt handler) with interrupts on, so
 * it may do everything that may wait: GFP_KERNEL allocations, drains,
 * shrinks. A cross-CPU call, by contrast, runs in the IPI handler.
 */
#ifndef KERNEL_SMP_TASK_H
#define KERNEL_SMP_TASK_H

/* Posts fn(arg) to AP cpu and wakes it; returns at once. Panics if cpu is
 * this CPU or already has a task. */
void smp_task_start(unsigned int cpu, void (*fn)(void *arg), void *arg);

/* Waits until cpu's task has returned, running this CPU's own cross-CPU
 * calls meanwhile (the task may call this CPU). */
void smp_task_wait(unsigned int cpu);

/* The AP idle loop's part: runs the posted task, if any. Interrupts off on
 * entry and on return. */
void smp_task_run_posted(void);

#endif
