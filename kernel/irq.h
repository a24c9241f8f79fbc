/* SPDX-License-Identifier: MIT */
/*
 * Interrupt vectors above the exceptions, all from the local APIC (the
 * 8259s are masked, no I/O APIC is programmed). Handlers run with
 * interrupts off (interrupt gates) on the interrupted stack.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "idt.h"

#define IRQ_VEC_TIMER 0xf0    /* local APIC timer, every CPU */
#define IRQ_VEC_CALL 0xf1     /* smp_call: run the queued calls */
#define IRQ_VEC_SPURIOUS 0xff /* never gets an EOI */

/* Called by kernel/isr.asm with the vector in f->vector. */
void irq_dispatch(struct exception_frame *f);

/* Spurious interrupts seen on all CPUs (for the tests and the report). */
unsigned long irq_spurious_count(void);

#endif
