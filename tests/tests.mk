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
