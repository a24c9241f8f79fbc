/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_RUN_SMP_H
#define KERNEL_RUN_SMP_H

/* Every CPU allocating at once for ms milliseconds, timer interrupts
 * allocating too; prints a line per CPU; panics on a bad stamp or a frame
 * that does not come back. Interrupts on. */
void demo_every_cpu_at_once(unsigned int ms);

#endif
