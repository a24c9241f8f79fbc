/* SPDX-License-Identifier: MIT */
/*
 * Host test runner: the same ktest tests as the kernel, under ASan/UBSan.
 * Usage: host-tests [test=GLOB] [seed=N] [-v]
 */
#include <ktest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host_port.h"
#include "ktest_env.h"

void ktest_env_vprintf(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
	fflush(stdout);
}

int ktest_env_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int main(int argc, char **argv)
{
	const char *glob = NULL;
	uint64_t seed = (uint64_t)time(NULL);
	bool verbose = false;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "test=", 5))
			glob = argv[i] + 5;
		else if (!strncmp(argv[i], "seed=", 5) && argv[i][5])
			seed = strtoull(argv[i] + 5, NULL, 0);
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else {
			fprintf(stderr, "usage: %s [test=GLOB] [seed=N] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	/* The allocator's reports are noise in TAP unless asked for. */
	host_set_log_quiet(!verbose);
	host_mm_default();
	return ktest_run_all(glob, seed) ? 1 : 0;
}
