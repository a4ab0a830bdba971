/*
 * The checker's only way to a table record: record i of a table, its index
 * tested against the table's count and its bytes against the blob's size at
 * the read. check_header has admitted each whole table already; the test at
 * the read keeps a rule that indexes past its table from reading outside the
 * blob (the config is refused instead), and lets Frama-C's EVA see that every
 * record read stays inside the blob, which its intervals cannot conclude from
 * check_table's relation between offset, count and size.
 */
#include "checker.h"

/* Returns `none`, an all-zero record, when record i is past its table. */
static const void *record_at(struct checker *c, const char *table, uint32_t offset, uint32_t count,
			     uint32_t record_size, uint32_t i, const void *none)
{
	uint64_t at = (uint64_t)offset + (uint64_t)i * record_size;

	if (i < count && at + record_size <= c->size)
		return c->blob + at;
	check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, table,
		      "checker bug: %s record %u read, but the table holds %u records of %u bytes "
		      "at 0x%x in the %u-byte blob; config refused",
		      table, i, count, record_size, offset, c->size);
	return none;
}

const struct bh_cell *cell_at(struct checker *c, uint32_t i)
{
	static const struct bh_cell none;

	return record_at(c, "cells", c->cells_offset, c->cell_count, sizeof(none), i, &none);
}

const struct bh_mem_region *region_at(struct checker *c, uint32_t r)
{
	static const struct bh_mem_region none;

	return record_at(c, "regions", c->regions_offset, c->region_count, sizeof(none), r, &none);
}

const struct bh_device *device_at(struct checker *c, uint32_t d)
{
	static const struct bh_device none;

	return record_at(c, "devices", c->devices_offset, c->device_count, sizeof(none), d, &none);
}

const struct bh_irq *irq_at(struct checker *c, uint32_t q)
{
	static const struct bh_irq none;

	return record_at(c, "irqs", c->irqs_offset, c->irq_count, sizeof(none), q, &none);
}

const struct bh_channel *channel_at(struct checker *c, uint32_t k)
{
	static const struct bh_channel none;

	return record_at(c, "channels", c->channels_offset, c->channel_count, sizeof(none), k,
			 &none);
}
