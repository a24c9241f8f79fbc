/* SPDX-License-Identifier: MIT */
/* SRAT parsing and the topology's queries (layout and policy in numa.h). */
#include "numa.h"

#include "acpi.h"

#define PAGE_MASK 0xfffull
#define ENTRY_MIN 2

/* A parse in progress; *info is only written back when the SRAT is used. */
struct srat_walk {
	struct numa_info *info;
	boot_log_fn log;
	bool too_many_domains, mem_full, cpus_full;
};

static void one_node(struct numa_info *info)
{
	*info = (struct numa_info){ .nodes = 1 };
	for (unsigned int a = 0; a < NUMA_MAX_NODES; a++)
		for (unsigned int b = 0; b < NUMA_MAX_NODES; b++)
			info->distance[a][b] = a == b ? NUMA_LOCAL_DISTANCE :
					       NUMA_REMOTE_DISTANCE;
}

/* The node of proximity domain pd, a new one if it is first seen now, or
 * NUMA_MAX_NODES when there is no room for it. */
static unsigned int node_of_domain(struct srat_walk *w, uint32_t pd)
{
	struct numa_info *info = w->info;

	for (unsigned int n = 0; n < info->nodes; n++)
		if (info->domain[n] == pd)
			return n;
	if (info->nodes == NUMA_MAX_NODES) {
		w->too_many_domains = true;
		return NUMA_MAX_NODES;
	}
	info->domain[info->nodes] = pd;
	return info->nodes++;
}

static void add_cpu(struct srat_walk *w, uint32_t apic, uint32_t pd,
		    uint32_t off)
{
	struct numa_info *info = w->info;
	unsigned int node = node_of_domain(w, pd);

	if (node == NUMA_MAX_NODES)
		return;
	for (unsigned int i = 0; i < info->ncpus; i++)
		if (info->cpu_apic[i] == apic) {
			w->log("numa: SRAT names APIC id %u twice (again at "
			       "+%u); the first entry counts\n", apic, off);
			return;
		}
	if (info->ncpus == SMP_MAX_CPUS) {
		w->cpus_full = true;
		return;
	}
	info->cpu_apic[info->ncpus] = apic;
	info->cpu_node[info->ncpus++] = node;
}

/* Inserts m into the sorted list unless it overlaps a range already
 * there (the first wins). */
static void insert_mem(struct srat_walk *w, struct numa_mem m, uint32_t off)
{
	struct numa_info *info = w->info;
	unsigned int at = 0;

	for (unsigned int i = 0; i < info->nmem; i++) {
		const struct numa_mem *o = &info->mem[i];
		if (m.start < o->start + o->length && o->start < m.start + m.length) {
			w->log("numa: SRAT memory 0x%llx-0x%llx (entry at +%u) "
			       "overlaps 0x%llx-0x%llx listed before it; "
			       "dropped\n", (unsigned long long)m.start,
			       (unsigned long long)(m.start + m.length), off,
			       (unsigned long long)o->start,
			       (unsigned long long)(o->start + o->length));
			return;
		}
		if (o->start < m.start)
			at = i + 1;
	}
	if (info->nmem == NUMA_MAX_MEM) {
		w->mem_full = true;
		return;
	}
	for (unsigned int i = info->nmem; i > at; i--)
		info->mem[i] = info->mem[i - 1];
	info->mem[at] = m;
	info->nmem++;
}

static void add_mem(struct srat_walk *w, const uint8_t *e, uint32_t off)
{
	uint64_t base = acpi_rd64(e, 8), len = acpi_rd64(e, 16), end;
	uint32_t flags = acpi_rd32(e, 28);

	if (!(flags & SRAT_ENABLED))
		return;
	unsigned int node = node_of_domain(w, acpi_rd32(e, 2));
	if (node == NUMA_MAX_NODES || len == 0)
		return;
	if (__builtin_add_overflow(base, len, &end)) {
		w->log("numa: SRAT memory at 0x%llx (entry at +%u) of 0x%llx "
		       "bytes wraps past 2^64; dropped\n",
		       (unsigned long long)base, off, (unsigned long long)len);
		return;
	}
	/* Round inward. base + PAGE_MASK wraps only in the last page below
	 * 2^64, which holds no whole page. */
	uint64_t start = (base + PAGE_MASK) & ~PAGE_MASK;
	uint64_t stop = end & ~PAGE_MASK;
	if (start < base)
		start = stop;
	if (start != base || stop != end) {
		w->log("numa: SRAT memory 0x%llx-0x%llx (entry at +%u) is not "
		       "4 KiB aligned; %s\n", (unsigned long long)base,
		       (unsigned long long)end, off,
		       start < stop ? "rounded inward" : "dropped (no whole page)");
		if (start >= stop)
			return;
	}
	insert_mem(w, (struct numa_mem){ start, stop - start, node,
					 (flags & SRAT_HOT_PLUGGABLE) != 0 },
		   off);
}

