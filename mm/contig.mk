# contigmalloc(9) and the free-frame index behind it (mm/freemap.c).
MM_SRCS += mm/freemap.c mm/malloc_type.c mm/contig.c
TESTS_COMMON += tests/mm/test_freemap.c tests/mm/test_contig.c
BENCH_SRCS += tests/bench/bench_contig.c
TESTS_HOST += tests/host/test_contig_host.c
# What mm64 prints (boot report, failure reports, vmstat -m, slab leaks),
# captured and read back: host only (tests/host/test_reports_host.c).
TESTS_HOST += tests/host/test_reports_host.c
# mm_init on sloppy and impossible maps, shrinker registration mistakes
# (host only: tests/host/test_init_host.c).
TESTS_HOST += tests/host/test_init_host.c
