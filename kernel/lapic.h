/* SPDX-License-Identifier: MIT */
/*
 * The local APIC, in xAPIC mode (MMIO registers, 8-bit APIC ids): enable,
 * end of interrupt, inter-processor interrupts, the timer. lapic_init()
 * runs once on the BSP; every CPU then calls lapic_enable_this_cpu().
 */
#ifndef KERNEL_LAPIC_H
#define KERNEL_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* ICR low word: delivery mode, level, shorthand (Intel SDM vol. 3, 11.6). */
#define ICR_FIXED 0x000u
#define ICR_NMI 0x400u
#define ICR_INIT 0x500u
#define ICR_STARTUP 0x600u
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)

/*
 * Maps the LAPIC registers uncached. madt_phys is the MADT's address; the
 * IA32_APIC_BASE MSR has the last word (it is what the CPU decodes): a
 * mismatch is logged and the MSR's address used. Turns the APIC on in the
 * MSR if the firmware left it off. Returns false (logged) if the CPU has
 * no APIC.
 */
bool lapic_init(uint64_t madt_phys);

bool lapic_ready(void);

/* Software-enables this CPU's APIC with the spurious vector, accepts every
 * priority (TPR 0), masks LINT0/LINT1 on APs and clears errors. */
void lapic_enable_this_cpu(bool bsp);

uint32_t lapic_id(void);
void lapic_eoi(void);

/*
 * Sends icr_low (a delivery mode | vector) to the CPU with APIC id dest, or
 * with ICR_ALL_BUT_SELF set to every other CPU (dest ignored). Waits for
 * the APIC to accept it; returns false if it is still pending after a
 * millisecond. Interrupts off while the ICR is written, so an interrupt
 * handler's IPI cannot slip between the two halves.
 */
bool lapic_send_ipi(uint32_t dest, uint32_t icr_low);

/* Measures the timer's ticks per millisecond (divide by 16) against the
 * TSC. BSP, once; the timers of all CPUs run at the same rate. */
void lapic_timer_calibrate(void);
uint32_t lapic_timer_ticks_per_ms(void);

/* Starts this CPU's timer: periodic, hz interrupts a second on vector. */
void lapic_timer_start(unsigned int hz, uint8_t vector);

#endif
