/* SPDX-License-Identifier: MIT */
/*
 * What the host runner and the test kernel share around the work itself:
 * the workers and their seeds, the draw of the next kind of operation, the
 * timed loop, the per-CPU summary line, and the state every CPU shares (the
 * shared cache, the global shrinker pool) with its teardown.
 */
#include "ktest_env.h"
#include "smp_stress.h"

const char *const smp_op_names[OP_COUNT] = {
	"pages", "kmalloc", "cache", "handoff", "drain", "shrink",
	"cachelife", "shrinker", "contig", "pressure", "irq",
};

const unsigned int smp_weights[OP_COUNT] = { 30, 30, 30, 10, 2, 2, 2, 4, 6, 1, 0 };

struct smp_config smp_cfg = { .threads = 2, .nodes = 1,
			      .run_ns = 2000000000ull, .tick_ns = 200000 };
struct kmem_cache *smp_shared_cache;
MALLOC_DEFINE(M_SMP, "smp", "SMP stress test");

static struct worker *workers[MM_MAX_CPUS];

uint64_t smp_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct worker *smp_worker_of(unsigned int cpu)
{
	return workers[cpu];
}

bool smp_workers_init(unsigned int cpus)
{
	for (unsigned int c = 0; c < cpus; c++) {
		struct worker *w = kzalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			return false;
		w->cpu = c;
		w->rng = smp_cfg.seed * 1000003u + c;
		w->irq_rng = ~(smp_cfg.seed * 1000033u + c);
		workers[c] = w;
	}
	return true;
}

void smp_workers_fini(void)
{
	for (unsigned int c = 0; c < MM_MAX_CPUS; c++) {
		kfree(workers[c]);
		workers[c] = NULL;
	}
}

static enum smp_op pick_op(struct worker *w, const unsigned int weights[OP_COUNT])
{
	unsigned int total = 0, r;

	for (int i = 0; i < OP_COUNT; i++)
		total += smp_cfg.enabled[i] ? weights[i] : 0;
	if (!total)
		return OP_COUNT; /* only=irq: the interrupts alone */
	r = (unsigned int)(smp_rand(&w->rng) % total);
	for (int i = 0; i < OP_COUNT; i++) {
		unsigned int wt = smp_cfg.enabled[i] ? weights[i] : 0;
		if (r < wt)
			return (enum smp_op)i;
		r -= wt;
	}
	return OP_COUNT;
}

void smp_worker_loop(struct worker *w, const unsigned int weights[OP_COUNT],
		     uint64_t run_ns)
{
	uint64_t end = mm_port_now_ns() + run_ns;

	while (mm_port_now_ns() < end) {
		enum smp_op op = pick_op(w, weights);
		if (op < OP_COUNT) {
			smp_do_op(w, op);
			w->ops[op]++;
		}
		/* Between operations, as an idle loop would: give back what
		 * other CPUs' shrinks, run here as interrupts, left. */
		mm_cpu_idle();
	}
}

static size_t append(char *buf, size_t size, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (n >= size)
		return n;
	va_start(ap, fmt);
	n += (size_t)ktest_env_vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return n;
}

void smp_worker_summary(const struct worker *w, char *buf, size_t size)
{
	size_t n = append(buf, size, 0, "CPU %u:", w->cpu);

	for (int i = 0; i < OP_COUNT; i++)
		if (w->ops[i])
			n = append(buf, size, n, " %s=%lu", smp_op_names[i], w->ops[i]);
	append(buf, size, n, " interrupts=%lu nulls=%lu failures=%lu", w->irq_ticks,
	       w->nulls, w->failures);
}

bool smp_shared_init(void)
{
	smp_shared_cache = kmem_cache_create("smp-shared", SMP_SHARED_SIZE, 0, 0, NULL);
	if (!smp_shared_cache)
		return false;
	smp_shrinker_global_init();
	return true;
}

void smp_shared_fini(struct worker *end,
		     void (*shrink_everywhere)(struct kmem_cache *c))
{
	struct obj o;

	for (unsigned int c = 0; c < mm_port_cpu_count(); c++)
		while (smp_handoff_take(c, &o))
			smp_free(end, &o, "left in a handoff ring");
	smp_shrinker_global_fini();
	shrink_everywhere(smp_shared_cache);
	kmem_cache_destroy(smp_shared_cache);
	smp_shared_cache = NULL;
}
