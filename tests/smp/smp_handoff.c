/* SPDX-License-Identifier: MIT */
/*
 * The handoff queue: a small locked ring through which a CPU passes an
 * object it allocated to whichever CPU takes it next, which verifies and
 * frees it there (a cross-CPU free: the slab's per-CPU arrays and the
 * per-CPU frame lists of the freeing CPU get another CPU's memory).
 */
#include <pthread.h>

#include "smp_stress.h"

#define HANDOFF_SLOTS 128

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj ring[HANDOFF_SLOTS];
static unsigned int head, count;

bool smp_handoff_put(const struct obj *o)
{
	bool ok = false;

	pthread_mutex_lock(&lock);
	if (count < HANDOFF_SLOTS) {
		ring[(head + count++) % HANDOFF_SLOTS] = *o;
		ok = true;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool smp_handoff_take(struct obj *o)
{
	bool ok = false;

	pthread_mutex_lock(&lock);
	if (count) {
		*o = ring[head];
		head = (head + 1) % HANDOFF_SLOTS;
		count--;
		ok = true;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}
