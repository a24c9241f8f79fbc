/* SPDX-License-Identifier: MIT */
#include "lapic.h"

#include "cpu.h"
#include "irq.h"
#include "paging.h"
#include "printk.h"
#include "tsc.h"

#define MSR_APIC_BASE 0x1bu
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull
#define CPUID_1_EDX_APIC (1u << 9)

/* Register offsets (Intel SDM vol. 3, table 11-1). */
#define REG_ID 0x020
#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_ESR 0x280
#define REG_ICR_LOW 0x300
#define REG_ICR_HIGH 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE 0x3e0

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define ICR_PENDING (1u << 12)
#define TIMER_DIVIDE_16 0x3u
#define IPI_WAIT_NS 1000000ull
#define CALIBRATE_NS 10000000ull /* 10 ms */

static volatile uint32_t *regs;
static uint32_t ticks_per_ms;

static uint32_t rd(uint32_t reg)
{
	return regs[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	regs[reg / 4] = v;
}

bool lapic_ready(void)
{
	return regs != NULL;
}

bool lapic_init(uint64_t madt_phys)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_APIC)) {
		printk("lapic: this CPU has no local APIC\n");
		return false;
	}
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	uint64_t phys = msr & APIC_BASE_ADDR_MASK;
	if (phys != madt_phys)
		printk("lapic: the MADT says 0x%llx, IA32_APIC_BASE 0x%llx; "
		       "using the MSR's\n", (unsigned long long)madt_phys,
		       (unsigned long long)phys);
	if (!(msr & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE);
	regs = paging_map_mmio(phys);
	return true;
}

void lapic_enable_this_cpu(bool bsp)
{
	wr(REG_TPR, 0);
	if (!bsp) {
		/* The BSP's LINT pins are as the firmware wired them (the
		 * 8259 is masked anyway); an AP's carry nothing. */
		wr(REG_LVT_LINT0, LVT_MASKED);
		wr(REG_LVT_LINT1, LVT_MASKED);
	}
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_SVR, SVR_ENABLE | IRQ_VEC_SPURIOUS);
	/* ESR: a write latches the errors, the next one clears them. */
	wr(REG_ESR, 0);
	wr(REG_ESR, 0);
}

uint32_t lapic_id(void)
{
	return rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	uint64_t flags = read_rflags();

	cli();
	wr(REG_ICR_HIGH, dest << 24);
	wr(REG_ICR_LOW, icr_low);
	uint64_t end = tsc_now_ns() + IPI_WAIT_NS;
	bool sent;
	while (!(sent = !(rd(REG_ICR_LOW) & ICR_PENDING)) &&
	       tsc_now_ns() < end)
		cpu_relax();
	if (flags & RFLAGS_IF)
		sti();
	return sent;
}

void lapic_timer_calibrate(void)
{
	wr(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
	wr(REG_LVT_TIMER, LVT_MASKED); /* one-shot, masked: only counting */
	wr(REG_TIMER_INIT, UINT32_MAX);
	uint64_t t0 = tsc_now_ns();
	tsc_delay_ns(CALIBRATE_NS);
	uint32_t left = rd(REG_TIMER_CURRENT);
	uint64_t ns = tsc_now_ns() - t0;
	wr(REG_TIMER_INIT, 0);
	uint64_t per_ms = (uint64_t)(UINT32_MAX - left) * 1000000ull / ns;
	ticks_per_ms = per_ms ? (uint32_t)per_ms : 1;
}

uint32_t lapic_timer_ticks_per_ms(void)
{
	return ticks_per_ms;
}

void lapic_timer_start(unsigned int hz, uint8_t vector)
{
	uint64_t count = (uint64_t)ticks_per_ms * 1000 / hz;

	wr(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
	wr(REG_LVT_TIMER, LVT_PERIODIC | vector);
	wr(REG_TIMER_INIT, count ? (uint32_t)count : 1);
}
