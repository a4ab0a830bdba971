/*
 * Text forms of the hypervisor status page (bhctl.h): `bhctl cells` and
 * `bhctl stats`. Pure functions of a snapshot; column widths are fixed so
 * scripts and tests may match whole lines. Limit: names wider than their
 * column shift the rest of that line.
 */
#include <stdlib.h>
#include <string.h>

#include "bhctl.h"

static const char *const reason_names[BH_ENTRY_REASONS] = BH_ENTRY_REASON_NAMES;

const char *bhctl_state_name(uint32_t state)
{
	switch (state) {
	case BH_CELL_STATE_LOADED:
		return "loaded";
	case BH_CELL_STATE_RUNNING:
		return "running";
	case BH_CELL_STATE_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

/* "0-1,3": the set bits of a logical CPU mask as ranges. */
static void cpu_list(uint64_t mask, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned int cpu = 0; cpu < 64 && len < size; cpu++) {
		if (!(mask & (1ull << cpu)))
			continue;
		unsigned int last = cpu;

		while (last + 1 < 64 && (mask & (1ull << (last + 1))))
			last++;
		if (last == cpu)
			len += (size_t)snprintf(out + len, size - len, "%s%u", len ? "," : "", cpu);
		else
			len += (size_t)snprintf(out + len, size - len, "%s%u-%u", len ? "," : "",
						cpu, last);
		cpu = last;
	}
	if (!out[0])
		snprintf(out, size, "-");
}

/* Exact sizes in the largest binary unit that divides them. */
static void size_text(uint64_t bytes, char *out, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, size, "%llu %s", (unsigned long long)bytes, units[u]);
}

void bhctl_print_cells(FILE *out, const struct bh_hv_status *st)
{
	fprintf(out, "%-3s %-16s %-8s %-12s %10s  %-9s %-5s %s\n", "id", "name", "state", "cpus",
		"memory", "flags", "exit", "restarts");
	for (uint32_t i = 0; i < st->cell_count && i < BH_HV_STATUS_MAX_CELLS; i++) {
		const struct bh_cell_status *c = &st->cells[i];
		char cpus[64], memory[32], exit_code[16];

		cpu_list(c->cpu_mask, cpus, sizeof(cpus));
		size_text(c->memory_bytes, memory, sizeof(memory));
		if (c->state == BH_CELL_STATE_STOPPED)
			snprintf(exit_code, sizeof(exit_code), "%d", c->exit_code);
		else
			snprintf(exit_code, sizeof(exit_code), "-");
		fprintf(out, "%-3u %-16s %-8s %-12s %10s  %-9s %-5s %u\n", i, c->name,
			bhctl_state_name(c->state), cpus, memory, c->flags & 1u ? "realtime" : "-",
			exit_code, c->restarts);
	}
}

static int reason_width(unsigned int r)
{
	int len = (int)strlen(reason_names[r]);

	return len < 10 ? 10 : len;
}

/* The cell index `name` selects (a name or a decimal id), or -1. */
static int find_cell(const struct bh_hv_status *st, const char *name)
{
	char *end;
	unsigned long id = strtoul(name, &end, 10);

	for (uint32_t i = 0; i < st->cell_count; i++)
		if (!strcmp(st->cells[i].name, name))
			return (int)i;
	if (*name && !*end && id < st->cell_count)
		return (int)id;
	return -1;
}

bool bhctl_print_stats(FILE *out, const struct bh_hv_status *st, const char *cell, char *why,
		       size_t why_size)
{
	int only = -1;

	if (cell) {
		only = find_cell(st, cell);
		if (only < 0) {
			size_t len =
				(size_t)snprintf(why, why_size, "no cell \"%s\"; cells:", cell);

			for (uint32_t i = 0; i < st->cell_count && len < why_size; i++)
				len += (size_t)snprintf(why + len, why_size - len, " %u \"%s\"", i,
							st->cells[i].name);
			return false;
		}
	}
	fprintf(out, "%-3s %-16s %12s", "cpu", "cell", "total");
	for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
		fprintf(out, " %*s", reason_width(r), reason_names[r]);
	fprintf(out, "\n");
	for (uint32_t cpu = 0; cpu < st->cpu_count && cpu < BH_HV_STATUS_MAX_CPUS; cpu++) {
		const struct bh_cpu_stats *s = &st->cpus[cpu];
		const char *owner = s->cell_id < st->cell_count ? st->cells[s->cell_id].name : "-";

		if (only >= 0 && s->cell_id != (uint32_t)only)
			continue;
		fprintf(out, "%-3u %-16s %12llu", cpu, owner, (unsigned long long)s->entries_total);
		for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
			fprintf(out, " %*llu", reason_width(r), (unsigned long long)s->entries[r]);
		fprintf(out, "\n");
	}
	return true;
}
