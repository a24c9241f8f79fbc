/* SPDX-License-Identifier: MIT */
/*
 * An example of a user's own test file, built into both test runs with
 *     make test EXTRA_TESTS=docs/examples/extra_test.c
 * It includes only ktest.h and public headers.
 */
#include <ktest.h>
#include <mm/mm.h>

KTEST(mydriver, dma_buffer_below_16M)
{
	void *p = kmalloc(512, GFP_DMA);
	KT_ASSERT(p != NULL);                    /* ends the test on failure */
	KT_EXPECT(virt_to_phys(p) < (16u << 20));
	KT_EXPECT_EQ(ksize(p) >= 512, 1);        /* prints both values on failure */
	kfree(p);
	KT_EXPECT_PANIC(kfree(p));               /* a double free panics; caught */
}
