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
