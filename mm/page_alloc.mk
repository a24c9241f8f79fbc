# The frame allocator (issue 3): early boot allocator, frame map, buddy,
# zones, per-CPU lists, reclaim, GFP names, debug poisoning, report.
MM_SRCS += mm/early.c mm/memmap.c mm/buddy.c mm/zone.c mm/pcp.c \
	mm/reclaim.c mm/page_alloc.c mm/gfp_names.c mm/poison.c \
	mm/page_report.c mm/mm_init.c
TESTS_COMMON += tests/mm/test_page_util.c tests/mm/test_page_bits.c \
	tests/mm/test_page_alloc.c tests/mm/test_page_gfp.c \
	tests/mm/test_page_free.c tests/mm/test_page_bench.c \
	tests/mm/test_page_private.c tests/mm/test_page_reserve.c
TESTS_HOST += tests/host/test_page_host.c
BENCH_SRCS += tests/bench/bench_page_alloc.c
