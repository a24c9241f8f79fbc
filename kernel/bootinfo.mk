# Boot information: multiboot2 parser, memory-map sanitizer, command line,
# ACPI tables, the MADT, the SRAT and SLIT (NUMA).
# Hardware-free: built into both kernels and the host tests and fuzzer.
# (filter-out: kernel.mk may list these too; an object must appear once.)
BOOTINFO_SRCS := kernel/mb2.c kernel/memmap.c kernel/cmdline.c kernel/bootinfo.c \
	kernel/bootmove.c kernel/acpi.c kernel/madt.c \
	kernel/srat.c kernel/slit.c
HOSTABLE_SRCS += $(filter-out $(HOSTABLE_SRCS),$(BOOTINFO_SRCS))
TESTS_COMMON += tests/boot/mb2_blob.c tests/boot/test_mb2.c \
	tests/boot/test_memmap.c tests/boot/test_cmdline.c \
	tests/boot/test_bootinfo.c tests/boot/test_mb2_mutate.c \
	tests/boot/test_acpi.c tests/boot/test_numa.c
# Moving GRUB's data out of ZONE_DMA: needs a 64 MiB fake physical memory,
# so host only.
TESTS_HOST += tests/host/test_bootmove_host.c
FUZZ_TARGETS += mb2_parse acpi_numa
