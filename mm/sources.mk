# The sources of mm/ and nothing else: what a kernel that embeds mm64
# compiles (docs/EMBEDDING.md). Set MM_DIR to where mm/ lies in your tree
# before including this; headers are include/mm/ (public, -Iinclude) and
# mm/ (private, -I$(MM_DIR): mm/ includes its own headers by their path
# under mm/, "page/zone.h").
MM_DIR ?= mm
MM_SRCS := $(addprefix $(MM_DIR)/, \
	mm_init.c cpu.c stats.c format.c \
	page/early.c page/memmap.c page/buddy.c page/zone.c page/pcp.c \
	page/reclaim.c page/page_alloc.c page/gfp_names.c page/poison.c page/node.c \
	page/report.c \
	slab/slab.c slab/slab_life.c slab/slab_cache.c slab/slab_debug.c slab/kmalloc.c \
	slab/slab_lookup.c slab/slab_bulk.c slab/cpu_cache.c \
	contig/freemap.c contig/freemap_update.c contig/freemap_search.c \
	contig/malloc_type.c contig/contig.c)
