/* SPDX-License-Identifier: MIT */
/* The kernel's mm port (kernel/mm_port.c): locks, CPUs, time. */
#include <ktest.h>
#include <mm/port.h>

#include "percpu.h"
#include "tsc.h"

#define RFLAGS_IF (1ul << 9)

static unsigned long rflags(void)
{
	unsigned long f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

KTEST(port, lock_disables_interrupts_and_restores_them)
{
	mm_spinlock_t lock = MM_SPINLOCK_INIT;
	unsigned long before = rflags() & RFLAGS_IF;

	unsigned long s = mm_port_lock_irqsave(&lock);
	KT_EXPECT_EQ(lock.locked, 1);
	KT_EXPECT_EQ(rflags() & RFLAGS_IF, 0);
	mm_port_unlock_irqrestore(&lock, s);
	KT_EXPECT_EQ(lock.locked, 0);
	KT_EXPECT_EQ(rflags() & RFLAGS_IF, before);

	/* irq_restore puts back exactly what irq_save saw. */
	unsigned long a = mm_port_irq_save();
	unsigned long b = mm_port_irq_save();
	KT_EXPECT_EQ(b & RFLAGS_IF, 0);
	mm_port_irq_restore(b);
	mm_port_irq_restore(a);
	KT_EXPECT_EQ(rflags() & RFLAGS_IF, a & RFLAGS_IF);
}

KTEST(port, cpu_count_is_the_cpus_running)
{
	KT_EXPECT_EQ(mm_port_cpu_id(), 0); /* the tests run on the BSP */
	KT_EXPECT_EQ(mm_port_cpu_count(), percpu_cpu_count());
	KT_EXPECT(mm_port_cpu_count() >= 1);
	KT_EXPECT(mm_port_cpu_count() <= MM_MAX_CPUS);
}

KTEST(port, time_is_monotonic_and_calibrated)
{
	uint64_t prev = mm_port_now_ns();

	for (int i = 0; i < 1000; i++) {
		uint64_t now = mm_port_now_ns();
		KT_ASSERT(now >= prev);
		prev = now;
	}
	/* A 2 ms busy wait takes at least 2 ms by the clock it uses... */
	uint64_t t0 = mm_port_now_ns();
	tsc_delay_ns(2000000);
	uint64_t dt = mm_port_now_ns() - t0;
	KT_EXPECT(dt >= 2000000);
	/* ...and the calibration found a plausible frequency. */
	KT_EXPECT(tsc_hz() >= 100000000ull);    /* 100 MHz */
	KT_EXPECT(tsc_hz() <= 20000000000ull);  /* 20 GHz */
}

KTEST(port, direct_map_offset)
{
	KT_EXPECT_EQ(mm_port_direct_map_offset, 0xffff800000000000ull);
	KT_EXPECT_EQ(mm_port_virt_to_phys(mm_port_phys_to_virt(0x123000)),
		     0x123000);
}
