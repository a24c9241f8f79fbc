# The slab allocator and the kmalloc family. Design: mm/slab.c.
MM_SRCS += mm/slab.c mm/slab_cache.c mm/slab_debug.c mm/kmalloc.c \
	mm/slab_lookup.c mm/slab_bulk.c
TESTS_COMMON += tests/mm/test_slab.c tests/mm/test_kmalloc.c
TESTS_HOST += tests/host/test_slab_host.c
BENCH_SRCS += tests/bench/bench_slab.c
