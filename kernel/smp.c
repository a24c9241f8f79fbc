/* SPDX-License-Identifier: MIT */
#include "smp.h"
#include "smp_task.h"

#include "acpi_boot.h"
#include "ap_stacks.h"
#include "cpu.h"
#include "gdt.h"
#include "idt.h"
#include "kernel.h"
#include "kstring.h"
#include "lapic.h"
#include "layout.h"
#include "madt.h"
#include "paging.h"
#include "percpu.h"
#include "printk.h"
#include "timer.h"
#include "tsc.h"

#include <mm/init.h>

#define INIT_WAIT_NS 10000000ull /* 10 ms after INIT (Intel MP spec) */
#define SIPI_WAIT_NS 200000ull   /* 200 us after each start-up IPI */
#define STOP_WAIT_NS 50000000ull /* 50 ms for the others to stop */
#define MS 1000000ull

/* ap_boot.asm: the trampoline's bytes and its parameter block. */
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern const uint8_t ap_trampoline_params[];
extern const uint8_t ap_entry64[];

struct trampoline_params {
	uint64_t switch_cr3, cr0, cr4, efer, kernel_cr3;
	uint64_t stack_top, percpu, entry;
};
_Static_assert(sizeof(struct trampoline_params) == 64,
	       "must match kernel/ap_boot.asm");

/* The PML4 the AP switches with: the kernel's plus the 1:1 map of low
 * memory (slot 0 = the direct map's first PDPT). Below 4 GiB (in the
 * image): the AP loads it in 32-bit mode. */
static uint64_t switch_pml4[512] __attribute__((aligned(4096)));

/* One AP at a time: WAITING -(AP)-> ARRIVED -(BSP counts it)-> GO -(AP)->
 * RUNNING, and only then the next one. */
enum ap_state { AP_WAITING, AP_ARRIVED, AP_GO, AP_RUNNING };
static uint32_t ap_state;
static unsigned int madt_cpus;
static bool stopping;
static unsigned int stopped;

unsigned int smp_madt_cpus(void)
{
	return madt_cpus;
}

/* The MADT's CPUs, or false (logged) when there is no usable one. */
static bool read_madt(const struct boot_info *bi, struct madt_info *m)
{
	uint32_t len;
	const uint8_t *t = acpi_boot_find(bi, "APIC", &len);
	if (!t) {
		printk("smp: no usable MADT\n");
		return false;
	}
	if (!madt_parse(t, len, m, kernel_log)) {
		printk("smp: the MADT is malformed\n");
		return false;
	}
	return true;
}

/* ---- the trampoline ---- */

/* The page is usable RAM and nothing but the low-1-MiB reservation
 * covers it (no boot loader data, no firmware table). */
static bool trampoline_page_free(const struct boot_info *bi)
{
	uint64_t s = AP_TRAMPOLINE_PHYS, e = s + PAGE_4K;
	bool ram = false;

	for (size_t i = 0; i < bi->memory_map_len; i++) {
		const struct mm_range *r = &bi->memory_map[i];
		if (r->type == MM_RANGE_USABLE && r->start <= s &&
		    e <= r->start + r->length)
			ram = true;
	}
	if (!ram) {
		printk("smp: the trampoline page 0x%llx is not usable RAM\n",
		       (unsigned long long)s);
		return false;
	}
	for (size_t i = 0; i < bi->reserved_len; i++) {
		const struct mm_range *r = &bi->reserved[i];
		if (r->start == 0 && r->length == 1ull << 20)
			continue; /* the low 1 MiB itself */
		if (r->start < e && s < r->start + r->length) {
			printk("smp: the trampoline page 0x%llx holds %s\n",
			       (unsigned long long)s, bi->reserved_what[i]);
			return false;
		}
	}
	return true;
}

static struct trampoline_params *install_trampoline(void)
{
	size_t n = (size_t)(ap_trampoline_end - ap_trampoline_start);
	uint8_t *low = (uint8_t *)(uintptr_t)(DIRECT_MAP_BASE +
					      AP_TRAMPOLINE_PHYS);
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(DIRECT_MAP_BASE +
						 (read_cr3() & PTE_ADDR_MASK));

	memcpy(low, ap_trampoline_start, n);
	memcpy(switch_pml4, pml4, sizeof(switch_pml4));
	switch_pml4[0] = pml4[pt_index(DIRECT_MAP_BASE, 4)];

	struct trampoline_params *p =
		(void *)(low + (ap_trampoline_params - ap_trampoline_start));
	p->switch_cr3 = kernel_image_phys(switch_pml4);
	p->cr0 = read_cr0();
	p->cr4 = read_cr4();
	p->efer = rdmsr(MSR_EFER);
	p->kernel_cr3 = read_cr3();
	p->entry = (uint64_t)(uintptr_t)ap_entry64;
	return p;
}

static uint32_t load_state(void)
{
	return __atomic_load_n(&ap_state, __ATOMIC_ACQUIRE);
}

static bool wait_arrived(uint64_t ns)
{
	uint64_t end = tsc_now_ns() + ns;

	while (load_state() != AP_ARRIVED)
		if (tsc_now_ns() >= end)
			return false;
		else
			cpu_relax();
	return true;
}

/* INIT-SIPI-SIPI; true when the AP reported in (it then waits for GO). */
static bool start_ap(uint32_t apic_id, struct trampoline_params *p,
		     struct percpu *pc)
{
	struct ap_stacks *st = ap_stacks_of(pc->cpu_id);

