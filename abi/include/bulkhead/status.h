/*
 * The hypervisor status page: what the hypervisor publishes for a management
 * cell to read (read-only, through a BH_MEM_HV_STATUS region) without a
 * hypercall, so that EL0 tools such as bhctl in Linux need no kernel module.
 * Fixed size, page-aligned, little-endian. Each field has one writer (cell
 * records: the CPU that changes the cell's state; CPU records: that CPU) and
 * is updated with single aligned stores, so a reader may see a count one
 * behind another but never a torn value. Records beyond cell_count/cpu_count are zero.
 */
#ifndef BULKHEAD_STATUS_H
#define BULKHEAD_STATUS_H

#include <bulkhead/abi_types.h>
#include <bulkhead/stats.h>

#define BH_HV_STATUS_MAGIC 0x54534842u /* bytes "BHST" in a little-endian u32 */
#define BH_HV_STATUS_VERSION 2u /* 2: bh_cell_status.restarts */
#define BH_HV_STATUS_MAX_CELLS 8
#define BH_HV_STATUS_MAX_CPUS 16
#define BH_HV_STATUS_CELL_MAX_CPUS 16

/* bh_cell_status.state: only moves forward, except that a restart (restarts + 1)
 * takes a cell from RUNNING through LOADED back to RUNNING. */
#define BH_CELL_STATE_LOADED 0u
#define BH_CELL_STATE_RUNNING 1u
#define BH_CELL_STATE_STOPPED 2u

struct bh_cell_status {
	char name[32]; /* NUL-terminated */
	uint32_t state; /* BH_CELL_STATE_*; exit_code is valid once STOPPED */
	uint32_t flags; /* BH_CELL_* of the config (bit 0: realtime) */
	uint64_t cpu_mask; /* logical CPUs (bit n = logical CPU n) */
	uint32_t cpu_count; /* entries used in cpu_mpidr */
	int32_t exit_code; /* what the cell stopped with; 0 while it runs */
	uint64_t memory_bytes; /* RAM regions (no devices, channels or this page), bytes */
	uint64_t cpu_mpidr[BH_HV_STATUS_CELL_MAX_CPUS]; /* hardware ids; [0] is the boot CPU */
	uint32_t restarts; /* times the cell was restarted (BH_CELL_RESTART_ON_RESET) */
	uint32_t reserved0; /* 0 */
	uint64_t reserved1[7]; /* 0 */
};
BH_STATIC_ASSERT_SIZE(struct bh_cell_status, 128 + 8 * BH_HV_STATUS_CELL_MAX_CPUS);

struct bh_hv_status {
	uint32_t magic; /* BH_HV_STATUS_MAGIC once the hypervisor has filled it */
	uint32_t version; /* BH_HV_STATUS_VERSION */
	uint32_t size_bytes; /* sizeof(struct bh_hv_status) */
	uint32_t cell_count; /* records in use in cells[] */
	uint32_t cpu_count; /* logical CPUs of the machine; records in use in cpus[] */
	uint32_t reserved0; /* 0 */
	uint64_t reserved1[5]; /* 0; keeps the arrays 64-byte aligned */
	struct bh_cell_status cells[BH_HV_STATUS_MAX_CELLS];
	/* Entry counters, live: the hypervisor counts into these very records. */
	struct bh_cpu_stats cpus[BH_HV_STATUS_MAX_CPUS];
	/* Pads to a whole page: the page holds nothing else of the hypervisor's. */
	uint8_t reserved2[4096 - 64 - BH_HV_STATUS_MAX_CELLS * 256 - BH_HV_STATUS_MAX_CPUS * 88];
};
BH_STATIC_ASSERT_SIZE(struct bh_hv_status, 4096);

#endif
