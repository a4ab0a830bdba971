/*
 * The system: every cell built from the validated config before any runs,
 * cells stopped, and the machine powered off when the last one stops.
 */
#ifndef HV_SYSTEM_H
#define HV_SYSTEM_H

#include <hv/cell.h>

/* Builds every cell from the validated config; panics on any failure (nothing runs yet). */
void system_build(const struct bh_config_header *config, const void *sysimage,
		  const struct platform *plat);

/* Marks the cell stopped with `exit_code`; powers off when it was the last one. */
void system_stop_cell(struct cell *cell, int exit_code);

/* Every CPU ends here after boot: enters its cell, or parks if it has none. */
noreturn_fn void system_run_cpu(unsigned int cpu);

#endif
