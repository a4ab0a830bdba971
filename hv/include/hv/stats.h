/*
 * Per-CPU hypervisor entry counters (bulkhead/stats.h). Each CPU writes only
 * its own record, so counting takes no lock and no cell waits for another.
 */
#ifndef HV_STATS_H
#define HV_STATS_H

#include <bulkhead/stats.h>
#include <lib/types.h>

void stats_count_entry(unsigned int cpu, unsigned int reason);
const struct bh_cpu_stats *stats_of_cpu(unsigned int cpu);
void stats_set_owner(unsigned int cpu, uint32_t cell_id);
/* Prints every CPU's counters, grouped by cell. */
void stats_print_all(unsigned int cpu_count);

#endif
