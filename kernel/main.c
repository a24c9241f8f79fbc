/* SPDX-License-Identifier: MIT */
/*
 * kernel_main: from the boot stub to a running memory manager.
 * The order matters: the console first (so everything after can report),
 * then the CPU tables (so a fault is reported, not a triple fault), then
 * the boot information, which decides what the direct map must cover,
 * which must be in place before mm_init() touches any frame.
 */
#include "kernel.h"

#include <stdarg.h>

#include <mm/init.h>

#include "bootmove.h"
#include "cpu.h"
#include "directmap.h"
#include "gdt.h"
#include "idt.h"
#include "ksyms.h"
#include "layout.h"
#include "numa.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "serial.h"
#include "smp.h"
#include "tsc.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
/* The boot stub maps the first 4 GiB; the info block must lie there. */
#define BOOT_DIRECT_MAP_END (4ull << 30)

static struct boot_info boot_info; /* large: never on the stack */
static bool boot_info_ready;

const struct boot_info *kernel_boot_info(void)
{
	return boot_info_ready ? &boot_info : NULL;
}

void kernel_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

/* The legacy 8259 PICs: masked. Interrupts stay off anyway, but GRUB leaves
 * them delivering the timer on vector 8, which would look like a #DF. */
static void pic_mask_all(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void report_cpu(void)
{
	uint32_t a, b, c, d;
	char vendor[13];

	cpuid(0, 0, &a, &b, &c, &d);
	__builtin_memcpy(vendor + 0, &b, 4);
	__builtin_memcpy(vendor + 4, &d, 4);
	__builtin_memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	printk("cpu: %s, %u-bit physical addresses, 1 GiB pages: %s, NX: %s\n",
	       vendor, paging_phys_bits(), paging_has_1g_pages() ? "yes" : "no",
	       paging_has_nx() ? "yes" : "no");
}

_Noreturn void kernel_main(uint32_t magic, uint64_t mbi_phys)
{
	serial_init();
	percpu_init_bsp();
	gdt_init();
	idt_init();
	pic_mask_all();
	paging_drop_identity_map();
	paging_guard_boot_stack();
	paging_protect_kernel_image();

	printk("\nmm64 booting\n");
	report_cpu();
	tsc_calibrate();
	printk("tsc: %llu.%03llu MHz (calibrated against PIT channel 2)\n",
	       (unsigned long long)(tsc_hz() / 1000000),
	       (unsigned long long)(tsc_hz() / 1000 % 1000));
	printk("kernel: image 0x%llx-0x%llx, boot page tables 0x%llx-0x%llx, "
	       "stack 0x%llx-0x%llx (guard page below)\n",
	       (unsigned long long)kernel_phys_start(),
	       (unsigned long long)kernel_phys_end(),
	       (unsigned long long)kernel_image_phys(boot_page_tables_start),
	       (unsigned long long)kernel_image_phys(boot_page_tables_end),
	       (unsigned long long)kernel_image_phys(boot_stack_bottom),
	       (unsigned long long)kernel_image_phys(boot_stack_top));

	if (mbi_phys == 0 || mbi_phys >= BOOT_DIRECT_MAP_END - 8)
		panic("kernel_main: multiboot2 info block at 0x%llx is outside "
		      "the boot direct map (first 4 GiB)",
		      (unsigned long long)mbi_phys);
	const struct boot_image img = {
		.kernel_start = kernel_phys_start(),
		.kernel_end = kernel_phys_end(),
		.page_tables_start = kernel_image_phys(boot_page_tables_start),
		.page_tables_end = kernel_image_phys(boot_page_tables_end),
	};
	const void *mbi = (const void *)(uintptr_t)(DIRECT_MAP_BASE + mbi_phys);
	if (!boot_info_parse(magic, mbi, mbi_phys, &img, &boot_info,
			     kernel_log))
		panic("kernel_main: unusable boot information: %s",
		      boot_info.error ? boot_info.error : "(no reason given)");
	/* ZONE_DMA is for devices: what GRUB left there moves above the
	 * kernel, and the block is read again where it now is (silently: it
	 * says what it said the first time). */
	uint64_t moved_phys = boot_move_low_data(&boot_info, &img,
						 DIRECT_MAP_BASE,
						 BOOT_DIRECT_MAP_END, kernel_log);
	if (moved_phys != mbi_phys &&
	    !boot_info_parse(magic,
			     (const void *)(uintptr_t)(DIRECT_MAP_BASE +
						       moved_phys),
			     moved_phys, &img, &boot_info, NULL))
		panic("kernel_main: boot information unusable after moving it "
		      "to 0x%llx: %s", (unsigned long long)moved_phys,
		      boot_info.error ? boot_info.error : "(no reason given)");
	boot_info_ready = true;
	/* Symbols first (GRUB put them below 4 GiB, already mapped), so that
	 * a panic from here on names functions. */
	if (ksyms_init(&boot_info.elf))
		printk("ksyms: %u kernel symbols for stack traces\n",
		       ksyms_count());

	directmap_extend(boot_info.memory_map, boot_info.memory_map_len);
	printk("directmap: 0x%llx + phys, RAM up to 0x%llx mapped with %s "
	       "pages (%u page-table pages used of %u)\n",
	       (unsigned long long)DIRECT_MAP_BASE,
	       (unsigned long long)directmap_end(),
	       directmap_page_size() == PAGE_1G ? "1 GiB" : "2 MiB",
	       paging_pool_used(), PAGING_POOL_PAGES);

	boot_info_report(&boot_info, kernel_log);

	/* Before mm_init(): mm/ sizes its per-CPU state by the CPU count. */
	smp_init(&boot_info);
	smp_report();
	numa_init(&boot_info);
	numa_report();

	/* mm/ learns the nodes of memory here and the CPUs' nodes from the
	 * port (kernel/mm_port.c), both from the SRAT numa_init read. */
	static struct mm_node_range nodes[NUMA_MAX_MEM];
	const struct numa_info *numa = numa_topology();
	size_t nn = 0;
	for (unsigned int i = 0; numa->from_srat && i < numa->nmem; i++)
		nodes[nn++] = (struct mm_node_range){ numa->mem[i].start,
						      numa->mem[i].length,
						      numa->mem[i].node };
	mm_init_numa(boot_info.memory_map, boot_info.memory_map_len,
		     boot_info.reserved, boot_info.reserved_len, nodes, nn);
	mm_report();

	kernel_after_boot(&boot_info);
}
