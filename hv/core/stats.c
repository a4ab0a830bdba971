/*
 * Entry counters (hv/stats.h): one record per CPU, written only by that CPU,
 * read by anyone (a reader may see a count one behind; counts never go back).
 * The records live in the status page (hv/status.h), so a management cell
 * that maps it reads the live counts; nothing is copied. Each update is
 * cleaned to the point of coherency, for a reader with its caches off
 * (hv/status.h).
 */
#include <arch/arch_cpu.h>
#include <hv/cell.h>
#include <hv/console.h>
#include <hv/platform.h>
#include <hv/stats.h>
#include <hv/status.h>
#include <lib/format.h>

static const char *const reason_names[] = BH_ENTRY_REASON_NAMES;

void stats_count_entry(unsigned int cpu, unsigned int reason)
{
	if (cpu >= HV_MAX_CPUS || reason >= BH_ENTRY_REASONS)
		return;
	struct bh_cpu_stats *s = status_cpu_stats(cpu);

	__atomic_store_n(&s->entries[reason], s->entries[reason] + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->entries_total, s->entries_total + 1, __ATOMIC_RELAXED);
	status_publish(&s->entries[reason], sizeof(s->entries[reason]));
	status_publish(&s->entries_total, sizeof(s->entries_total));
}

const struct bh_cpu_stats *stats_of_cpu(unsigned int cpu)
{
	return status_cpu_stats(cpu);
}

void stats_set_owner(unsigned int cpu, uint32_t cell_id)
{
	struct bh_cpu_stats *s = status_cpu_stats(cpu);

	if (s) {
		s->cpu = cpu;
		__atomic_store_n(&s->cell_id, cell_id, __ATOMIC_RELAXED);
		status_publish(s, sizeof(*s));
	}
}

void stats_print_all(unsigned int cpu_count)
{
	console_print("hv: entry statistics per CPU:\n");
	for (unsigned int cpu = 0; cpu < cpu_count && cpu < HV_MAX_CPUS; cpu++) {
		const struct bh_cpu_stats *s = status_cpu_stats(cpu);
		const struct cell *cell = cell_of_cpu(cpu);
		char line[256];
		int len = 0;

		for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
			if (s->entries[r])
				len += format_snprintf(line + len, sizeof(line) - (size_t)len,
						       " %s=%llu", reason_names[r],
						       (unsigned long long)s->entries[r]);
		if (len == 0)
			line[0] = '\0';
		console_print("hv: stats cpu %u cell %s: total=%llu%s\n", cpu,
			      cell ? cell_name(cell) : "-", (unsigned long long)s->entries_total,
			      line);
	}
}
