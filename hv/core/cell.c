/*
 * The cell registry (hv/cell.h): the cells built from the config, looked up
 * by id or CPU, and their config records. It calls nothing else in the core;
 * the builder (system.c) adds cells to it once at boot.
 */
#include <hv/cell.h>

static struct cell cells[HV_MAX_CELLS];
static unsigned int cells_built;

unsigned int cell_count(void)
{
	return cells_built;
}

struct cell *cell_by_id(unsigned int id)
{
	return id < cells_built ? &cells[id] : NULL;
}

struct cell *cell_of_cpu(unsigned int cpu)
{
	for (unsigned int i = 0; i < cells_built; i++)
		if (cells[i].cpu_mask & (1ull << cpu))
			return &cells[i];
	return NULL;
}

const char *cell_name(const struct cell *cell)
{
	return cell->desc->name;
}

static const void *config_table(const struct bh_config_header *cfg, const struct bh_table *t,
				uint32_t index)
{
	return (const uint8_t *)cfg + t->offset_bytes + (size_t)index * t->record_size_bytes;
}

struct cell *cell_add(const struct bh_config_header *config, uint32_t index)
{
	if (index != cells_built || index >= HV_MAX_CELLS)
		return NULL;
	struct cell *cell = &cells[index];

	cell->id = index;
	cell->config = config;
	cell->desc = config_table(config, &config->cells, index);
	cells_built = index + 1;
	return cell;
}

const struct bh_mem_region *cell_region(const struct cell *cell, uint32_t i)
{
	return config_table(cell->config, &cell->config->regions, cell->desc->region_first + i);
}

const struct bh_irq *cell_irq(const struct cell *cell, uint32_t i)
{
	return config_table(cell->config, &cell->config->irqs, cell->desc->irq_first + i);
}

const struct bh_device *cell_device(const struct cell *cell, uint32_t i)
{
	return config_table(cell->config, &cell->config->devices, cell->desc->device_first + i);
}

uint64_t cell_memory_bytes(const struct cell *cell)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < cell->desc->region_count; i++) {
		const struct bh_mem_region *r = cell_region(cell, i);

		if (!(r->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS)))
			total += r->size_bytes;
	}
	return total;
}
