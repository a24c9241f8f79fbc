/* SPDX-License-Identifier: MIT */
/*
 * panic(fmt, ...): the kernel's fatal-error path.
 *
 * Prints "PANIC: file:line: message" and a stack trace from the frame
 * pointers on the serial console, then stops the machine: QEMU exits with
 * status 37 (isa-debug-exit value 0x12); elsewhere the CPU halts.
 *
 * In the test kernel a panic inside KT_EXPECT_PANIC (or anywhere in a test)
 * is handed to ktest instead, which longjmps back to the test. The message
 * given to ktest is "file:line: message", as on the host.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdarg.h>
#include <stdint.h>

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

_Noreturn void panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void vpanic_at(const char *file, int line, const char *fmt,
			 va_list ap);

/*
 * Prints the return addresses found by following the frame-pointer chain
 * from rbp (0: the caller's frame), one "prefix  #n 0x..." line each. Stops
 * at rbp == 0 (the root set up by boot/boot.asm), at a frame outside the
 * stacks (the kernel image, kernel/ap_stacks.h), at a second frame that does not
 * move up the stack (one is allowed: the step from an IST stack back to
 * the interrupted one), or after STACK_TRACE_MAX frames. Returns the number
 * printed. Never faults: every frame is checked before it is read.
 */
#define STACK_TRACE_MAX 32
int stack_trace_print(const char *prefix, uint64_t rbp);

/* The same walk, into an array: returns the number of addresses stored. */
int stack_trace_collect(uint64_t rbp, uint64_t *pcs, int max);

#endif
