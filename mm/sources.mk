# The sources of mm/ and nothing else: what a kernel that embeds mm64
# compiles (docs/EMBEDDING.md). Set MM_DIR to where mm/ lies in your tree
# before including this; headers are include/mm/ (public) and mm/ (private).
MM_DIR ?= mm
MM_SRCS := $(addprefix $(MM_DIR)/, \
	freemap.c malloc_type.c contig.c \
	early.c memmap.c buddy.c zone.c pcp.c reclaim.c page_alloc.c \
	gfp_names.c poison.c page_report.c mm_init.c \
	slab.c slab_cache.c slab_debug.c kmalloc.c slab_lookup.c slab_bulk.c)
