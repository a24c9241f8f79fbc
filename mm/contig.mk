# contigmalloc(9) and the free-frame index behind it (mm/freemap.c).
MM_SRCS += mm/freemap.c
TESTS_COMMON += tests/mm/test_freemap.c
