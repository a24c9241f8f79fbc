/* SPDX-License-Identifier: MIT */
/*
 * mm64's public interface in one include: the frame allocator, its flags,
 * bring-up. Each allocator adds its one line here.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <mm/contig.h>
#include <mm/gfp.h>
#include <mm/init.h>
#include <mm/memmap.h>
#include <mm/page_alloc.h>
#include <mm/slab.h>

#endif
