/*
 * Validates a binary config before anyone trusts it (bhcfg on the host, the
 * hypervisor at boot). Structural checks come first and stop the walk, so
 * later rules may index every table freely. Pairwise rules are O(n^2) over
 * tables bounded by CONFIG_MAX_*; every sum is 64-bit and wrap-checked. One
 * file per table (check_*.c); per-architecture facts in arch_rules.c.
 */
#include "checker.h"
#include <lib/string.h>

int run_config_check(struct checker *c, const void *blob, size_t size)
{
	c->blob = blob;
	c->size = size > 0xffffffffu ? 0xffffffffu : (uint32_t)size;
	if (!check_header(c, blob, size))
		return c->first_error;
	check_machine_ranges(c);
	if (!check_cells_structure(c))
		return c->first_error;
	check_cell_names(c);
	for (uint32_t i = 0; i < c->cell_count; i++)
		check_cell_cpus(c, i);
	/*
	 * Regions before the boot addresses: a region that wraps or is misaligned
	 * is the mistake to report first, not the load address it then fails to hold.
	 */
	check_regions(c);
	for (uint32_t i = 0; i < c->cell_count; i++)
		check_cell_boot(c, i);
	check_devices(c);
	check_irqs(c);
	for (uint32_t k = 0; k < c->channel_count; k++)
		check_channel(c, k);
	return c->first_error;
}

int config_check_report(const void *blob, size_t size, uint32_t expected_arch,
			config_report_fn report, void *ctx)
{
	struct checker c;

	memset(&c, 0, sizeof(c));
	c.arch = expected_arch;
	c.report = report;
	c.ctx = ctx;
	return run_config_check(&c, blob, size);
}

void checker_keep_first_message(void *ctx, const struct config_problem *p)
{
	struct checker_first_message *m = ctx;

	if (m->written || !m->why || !m->why_size)
		return;
	/* By hand: the host C library of bhcfg may lack strlcpy. */
	size_t n = strnlen(p->message, m->why_size - 1);
	memcpy(m->why, p->message, n);
	m->why[n] = '\0';
	m->written = true;
}

int config_check(const void *blob, size_t size, uint32_t expected_arch, char *why, size_t why_size)
{
	struct checker_first_message m = { why, why_size, false };

	if (why && why_size)
		why[0] = '\0';
	return config_check_report(blob, size, expected_arch, checker_keep_first_message, &m);
}

/*
 * The hypervisor maps part of the platform into every realtime cell itself
 * (arm64: each of its CPUs' redistributor SGI frames, 1:1). A region of the
 * cell at those guest addresses would be mapped twice, so it is refused here,
 * on the host with the platform DTB's range and at boot with the machine's.
 */
static void check_direct_reserved(struct checker *c, uint64_t base, uint64_t size_bytes)
{
	if (!range_ok(base, size_bytes))
		return;
	for (uint32_t i = 0; i < c->cell_count; i++) {
		const struct bh_cell *cell = cell_at(c, i);

		if (!(cell->flags & BH_CELL_REALTIME))
			continue;
		for (uint32_t k = 0; k < cell->region_count; k++) {
			const struct bh_mem_region *reg = region_at(c, cell->region_first + k);

			if (ranges_overlap(reg->guest_phys, reg->size_bytes, base, size_bytes))
				check_problem(
					c, CONFIG_E_OVERLAP, CONFIG_AT_REGION,
					cell->region_first + k, "guest_phys",
					"cell \"%s\": region %u at guest [0x%llx, +0x%llx) "
					"overlaps %s [0x%llx, +0x%llx), which the hypervisor "
					"maps into a realtime cell itself",
					CELL_NAME(c, i), k, (unsigned long long)reg->guest_phys,
					(unsigned long long)reg->size_bytes,
					c->rules->direct_reserved_what, (unsigned long long)base,
					(unsigned long long)size_bytes);
		}
	}
}

/* The first owned range [base, +size) overlaps, or NULL. */
static const struct config_owned_range *owned_hit(const struct config_machine *m, uint64_t base,
						  uint64_t size)
{
	for (unsigned int o = 0; o < m->owned_count; o++) {
		const struct config_owned_range *r = &m->owned[o];

		if (range_ok(r->base, r->size_bytes) &&
		    ranges_overlap(base, size, r->base, r->size_bytes))
			return r;
	}
	return NULL;
}

