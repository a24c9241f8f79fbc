# Test sources. TESTS_COMMON run in the test kernel and on the host;
# TESTS_KERNEL only in the kernel (hardware); TESTS_HOST only on the host.
# Each area appends its own tests (the kernel's in kernel/kernel.mk). The
# tests of each allocator lie in tests/mm/<allocator>/, as its code lies in
# mm/<allocator>/.
HOST_RUNNER_SRCS += tests/host/main.c tests/host/mm_port_host.c tests/host/host_cpu.c tests/host/host_numa.c \
	tests/host/host_arena.c
TESTS_COMMON += tests/lib/test_ktest.c
# The benchmark harness; each area adds its BENCH files to BENCH_SRCS.
BENCH_SRCS += tests/bench/bench_main.c tests/host/mm_port_host.c tests/host/host_cpu.c \
	tests/host/host_arena.c tests/lib/ktest.c
# The operation-sequence fuzzer (tests/fuzz/mm_ops.c): all of mm/ on the
# host port, every result checked by a shadow model.
FUZZ_TARGETS += mm_ops
FUZZ_MM_OPS_SRCS := tests/fuzz/mm_ops.c tests/fuzz/mm_ops_model.c \
	tests/fuzz/mm_ops_slab.c

# contigmalloc(9) and the free-frame index behind it (mm/contig/).
TESTS_COMMON += tests/mm/contig/test_freemap.c tests/mm/contig/test_contig.c \
	tests/mm/contig/contig_oracle.c
BENCH_SRCS += tests/bench/bench_contig.c
TESTS_HOST += tests/mm/contig/test_contig_host.c tests/mm/contig/test_contig_numa_host.c
# What mm64 prints (boot report, failure reports, vmstat -m, slab leaks),
# captured and read back, and mm_init on sloppy and impossible maps,
# shrinker registration mistakes: host only.
TESTS_HOST += tests/host/test_reports_host.c tests/host/test_init_host.c
# CPUs going away and coming back (mm_cpu_dead/mm_cpu_online): host only.
TESTS_HOST += tests/host/test_cpu_host.c
# mm_vsnprintf, the formatter ports may use, against libc: host only.
TESTS_HOST += tests/host/test_format_host.c
# The memory map conversions of docs/examples/ (docs/EMBEDDING.md, "Handing
# over the memory map"), included by the test itself: host only.
TESTS_HOST += tests/host/test_embed_maps.c
# The allocator replacement shims of docs/examples/ (xv6 kalloc, a hobby
# kmalloc), built under MM_API_PREFIX: host only.
TESTS_HOST += tests/host/test_embed_replace.c
# The frame allocator: early boot allocator, frame map, buddy, zones,
# per-CPU lists, reclaim, GFP names, debug poisoning, report (mm/page/).
TESTS_COMMON += $(addprefix tests/mm/page/, test_page_util.c test_page_bits.c \
	test_page_alloc.c test_page_gfp.c test_page_free.c test_page_bench.c \
	test_page_private.c test_page_reserve.c)
TESTS_HOST += tests/mm/page/test_page_host.c tests/mm/page/test_page_numa_host.c
BENCH_SRCS += tests/bench/bench_page_alloc.c tests/bench/bench_numa.c
# The slab allocator and the kmalloc family (mm/slab/).
TESTS_COMMON += tests/mm/slab/test_slab.c tests/mm/slab/test_kmalloc.c
TESTS_HOST += tests/mm/slab/test_slab_host.c tests/mm/slab/test_slab_numa_host.c
BENCH_SRCS += tests/bench/bench_slab.c
# Every fast path with 1 and 2 CPUs at once (threads bound as CPUs).
BENCH_SRCS += tests/bench/bench_smp.c
# The SMP stress test (tests/smp/): mm/ with one thread per CPU, built
# under ASan/UBSan (host-smp) and under ThreadSanitizer (host-smp-tsan).
# SMP_WORK, the work itself, also runs in the test kernel on every CPU
# (tests/kernel/test_smp_stress.c, below).
SMP_WORK := $(addprefix tests/smp/, smp_mix.c smp_ops.c smp_irq.c smp_stamp.c \
	smp_handoff.c smp_shrinker.c)
SMP_SRCS := $(addprefix tests/smp/, smp_stress_main.c smp_doublefree.c) $(SMP_WORK) \
	tests/host/mm_port_host.c tests/host/host_cpu.c tests/host/host_arena.c \
	tests/lib/ktest.c
# The same work on every CPU of the machine: a kernel test, listed here
# after SMP_WORK.
TESTS_KERNEL += $(SMP_WORK) tests/kernel/test_smp_stress.c
