/*
 * Hypercall ABI: `HVC #0` with x0 = function, x1..x5 = arguments, result in
 * x0 (>= 0 success, negative BH_E* error of bulkhead/errno.h). Function
 * numbers sit in the SMCCC "vendor-specific hypervisor service" range
 * (0xC6000000), so PSCI calls made with HVC (0x84000000/0xC4000000) are told
 * apart by number alone.
 * Guest pointers are guest-physical addresses (IPAs) that must lie in the
 * caller's own memory; lengths are bounded by the limits below.
 */
#ifndef BULKHEAD_HYPERCALL_H
#define BULKHEAD_HYPERCALL_H

#include <bulkhead/abi_types.h>
#include <bulkhead/errno.h>

#define BH_HC_BASE 0xc6000000u
/* (ipa, len): writes len bytes (<= BH_CONSOLE_WRITE_MAX) to the cell's console. */
#define BH_HC_CONSOLE_WRITE (BH_HC_BASE + 1)
/* (cell_id, ipa, size): fills a struct bh_cell_info; cell_id BH_CELL_SELF = caller. */
#define BH_HC_CELL_INFO (BH_HC_BASE + 2)
/* (cpu, ipa, size): fills a struct bh_cpu_stats for logical CPU `cpu`. */
#define BH_HC_CPU_STATS (BH_HC_BASE + 3)
/*
 * (channel): rings the doorbell of the caller's channel number `channel`, in
 * the order of its boot info's channel list (Linux: /bulkhead channel nodes).
 */
#define BH_HC_DOORBELL (BH_HC_BASE + 4)
/* (): answers the management mailbox in the caller's boot info. */
#define BH_HC_MAILBOX_ACK (BH_HC_BASE + 5)
/* (code): the calling cell reports its result and stops (test cells). */
#define BH_HC_CELL_EXIT (BH_HC_BASE + 6)
/*
 * (cell_id): a management cell (BH_CELL_MANAGER) asks for the restart of
 * cell `cell_id`, which must have BH_CELL_RESTART_ON_RESET and be running.
 * Returns 0 once asked (the cell restarts at its CPUs' next entry, which the
 * call forces); -BH_EPERM if the caller is no manager or the cell cannot be
 * restarted, -BH_ENOENT for no such cell, -BH_EINVAL for the caller itself
 * (it resets with PSCI SYSTEM_RESET), -BH_EBUSY if the cell is not running.
 */
#define BH_HC_CELL_RESTART (BH_HC_BASE + 7)

#define BH_CONSOLE_WRITE_MAX 256u
#define BH_CELL_SELF 0xffffffffu

/* Filled by BH_HC_CELL_INFO. */
struct bh_cell_info {
	uint32_t cell_id;
	uint32_t state; /* 0 loaded, 1 running, 2 stopped */
	char name[32];
	uint32_t flags; /* BH_CELL_* of bulkhead/config.h */
	uint32_t cpu_count;
	uint64_t cpu_mask; /* logical CPUs (index into the hypervisor's CPU list) */
	uint64_t memory_bytes; /* RAM regions, channels excluded */
	int32_t exit_code; /* valid when stopped */
	uint32_t cell_count; /* number of cells in the system */
};

BH_STATIC_ASSERT_SIZE(struct bh_cell_info, 72);

#endif
