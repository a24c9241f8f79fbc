/* SPDX-License-Identifier: MIT */
/* SLIT parsing (layout and policy in numa.h). */
#include "numa.h"

#include "acpi.h"

#define SLIT_COUNT 36

/* The SLIT's distance from locality i to locality j. */
static uint8_t slit_at(const uint8_t *slit, uint64_t n, uint32_t i, uint32_t j)
{
	return slit[SLIT_HEADER_SIZE + (uint64_t)i * n + j];
}

/* Why the n x n matrix cannot be used, or NULL if it can. Only the
 * localities of info's domains are read (each < n). */
static const char *matrix_problem(const uint8_t *slit, uint64_t n,
				  const struct numa_info *info,
				  unsigned int *bad_a, unsigned int *bad_b)
{
	for (unsigned int a = 0; a < info->nodes; a++)
		for (unsigned int b = 0; b < info->nodes; b++) {
			uint8_t d = slit_at(slit, n, info->domain[a],
					    info->domain[b]);
			*bad_a = a;
			*bad_b = b;
			if (a == b && d != NUMA_LOCAL_DISTANCE)
				return "a local distance is not 10";
			if (a != b && d <= NUMA_LOCAL_DISTANCE)
				return "a remote distance is 10 or less";
			if (d != slit_at(slit, n, info->domain[b],
					 info->domain[a]))
				return "the matrix is not symmetric";
		}
	return NULL;
}

bool numa_apply_slit(const uint8_t *slit, uint32_t len, struct numa_info *info,
		     boot_log_fn log)
{
	len = acpi_table_check(slit, len, "SLIT", SLIT_HEADER_SIZE, log);
	if (!len)
		return false;
	uint64_t n = acpi_rd64(slit, SLIT_COUNT);
	if (n > 0xffff || SLIT_HEADER_SIZE + n * n != len) {
		log("numa: SLIT of %u bytes does not hold the %llu x %llu "
		    "matrix its count says; distances 10/20\n", len,
		    (unsigned long long)n, (unsigned long long)n);
		return false;
	}
	if (n != info->nodes) {
		log("numa: SLIT has %llu localities, the SRAT %u proximity "
		    "domains; distances 10/20\n", (unsigned long long)n,
		    info->nodes);
		return false;
	}
	for (unsigned int a = 0; a < info->nodes; a++)
		if (info->domain[a] >= n) {
			log("numa: SRAT proximity domain %u has no SLIT row "
			    "(%llu localities); distances 10/20\n",
			    info->domain[a], (unsigned long long)n);
			return false;
		}
	unsigned int a, b;
	const char *why = matrix_problem(slit, n, info, &a, &b);
	if (why) {
		log("numa: SLIT unusable: %s (domain %u to %u: %u); distances "
		    "10/20\n", why, info->domain[a], info->domain[b],
		    slit_at(slit, n, info->domain[a], info->domain[b]));
		return false;
	}
	for (a = 0; a < info->nodes; a++)
		for (b = 0; b < info->nodes; b++)
			info->distance[a][b] = slit_at(slit, n, info->domain[a],
						       info->domain[b]);
	info->from_slit = true;
	return true;
}
