/* SPDX-License-Identifier: MIT */
/*
 * Time: the TSC, calibrated once against PIT channel 2 (the one whose gate
 * software controls through port 0x61, so no interrupts are needed).
 */
#ifndef KERNEL_TSC_H
#define KERNEL_TSC_H

#include <stdint.h>

/* Measures the TSC frequency; before it, tsc_now_ns() assumes 1 GHz. */
void tsc_calibrate(void);

uint64_t tsc_hz(void);

/* Nanoseconds since tsc_calibrate() (monotonic on one CPU). */
uint64_t tsc_now_ns(void);

/* Busy-waits for at least ns nanoseconds. */
void tsc_delay_ns(uint64_t ns);

#endif