	p->stack_top = (uint64_t)(uintptr_t)(st->stack + AP_STACK_SIZE);
	p->percpu = (uint64_t)(uintptr_t)pc;
	__atomic_store_n(&ap_state, AP_WAITING, __ATOMIC_RELEASE);

	if (!lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL))
		return false;
	tsc_delay_ns(INIT_WAIT_NS);
	lapic_send_ipi(apic_id, ICR_INIT | ICR_LEVEL); /* de-assert */
	for (int i = 0; i < 2; i++) {
		lapic_send_ipi(apic_id, ICR_STARTUP | ICR_ASSERT |
					(uint32_t)(AP_TRAMPOLINE_PHYS >> 12));
		if (wait_arrived(SIPI_WAIT_NS))
			return true;
	}
	return wait_arrived(AP_START_TIMEOUT_MS * MS);
}

static void start_aps(const struct madt_info *m, uint32_t bsp_id)
{
	struct trampoline_params *p = install_trampoline();

	for (unsigned int i = 0; i < m->cpus; i++) {
		uint32_t id = m->apic_ids[i];
		if (id == bsp_id)
			continue;
		struct percpu *pc = percpu_prepare_next(id);
		if (!pc)
			break; /* SMP_MAX_CPUS: madt_parse() capped it */
		if (!start_ap(id, p, pc)) {
			printk("smp: cpu %u (APIC id %u) did not start within "
			       "%d ms; going on without it\n", pc->cpu_id, id,
			       AP_START_TIMEOUT_MS);
			/* Back to wait-for-SIPI, should it still arrive. */
			lapic_send_ipi(id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
			continue;
		}
		/* Counted before it may run anything that calls mm/. */
		percpu_count_next();
		__atomic_store_n(&ap_state, AP_GO, __ATOMIC_RELEASE);
		while (load_state() != AP_RUNNING)
			cpu_relax();
	}
}

void smp_init(struct boot_info *bi)
{
	struct madt_info m;

	bool ok = read_madt(bi, &m);
	if (ok)
		madt_cpus = m.cpus + m.dropped;
	if (!lapic_init(ok ? m.lapic_phys : 0xfee00000ull)) {
		printk("smp: no local APIC: no timer, one CPU\n");
		return;
	}
	struct percpu *bsp = this_cpu();
	bsp->apic_id = lapic_id();
	lapic_enable_this_cpu(true);
	lapic_timer_calibrate();
	timer_start_this_cpu();
	if (!ok) {
		printk("smp: running on the bootstrap processor only\n");
		return;
	}
	bool bsp_listed = false;
	for (unsigned int i = 0; i < m.cpus; i++)
		bsp_listed |= m.apic_ids[i] == bsp->apic_id;
	if (!bsp_listed)
		printk("smp: the MADT does not list the BSP (APIC id %u)\n",
		       bsp->apic_id);
	if (m.cpus > 1 && trampoline_page_free(bi) &&
	    ap_stacks_reserve(bi, m.cpus - 1) == m.cpus - 1)
		start_aps(&m, bsp->apic_id);
	else if (m.cpus > 1)
		printk("smp: running on the bootstrap processor only\n");
}

void smp_report(void)
{
	char ids[SMP_MAX_CPUS * 4 + 1];
	size_t used = 0;
	unsigned int n = percpu_cpu_count();

	ids[0] = '\0';
	for (unsigned int c = 0; c < n; c++)
		used += (size_t)snprintf(ids + used, sizeof(ids) - used, " %u",
					 percpu_of(c)->apic_id);
	printk("smp: %u CPU%s running (APIC ids%s), %u enabled in the MADT; "
	       "timer %d Hz (%u APIC ticks/ms)\n", n, n == 1 ? "" : "s", ids,
	       madt_cpus, TIMER_HZ, lapic_timer_ticks_per_ms());
}

_Noreturn void kernel_ap_main(struct percpu *pc)
{
	struct ap_stacks *st = ap_stacks_of(pc->cpu_id);
	uint64_t ist_top[IST_COUNT];

	percpu_load(pc);
	for (int i = 0; i < IST_COUNT; i++)
		ist_top[i] = (uint64_t)(uintptr_t)(st->ist[i] + AP_IST_SIZE);
	gdt_init_cpu(pc->cpu_id, ist_top);
	idt_load();
	lapic_enable_this_cpu(false);
	__atomic_store_n(&ap_state, AP_ARRIVED, __ATOMIC_RELEASE);
	while (load_state() != AP_GO)
		cpu_relax();
	__atomic_store_n(&ap_state, AP_RUNNING, __ATOMIC_RELEASE);
	timer_start_this_cpu();
	for (;;) {
		mm_cpu_idle(); /* what a flush in an interrupt here left */
		/* With interrupts off from the check to the hlt (sti's shadow
		 * covers it), a task posted meanwhile cannot be slept through:
		 * its wake-up IPI ends the hlt. */
		cli();
		smp_task_run_posted();
		sti_hlt();
	}
}

/* ---- stopping ---- */

bool smp_stopping(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);
}

_Noreturn void smp_stop_this_cpu(void)
{
	__atomic_fetch_add(&stopped, 1, __ATOMIC_RELEASE);
	for (;;) {
		cli();
		hlt();
	}
}

void smp_stop_others(void)
{
	unsigned int others = percpu_cpu_count() - 1;

	if (others == 0 || !lapic_ready())
		return;
	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	lapic_send_ipi(0, ICR_NMI | ICR_ALL_BUT_SELF);
	uint64_t end = tsc_now_ns() + STOP_WAIT_NS;
	while (__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) < others &&
	       tsc_now_ns() < end)
		cpu_relax();
}
