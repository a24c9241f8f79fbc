/* SPDX-License-Identifier: MIT */
/*
 * The test kernel on a big machine: the suite runs on at most a bounded
 * amount of free RAM (kernel/test_confine.c).
 */
#ifndef KERNEL_TEST_CONFINE_H
#define KERNEL_TEST_CONFINE_H

#include <stdbool.h>

/*
 * test_confine_ram - hold aside, in MM_MAX_ORDER blocks of ZONE_NORMAL, the
 * free RAM beyond the limit (`test_ram=SIZE` on the command line, default
 * 64G; `test_ram=0`: no limit), and say so. Panics on a bad test_ram=.
 */
void test_confine_ram(const char *cmdline);

/*
 * test_release_ram - give the held blocks back. Returns false (after saying
 * why) unless nr_free_pages() is then what it was before test_confine_ram:
 * every frame the suite took came back.
 */
bool test_release_ram(void);

#endif