static uint32_t needed_size(uint8_t type)
{
	switch (type) {
	case SRAT_TYPE_CPU:
		return SRAT_CPU_SIZE;
	case SRAT_TYPE_MEMORY:
		return SRAT_MEMORY_SIZE;
	case SRAT_TYPE_X2APIC:
		return SRAT_X2APIC_SIZE;
	default:
		return ENTRY_MIN;
	}
}

/* Proximity domain of a type 0 entry: bits 0..7 at +2, 8..31 at +9. */
static uint32_t cpu_entry_domain(const uint8_t *e)
{
	return (uint32_t)e[2] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
	       (uint32_t)e[11] << 24;
}

/* Walks the entries; false (logged) if the table cannot be walked. */
static bool walk_entries(struct srat_walk *w, const uint8_t *t, uint32_t len)
{
	for (uint32_t off = SRAT_HEADER_SIZE; off < len;) {
		uint8_t type = t[off];
		uint32_t size = len - off < ENTRY_MIN ? 0 : t[off + 1];
		if (size < ENTRY_MIN || size > len - off ||
		    size < needed_size(type)) {
			w->log("numa: SRAT entry at +%u (type %u) has length "
			       "%u, %s; SRAT not used\n", off, type, size,
			       size > len - off ? "past the end of the table" :
			       "too short for its type");
			return false;
		}
		const uint8_t *e = t + off;
		if (type == SRAT_TYPE_CPU && (acpi_rd32(e, 4) & SRAT_ENABLED))
			add_cpu(w, e[3], cpu_entry_domain(e), off);
		else if (type == SRAT_TYPE_X2APIC &&
			 (acpi_rd32(e, 12) & SRAT_ENABLED))
			add_cpu(w, acpi_rd32(e, 8), acpi_rd32(e, 4), off);
		else if (type == SRAT_TYPE_MEMORY)
			add_mem(w, e, off);
		off += size;
	}
	return true;
}

bool numa_parse(const uint8_t *srat, uint32_t srat_len, const uint8_t *slit,
		uint32_t slit_len, struct numa_info *out, boot_log_fn log)
{
	one_node(out);
	if (!srat) {
		if (slit)
			log("numa: a SLIT without an SRAT; ignored\n");
		return false;
	}
	uint32_t len = acpi_table_check(srat, srat_len, "SRAT",
					SRAT_HEADER_SIZE, log);
	if (!len)
		return false; /* one node: logged */
	struct numa_info *info = out;
	struct srat_walk w = { info, log, false, false, false };
	info->nodes = 0;
	if (!walk_entries(&w, srat, len)) {
		one_node(out);
		return false;
	}
	if (w.too_many_domains) {
		log("numa: SRAT has more proximity domains than the %d nodes "
		    "this kernel keeps; SRAT not used\n", NUMA_MAX_NODES);
		one_node(out);
		return false;
	}
	if (info->nodes == 0) {
		log("numa: SRAT has no enabled entry; SRAT not used\n");
		one_node(out);
		return false;
	}
	if (w.mem_full)
		log("numa: SRAT has more memory ranges than the %d kept; the "
		    "rest are on node 0\n", NUMA_MAX_MEM);
	if (w.cpus_full)
		log("numa: SRAT has more CPUs than the %d kept; the rest are "
		    "on node 0\n", SMP_MAX_CPUS);
	info->from_srat = true;
	if (slit)
		numa_apply_slit(slit, slit_len, info, log);
	return true;
}

unsigned int numa_node_of_pa(const struct numa_info *info, uint64_t pa)
{
	unsigned int lo = 0, hi = info->nmem;

	while (lo < hi) { /* the first range ending above pa */
		unsigned int mid = lo + (hi - lo) / 2;
		const struct numa_mem *m = &info->mem[mid];
		if (m->start + m->length <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < info->nmem && pa >= info->mem[lo].start)
		return info->mem[lo].node;
	return 0;
}

unsigned int numa_node_of_apic(const struct numa_info *info, uint32_t apic_id)
{
	for (unsigned int i = 0; i < info->ncpus; i++)
		if (info->cpu_apic[i] == apic_id)
			return info->cpu_node[i];
	return 0;
}

uint64_t numa_node_ram(const struct numa_info *info, unsigned int node)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < info->nmem; i++)
		if (info->mem[i].node == node && !info->mem[i].hotplug)
			sum += info->mem[i].length;
	return sum;
}
