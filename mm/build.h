/* SPDX-License-Identifier: MIT */
/*
 * The first #include of every mm/ source file, and of nothing else: mm/ compiles to
 * the same code whatever flags and defines the embedding kernel uses.
 *
 * The API's names: mm/ is written with the Linux and FreeBSD names
 * (kmalloc, contigmalloc) and defines mm_kmalloc, mm_contigmalloc through
 * <mm/names.h>, which MM_INSIDE keeps on even under -DMM_API_PREFIX.
 *
 * No SSE, MMX or x87 code. A kernel that never enables SSE (CR4.OSFXSR
 * clear) faults on the first movups, and compilers emit them for plain
 * struct copies and memsets unless told not to. With GCC the pragma below
 * tells them, for every function of the file (it must come before any
 * function, inline ones from headers included: GCC does not inline a
 * function built for other registers). Clang has no file-wide form, so a
 * clang build with SSE on stops here, naming the flag; hosted builds (the
 * tests, the fuzzers), where SSE is always enabled, define MM_HOSTED.
 *
 * No libgcc: mm/ uses no builtin that becomes a helper call at some
 * optimisation level (mm_popcount64 in core.h instead of
 * __builtin_popcountll); `make check-embed` checks both promises.
 */
#ifndef MM_BUILD_H
#define MM_BUILD_H

#define MM_INSIDE 1

#if defined(__clang__)
#if defined(__SSE__) && !defined(MM_HOSTED)
#error "mm64: build mm/ with -mgeneral-regs-only (or -mno-sse -mno-sse2 -mno-mmx -mno-80387): clang may emit SSE code a kernel without SSE enabled faults on (docs/EMBEDDING.md, Build flags)"
#endif
#elif defined(__GNUC__)
#pragma GCC target("general-regs-only")
#endif

#endif
