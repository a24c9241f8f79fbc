# Test sources. TESTS_COMMON run in the test kernel and on the host;
# TESTS_KERNEL only in the kernel (hardware); TESTS_HOST only on the host.
# Each area appends its own tests in its own fragment (mm/*.mk, kernel/kernel.mk).
HOST_RUNNER_SRCS += tests/host/main.c tests/host/mm_port_host.c tests/host/host_arena.c
TESTS_COMMON += tests/lib/test_ktest.c
# The benchmark harness; each area adds its BENCH files to BENCH_SRCS.
BENCH_SRCS += tests/bench/bench_main.c tests/host/mm_port_host.c \
	tests/host/host_arena.c tests/lib/ktest.c
