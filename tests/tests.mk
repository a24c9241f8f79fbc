# Test sources. TESTS_COMMON run in the test kernel and on the host;
# TESTS_KERNEL only in the kernel (hardware); TESTS_HOST only on the host.
# Each area appends its own tests in its own fragment (mm/*.mk, kernel/kernel.mk).
HOST_RUNNER_SRCS += tests/host/main.c tests/host/mm_port_host.c tests/host/host_arena.c
TESTS_COMMON += tests/lib/test_ktest.c
# The benchmark harness; each area adds its BENCH files to BENCH_SRCS.
BENCH_SRCS += tests/bench/bench_main.c tests/host/mm_port_host.c \
	tests/host/host_arena.c tests/lib/ktest.c
# The operation-sequence fuzzer (tests/fuzz/mm_ops.c): all of mm/ on the
# host port, every result checked by a shadow model.
FUZZ_TARGETS += mm_ops
FUZZ_MM_OPS_SRCS := tests/fuzz/mm_ops.c tests/fuzz/mm_ops_model.c \
	tests/fuzz/mm_ops_slab.c

# contigmalloc(9) and the free-frame index behind it (mm/freemap.c).
TESTS_COMMON += tests/mm/test_freemap.c tests/mm/test_contig.c
BENCH_SRCS += tests/bench/bench_contig.c
TESTS_HOST += tests/host/test_contig_host.c
# What mm64 prints (boot report, failure reports, vmstat -m, slab leaks),
# captured and read back, and mm_init on sloppy and impossible maps,
# shrinker registration mistakes: host only.
TESTS_HOST += tests/host/test_reports_host.c tests/host/test_init_host.c
# The frame allocator: early boot allocator, frame map, buddy, zones,
# per-CPU lists, reclaim, GFP names, debug poisoning, report.
TESTS_COMMON += tests/mm/test_page_util.c tests/mm/test_page_bits.c \
	tests/mm/test_page_alloc.c tests/mm/test_page_gfp.c \
	tests/mm/test_page_free.c tests/mm/test_page_bench.c \
	tests/mm/test_page_private.c tests/mm/test_page_reserve.c
TESTS_HOST += tests/host/test_page_host.c
BENCH_SRCS += tests/bench/bench_page_alloc.c
# The slab allocator and the kmalloc family.
TESTS_COMMON += tests/mm/test_slab.c tests/mm/test_kmalloc.c
TESTS_HOST += tests/host/test_slab_host.c
BENCH_SRCS += tests/bench/bench_slab.c
