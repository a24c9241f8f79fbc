/* SPDX-License-Identifier: MIT */
/*
 * The API's familiar names. Every function and object of mm64's API is
 * declared, defined and linked as mm_<name> (the linker sees nothing else
 * from mm/: `make check-embed`); this header maps the Linux and FreeBSD
 * names that code is written against onto them, so kmalloc() is
 * mm_kmalloc(), with no cost.
 *
 * A kernel that already has some of these names (its own kfree, a
 * page_address of its own) builds with -DMM_API_PREFIX: the mapping is
 * left out of its files and it calls the mm_ names, as in
 * docs/EMBEDDING.md. mm/'s own sources always use the mapping
 * (MM_INSIDE, set by mm/build.h). Types (struct page, gfp_t, struct
 * kmem_cache, ...) and flag macros (GFP_KERNEL, M_ZERO, ...) keep their
 * names either way.
 */
#ifndef MM_NAMES_H
#define MM_NAMES_H

#if !defined(MM_API_PREFIX) || defined(MM_INSIDE)
/* <mm/page_alloc.h> */
#define alloc_pages               mm_alloc_pages
#define alloc_pages_node          mm_alloc_pages_node
#define alloc_page                mm_alloc_page
#define __get_free_pages          mm___get_free_pages
#define __get_free_page           mm___get_free_page
#define get_zeroed_page           mm_get_zeroed_page
#define __free_pages              mm___free_pages
#define __free_page               mm___free_page
#define free_pages                mm_free_pages
#define free_page                 mm_free_page
#define page_to_pfn               mm_page_to_pfn
#define pfn_to_page               mm_pfn_to_page
#define page_to_phys              mm_page_to_phys
#define phys_to_page              mm_phys_to_page
#define page_address              mm_page_address
#define virt_to_page              mm_virt_to_page
#define virt_to_phys              mm_virt_to_phys
#define phys_to_virt              mm_phys_to_virt
#define page_private              mm_page_private
#define set_page_private          mm_set_page_private
#define nr_free_pages             mm_nr_free_pages
#define page_to_nid               mm_page_to_nid
#define numa_node_id              mm_numa_node_id
#define num_online_nodes          mm_num_online_nodes
#define nr_free_pages_node        mm_nr_free_pages_node
#define drain_all_pages           mm_drain_all_pages
#define register_shrinker         mm_register_shrinker
#define unregister_shrinker       mm_unregister_shrinker

/* <mm/slab.h> */
#define kmem_cache_create         mm_kmem_cache_create
#define kmem_cache_destroy        mm_kmem_cache_destroy
#define kmem_cache_alloc          mm_kmem_cache_alloc
#define kmem_cache_zalloc         mm_kmem_cache_zalloc
#define kmem_cache_free           mm_kmem_cache_free
#define kmem_cache_alloc_node     mm_kmem_cache_alloc_node
#define kmem_cache_alloc_bulk     mm_kmem_cache_alloc_bulk
#define kmem_cache_free_bulk      mm_kmem_cache_free_bulk
#define kmem_cache_shrink         mm_kmem_cache_shrink
#define kmem_cache_shrink_all     mm_kmem_cache_shrink_all
#define kmem_cache_get_info       mm_kmem_cache_get_info
#define kmem_cache_leaked_objects mm_kmem_cache_leaked_objects
#define kmalloc                   mm_kmalloc
#define kzalloc                   mm_kzalloc
#define kmalloc_node              mm_kmalloc_node
#define kzalloc_node              mm_kzalloc_node
#define kmalloc_array             mm_kmalloc_array
#define kcalloc                   mm_kcalloc
#define krealloc                  mm_krealloc
#define kfree                     mm_kfree
#define ksize                     mm_ksize

/* <mm/contig.h> */
#define contigmalloc              mm_contigmalloc
#define contigmalloc_domainset    mm_contigmalloc_domainset
#define contigfree                mm_contigfree
#define vtophys                   mm_vtophys
#define malloc_type_report        mm_malloc_type_report
#define M_DEVBUF                  mm_M_DEVBUF
#endif

#endif
