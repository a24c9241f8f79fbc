/* SPDX-License-Identifier: MIT */
/*
 * The SMP stress test of mm/: every CPU, each with a timer interrupt,
 * running a seeded mix of every kind of mm/ operation against the others.
 * Every object is stamped when allocated and verified before it is freed.
 * The work (these files but smp_stress_main.c and smp_doublefree.c) uses
 * only mm/'s public API and its port, so it runs in two places: on the
 * host with one thread per CPU (smp_stress_main.c) and in the test kernel
 * on every CPU of the machine (tests/kernel/test_smp_stress.c).
 */
#ifndef SMP_STRESS_H
#define SMP_STRESS_H

#include <mm/mm.h>
#include <mm/port.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds of work, each a switch: only=drain,pages runs just those two. */
enum smp_op {
	OP_PAGES,     /* alloc_pages every order, every gfp; __GFP_ZERO checked */
	OP_KMALLOC,   /* kmalloc of many sizes (slab classes and whole frames) */
	OP_CACHE,     /* the shared kmem_cache */
	OP_HANDOFF,   /* objects handed to another CPU through a queue, freed there */
	OP_DRAIN,     /* drain_all_pages() */
	OP_SHRINK,    /* kmem_cache_shrink(shared), kmem_cache_shrink_all() */
	OP_CACHELIFE, /* a private kmem_cache created, used, destroyed */
	OP_SHRINKER,  /* a shrinker registered over a pool, unregistered later */
	OP_CONTIG,    /* contigmalloc/contigfree: hits, misses, M_NOWAIT/M_WAITOK */
	OP_PRESSURE,  /* allocate until NULL (__GFP_NORETRY), then give back */
	OP_IRQ,       /* the timer interrupt allocates and frees GFP_ATOMIC */
	OP_COUNT
};
extern const char *const smp_op_names[OP_COUNT];
/* How often each kind is drawn, against the others (smp_mix.c). */
extern const unsigned int smp_weights[OP_COUNT];

enum obj_kind { OBJ_NONE, OBJ_PAGES, OBJ_KMALLOC, OBJ_CACHE, OBJ_OWN, OBJ_CONTIG };

/* One allocation and what its stamp was made from. */
struct obj {
	void *p;
	uint64_t size; /* bytes */
	uint64_t tag;  /* CPU << 56 | in interrupt << 48 | serial: unique */
	struct kmem_cache *cache; /* OBJ_CACHE, OBJ_OWN */
	uint8_t kind;  /* enum obj_kind */
	uint8_t order; /* OBJ_PAGES */
};

#define HELD_SLOTS 192
#define STASH_SLOTS 48
#define HANDOFF_SLOTS 64

/* The objects the CPU before this one passed on (smp_handoff.c). */
struct handoff_ring {
	mm_spinlock_t lock;
	struct obj slots[HANDOFF_SLOTS];
	unsigned int head, count; /* guarded by lock */
};

/* One CPU's state, allocated from mm/ for the run (smp_workers_init). */
struct worker {
	unsigned int cpu;
	uint64_t rng;
	uint64_t serial;
	struct obj held[HELD_SLOTS];   /* task side */
	struct obj stash[STASH_SLOTS]; /* interrupt side only */
	uint64_t irq_rng, irq_serial;
	unsigned long ops[OP_COUNT];
	struct obj *hold;        /* pressure's frames: the environment's buffer */
	unsigned int hold_cap;   /* its slots; 0: no pressure */
	volatile bool irq_stopped; /* set by the task, read by its interrupt */
	unsigned long irq_ticks, nulls;
	unsigned long failures; /* stamp mismatches and checks that failed */
	struct handoff_ring handoff;
};

struct smp_config {
	unsigned int threads;
	unsigned int nodes;     /* 1, or 2: the host map split in two nodes */
	uint64_t seed;
	uint64_t run_ns;
	uint64_t tick_ns;
	bool enabled[OP_COUNT];
};
extern struct smp_config smp_cfg;
extern struct kmem_cache *smp_shared_cache;
MALLOC_DECLARE(M_SMP);
#define SMP_SHARED_SIZE 200

/* ---- the mix (smp_mix.c) ---- */
uint64_t smp_rand(uint64_t *state);
/* Allocates (GFP_KERNEL, zeroed) and seeds the workers of CPUs
 * 0 .. cpus - 1 from smp_cfg.seed; false if one could not be had.
 * smp_workers_fini frees them (any that were allocated). */
bool smp_workers_init(unsigned int cpus);
void smp_workers_fini(void);
/* Runs w's mix, drawn with these weights among the enabled kinds, for
 * run_ns; counts each operation in w->ops. */
void smp_worker_loop(struct worker *w, const unsigned int weights[OP_COUNT],
		     uint64_t run_ns);
/* "CPU n: pages=.. kmalloc=.. ... interrupts=.. nulls=.. failures=.." */
void smp_worker_summary(const struct worker *w, char *buf, size_t size);
/* The shared cache and the global shrinker pool; false if no cache. */
bool smp_shared_init(void);
/* Once every CPU finished: what no CPU holds any more (the handoff rings,
 * the global pool) verified and freed by end, then the shared cache
 * destroyed once shrink_everywhere (the port's way to empty every CPU's
 * array of it) ran. */
void smp_shared_fini(struct worker *end,
		     void (*shrink_everywhere)(struct kmem_cache *c));

/* What the environment supplies: prints one line, safe in an interrupt
 * handler (a signal handler on the host). */
void smp_env_puts(const char *line);

/* ---- stamps (smp_stamp.c) ----
 * smp_stamp writes o's stamp into its memory; smp_verify checks it and
 * counts a mismatch in w->failures (printing the address, the words and
 * who allocated it). smp_check_zero: __GFP_ZERO memory is zero. */
void smp_stamp(const struct obj *o);
bool smp_verify(struct worker *w, const struct obj *o, const char *where);
bool smp_check_zero(struct worker *w, const struct obj *o, const char *where);
/* Verifies o and gives it back with the function its kind needs. */
void smp_free(struct worker *w, struct obj *o, const char *where);
void smp_fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- the handoff rings (smp_handoff.c) ----
 * put: into the ring of the CPU after from (false when it is full);
 * take: out of cpu's own ring (false when it is empty). */
bool smp_handoff_put(unsigned int from, const struct obj *o);
bool smp_handoff_take(unsigned int cpu, struct obj *o);

/* ---- shrinker pools (smp_shrinker.c) ---- */
void smp_shrinker_op(struct worker *w);
void smp_shrinker_finish(struct worker *w); /* this worker's pool freed */
void smp_shrinker_global_init(void);
void smp_shrinker_global_fini(void);
unsigned long smp_shrinker_global_failures(void);

/* ---- the work (smp_ops.c, smp_irq.c) ---- */
void smp_do_op(struct worker *w, enum smp_op op);
void smp_worker_finish(struct worker *w); /* everything it holds freed */
void smp_irq_work(unsigned int cpu);
void smp_irq_finish(struct worker *w);
struct worker *smp_worker_of(unsigned int cpu);

/* A cross-CPU double free of kind "pages" or "kmalloc" in a child process:
 * true when it panicked naming a double free; msg gets its panic line. */
bool smp_doublefree_caught(const char *kind, char *msg, size_t size);

#endif
