/* SPDX-License-Identifier: MIT */
#include "panic.h"

#include <stdbool.h>

#include "ap_stacks.h"
#include "cpu.h"
#include "ksyms.h"
#include "layout.h"
#include "percpu.h"
#include "printk.h"
#include "serial.h"
#include "shutdown.h"
#include "smp.h"

#ifdef KTEST_KERNEL
#include <ktest.h>
#endif

#define PANIC_MSG_MAX 512

/* A frame as -fno-omit-frame-pointer lays it out: [rbp] = caller's rbp,
 * [rbp + 8] = return address. */
struct frame {
	const struct frame *next;
	uint64_t ret;
};

/* True if [va, va + n) lies in one place where stacks are. */
static bool on_a_stack(uint64_t va, uint64_t n)
{
	return (kernel_image_contains(va) &&
		kernel_image_contains(va + n - 1)) ||
	       (ap_stacks_contain(va) && ap_stacks_contain(va + n - 1));
}

/* A frame may be read if it lies in the kernel image (the boot stack and
 * the BSP's IST stacks are in .bss) or in the APs' stacks, aligned. */
static bool frame_readable(uint64_t fp)
{
	return (fp & 7) == 0 && on_a_stack(fp, sizeof(struct frame));
}

int stack_trace_collect(uint64_t rbp, uint64_t *pcs, int max)
{
	int n = 0, switches = 0;

	if (rbp == 0)
		rbp = read_rbp();
	while (n < max && rbp && frame_readable(rbp)) {
		const struct frame *f = (const struct frame *)rbp;
		if (f->ret == 0)
			break;
		pcs[n++] = f->ret;
		/* The chain goes up the stack. One step down is allowed: the
		 * record kernel/isr.asm pushes on an IST stack (#DF) links to
		 * the interrupted frame on the boot stack, which may lie
		 * below it. More than one means a corrupt chain. */
		if ((uint64_t)f->next <= rbp && ++switches > 1)
			break;
		rbp = (uint64_t)f->next;
	}
	return n;
}

int stack_trace_print(const char *prefix, uint64_t rbp)
{
	uint64_t pcs[STACK_TRACE_MAX];
	int n = stack_trace_collect(rbp ? rbp : read_rbp(), pcs,
				    STACK_TRACE_MAX);

	printk("%sstack trace (addr2line -e mm64.elf ADDR):\n", prefix);
	for (int i = 0; i < n; i++) {
		uint64_t off;
		const char *name = ksym_lookup(pcs[i], &off);
		if (name)
			printk("%s  #%-2d %p %s+0x%llx\n", prefix, i,
			       (void *)pcs[i], name, (unsigned long long)off);
		else
			printk("%s  #%-2d %p\n", prefix, i, (void *)pcs[i]);
	}
	if (n == 0)
		printk("%s  (no frames)\n", prefix);
	return n;
}

#define NO_OWNER UINT32_MAX

/* The CPU reporting a panic. The first to set it wins; any other CPU that
 * panics meanwhile stops without printing, so one report stays readable. */
static uint32_t panic_owner = NO_OWNER;
static char panic_msg[PANIC_MSG_MAX];

_Noreturn void vpanic_at(const char *file, int line, const char *fmt,
			 va_list ap)
{
	uint32_t me = this_cpu_id_early(), owner = NO_OWNER;

	cli();
	if (!__atomic_compare_exchange_n(&panic_owner, &owner, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (owner != me)
			smp_stop_this_cpu(); /* another CPU is reporting */
		/* A panic while printing a panic: say so and stop at once. */
		serial_init();
		printk("\nPANIC (nested) at %s:%d: %s\n", file, line, fmt);
		machine_exit(EXIT_PANIC);
	}

	int n = snprintf(panic_msg, sizeof(panic_msg), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(panic_msg))
		n = 0;
	vsnprintf(panic_msg + n, sizeof(panic_msg) - (size_t)n, fmt, ap);

#ifdef KTEST_KERNEL
	/* The tests run on CPU 0; a panic on another CPU is a real one. */
	if (me == 0 && ktest_catching()) {
		uint64_t pcs[8];
		int k = stack_trace_collect(read_rbp(), pcs, 8);
		char trace[8 * 20 + 1];
		size_t used = 0;
		trace[0] = '\0';
		for (int i = 0; i < k; i++)
			used += (size_t)snprintf(trace + used,
						 sizeof(trace) - used, " %lx",
						 (unsigned long)pcs[i]);
		printk("#   panic trace:%s\n", trace);
		__atomic_store_n(&panic_owner, NO_OWNER, __ATOMIC_RELEASE);
		ktest_on_panic(panic_msg); /* longjmps back into the test */
	}
#endif
	smp_stop_others();
	printk_panic_takeover(); /* a stopped CPU may have held the lock */
	printk("\nPANIC: %s\n", panic_msg);
	stack_trace_print("", read_rbp());
	printk("mm64: stopping on cpu %u (QEMU exit status %d)\n", me,
	       (EXIT_PANIC << 1) | 1);
	machine_exit(EXIT_PANIC);
}

_Noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_at(file, line, fmt, ap);
}
