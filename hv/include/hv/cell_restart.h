/*
 * Restarting a cell from its images while the others run on
 * (BH_CELL_RESTART_ON_RESET): what PSCI SYSTEM_RESET does for such a cell.
 */
#ifndef HV_CELL_RESTART_H
#define HV_CELL_RESTART_H

#include <hv/cell.h>

/* Keeps the system image the cells are loaded from (every restart reloads from it). */
void cell_restart_init(const void *sysimage);

/*
 * Called by CPU `cpu` of `cell` (a virtual-mode cell with the flag) that asked
 * for a reset. Never returns: this CPU enters the cell's next run, or goes off.
 * If a stop or another restart is already under way, this CPU just leaves.
 */
noreturn_fn void cell_restart(struct cell *cell, unsigned int cpu);

/*
 * BH_HC_CELL_RESTART from `manager`: checks the request, records it in the
 * target and kicks the target's CPUs. The manager's CPU takes no part in the
 * restart; the first of the target's CPUs to enter the hypervisor runs it.
 */
int64_t cell_restart_request(const struct cell *manager, uint64_t target_id);

/* At every entry of a virtual-mode cell's CPU: restarts the cell if a manager asked. */
void cell_restart_if_requested(struct cell *cell, unsigned int cpu);

#endif
