/*
 * The cell registry: cells as the hypervisor keeps them, added once at boot
 * by the system builder (hv/system.h) from the validated binary config, never
 * resized. A cell's state moves forward (LOADED -> RUNNING -> STOPPED), except
 * that a restart (hv/cell_restart.h) goes RUNNING -> RESTARTING -> RUNNING.
 */
#ifndef HV_CELL_H
#define HV_CELL_H

#include <abi/config_check.h>
#include <bulkhead/bootinfo.h>
#include <bulkhead/config.h>
#include <hv/platform.h>

/* One limit: the validator refuses a config with more cells. */
#define HV_MAX_CELLS CONFIG_MAX_CELLS

enum cell_state {
	CELL_LOADED = 0,
	CELL_RUNNING = 1,
	CELL_STOPPED = 2,
	CELL_RESTARTING = 3, /* its CPUs are leaving or off; memory and images being reset */
};

struct cell {
	unsigned int id;
	const struct bh_config_header *config;
	const struct bh_cell *desc;
	uint64_t cpu_mask; /* logical CPUs */
	unsigned int boot_cpu; /* logical CPU that starts the cell */
	int state; /* enum cell_state, accessed atomically */
	int exit_code; /* set when it stops */
	struct bh_boot_info *boot_info; /* host view of the native boot info, or NULL */
	uint64_t boot_info_guest_phys;
	unsigned int restarts; /* completed restarts; written only while RESTARTING */
	/* A manager's restart request, not yet seen by one of the cell's CPUs: the
	 * manager's cell id + 1 (0: none); taken by exchange (cell_restart.h). */
	unsigned int restart_requested_by;
	/* Doorbell numbers rung before the cell ran (hv/doorbell.h), one bit each. */
	uint64_t latched_doorbells[4];
};

/* Adds cell `index` (the next one) of the config; NULL when out of order or full. */
struct cell *cell_add(const struct bh_config_header *config, uint32_t index);

unsigned int cell_count(void);
struct cell *cell_by_id(unsigned int id);
/* The cell that owns logical CPU `cpu`, or NULL. */
struct cell *cell_of_cpu(unsigned int cpu);
const char *cell_name(const struct cell *cell);

/* The cell's record of region/device/irq `i` (0-based within the cell). */
const struct bh_mem_region *cell_region(const struct cell *cell, uint32_t i);
const struct bh_irq *cell_irq(const struct cell *cell, uint32_t i);
const struct bh_device *cell_device(const struct cell *cell, uint32_t i);

/* Bytes of the cell's RAM regions (devices, channels and the status page excluded). */
uint64_t cell_memory_bytes(const struct cell *cell);

#endif
