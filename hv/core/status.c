/*
 * The hypervisor status page (hv/status.h). It is the one piece of hypervisor
 * memory a cell may map (read-only, by config), so it is page-aligned and
 * page-sized: nothing else of the hypervisor's shares its page. Every field is
 * written with single aligned stores; state is stored last (release) so that a
 * reader who sees STOPPED also sees the exit code. Every update is cleaned to
 * the point of coherency (status_publish): a cell may map the page with its
 * caches off, and no stage-2 attribute forcing (FEAT_S2FWB) is relied on.
 */
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <hv/cell.h>
#include <hv/status.h>
#include <lib/string.h>

_Static_assert(sizeof(struct bh_hv_status) % BH_PAGE_BYTES == 0,
	       "the status page must be whole pages");
_Static_assert(BH_HV_STATUS_MAX_CPUS >= HV_MAX_CPUS, "every CPU needs a status record");
_Static_assert(BH_HV_STATUS_MAX_CELLS >= HV_MAX_CELLS, "every cell needs a status record");
_Static_assert(BH_HV_STATUS_CELL_MAX_CPUS >= BH_CELL_MAX_CPUS, "a cell's CPUs must fit");

static struct bh_hv_status hv_status __attribute__((aligned(BH_PAGE_BYTES)));

void status_publish(const void *start, size_t size)
{
	arch_cache_clean_range(start, size);
}

void status_init(unsigned int cpu_count)
{
	/* Counters may already have moved during boot: keep them, set only the identity. */
	for (unsigned int cpu = 0; cpu < BH_HV_STATUS_MAX_CPUS; cpu++) {
		hv_status.cpus[cpu].cpu = cpu;
		hv_status.cpus[cpu].cell_id = BH_CELL_NONE;
	}
	hv_status.version = BH_HV_STATUS_VERSION;
	hv_status.size_bytes = sizeof(hv_status);
	hv_status.cpu_count = cpu_count < HV_MAX_CPUS ? cpu_count : HV_MAX_CPUS;
	__atomic_store_n(&hv_status.magic, BH_HV_STATUS_MAGIC, __ATOMIC_RELEASE);
	status_publish(&hv_status, sizeof(hv_status));
}

void status_add_cell(const struct cell *cell)
{
	struct bh_cell_status *s = &hv_status.cells[cell->id];

	strlcpy(s->name, cell_name(cell), sizeof(s->name));
	s->flags = cell->desc->flags;
	s->cpu_mask = cell->cpu_mask;
	s->cpu_count = cell->desc->cpu_count;
	for (uint32_t i = 0; i < cell->desc->cpu_count && i < BH_HV_STATUS_CELL_MAX_CPUS; i++)
		s->cpu_mpidr[i] = cell->desc->cpu_hwid[i];
	s->memory_bytes = cell_memory_bytes(cell);
	s->exit_code = 0;
	__atomic_store_n(&s->state, BH_CELL_STATE_LOADED, __ATOMIC_RELEASE);
	if (cell->id + 1 > hv_status.cell_count)
		__atomic_store_n(&hv_status.cell_count, cell->id + 1, __ATOMIC_RELEASE);
	status_publish(s, sizeof(*s));
	status_publish(&hv_status.cell_count, sizeof(hv_status.cell_count));
}

void status_set_cell_state(const struct cell *cell, uint32_t state, int exit_code)
{
	struct bh_cell_status *s = &hv_status.cells[cell->id];

	__atomic_store_n(&s->exit_code, exit_code, __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
	status_publish(s, sizeof(*s));
}

void status_set_cell_restarts(const struct cell *cell, unsigned int restarts)
{
	struct bh_cell_status *s = &hv_status.cells[cell->id];

	__atomic_store_n(&s->restarts, restarts, __ATOMIC_RELEASE);
	status_publish(&s->restarts, sizeof(s->restarts));
}

struct bh_cpu_stats *status_cpu_stats(unsigned int cpu)
{
	return cpu < HV_MAX_CPUS ? &hv_status.cpus[cpu] : NULL;
}

uint64_t status_host_phys(void)
{
	return arch_hv_phys(&hv_status);
}

uint64_t status_size_bytes(void)
{
	return sizeof(hv_status);
}