/*
 * No cell may get a host range the hypervisor owns on this machine: a cell
 * that maps the GIC distributor, a redistributor or the ITS programs
 * interrupts (and, through the ITS tables, DMA) for every cell; one that maps
 * the hypervisor's image or the system image rewrites the hypervisor or the
 * config it keeps reading (cells' descriptions point into the system image).
 * bhcfg refuses these with the platform DTB, but a hand-made config with a
 * valid CRC never met bhcfg. Regions are checked whatever their flags: RAM,
 * "device" regions and channel endpoints are all mapped at host_phys.
 */
static void check_owned(struct checker *c, const struct config_machine *m)
{
	const char *tail = "which the hypervisor owns";

	for (uint32_t r = 0; r < c->region_count; r++) {
		const struct bh_mem_region *reg = region_at(c, r);
		const struct config_owned_range *hit;

		/* The status page is the hypervisor's own, mapped on purpose. */
		if (reg->flags & BH_MEM_HV_STATUS || channel_mapped_before(c, r))
			continue;
		hit = owned_hit(m, reg->host_phys, reg->size_bytes);
		if (hit)
			check_problem(c, CONFIG_E_HV_MEMORY, CONFIG_AT_REGION, r, "host_phys",
				      "%s host [0x%llx, +0x%llx) overlaps %s [0x%llx, +0x%llx), %s",
				      region_label(c, r, true).text,
				      (unsigned long long)reg->host_phys,
				      (unsigned long long)reg->size_bytes, hit->what,
				      (unsigned long long)hit->base,
				      (unsigned long long)hit->size_bytes, tail);
	}
	for (uint32_t d = 0; d < c->device_count; d++) {
		const struct bh_device *dev = device_at(c, d);
		const struct config_owned_range *hit;

		if (dev->kind != BH_DEVICE_MMIO)
			continue;
		hit = owned_hit(m, dev->base, dev->size_bytes);
		if (hit)
			check_problem(c, CONFIG_E_HV_MEMORY, CONFIG_AT_DEVICE, d, "base",
				      "cell \"%s\": device \"%s\" [0x%llx, +0x%llx) overlaps %s "
				      "[0x%llx, +0x%llx), %s",
				      CELL_NAME(c, dev->cell), show_name(dev->name).text,
				      (unsigned long long)dev->base,
				      (unsigned long long)dev->size_bytes, hit->what,
				      (unsigned long long)hit->base,
				      (unsigned long long)hit->size_bytes, tail);
	}
}

int config_check_machine(const void *blob, size_t size, const struct config_machine *machine,
			 config_report_fn report, void *ctx)
{
	struct checker c;

	memset(&c, 0, sizeof(c));
	c.report = report;
	c.ctx = ctx;
	/* Only a config that passed may be indexed freely (records, owners, ranges). */
	if (run_config_check(&c, blob, size))
		return c.first_error;
	check_direct_reserved(&c, machine->direct_reserved_base, machine->direct_reserved_size);
	check_owned(&c, machine);
	return c.first_error;
}

int config_check_machine_why(const void *blob, size_t size, const struct config_machine *machine,
			     char *why, size_t why_size)
{
	struct checker_first_message m = { why, why_size, false };

	if (why && why_size)
		why[0] = '\0';
	return config_check_machine(blob, size, machine, checker_keep_first_message, &m);
}

int config_check_direct_reserved(const void *blob, size_t size, uint64_t base, uint64_t size_bytes,
				 config_report_fn report, void *ctx)
{
	struct config_machine machine = { base, size_bytes, NULL, 0 };

	return config_check_machine(blob, size, &machine, report, ctx);
}

int config_check_direct_reserved_why(const void *blob, size_t size, uint64_t base,
				     uint64_t size_bytes, char *why, size_t why_size)
{
	struct config_machine machine = { base, size_bytes, NULL, 0 };

	return config_check_machine_why(blob, size, &machine, why, why_size);
}
