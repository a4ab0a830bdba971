/*
 * The hypervisor status page (bulkhead/status.h) as the hypervisor keeps it:
 * one page-aligned static object that the entry counters live in and that
 * cells with a BH_MEM_HV_STATUS region map read-only. Written only by the
 * hypervisor; every cell record has one writer at a time (boot, then system_stop_cell).
 */
#ifndef HV_STATUS_H
#define HV_STATUS_H

#include <bulkhead/status.h>
#include <lib/types.h>

struct cell;

/* Header and CPU records; called once at boot before any cell is built. */
void status_init(unsigned int cpu_count);
/* Fills cell `cell`'s record (name, CPUs, memory); state LOADED. */
void status_add_cell(const struct cell *cell);
/* Publishes the cell's state and, once stopped, its exit code. */
void status_set_cell_state(const struct cell *cell, uint32_t state, int exit_code);
/* How often the cell has been restarted (hv/cell_restart.h). */
void status_set_cell_restarts(const struct cell *cell, unsigned int restarts);
/*
 * Makes an update of [start, +size) of the page visible to a cell that maps
 * it with its caches off (clean to the point of coherency); every writer of
 * the page calls it after its stores.
 */
void status_publish(const void *start, size_t size);
/* The live counter record of logical CPU `cpu` (stats.c counts into it), or NULL. */
struct bh_cpu_stats *status_cpu_stats(unsigned int cpu);
/* Host-physical address and size of the page(s), for arch_cell_map. */
uint64_t status_host_phys(void);
uint64_t status_size_bytes(void);

#endif
