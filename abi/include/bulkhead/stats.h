/*
 * Hypervisor entry statistics: one counter per CPU and reason. Every entry
 * to the hypervisor from a cell is counted exactly once, so "zero entries on
 * a realtime CPU" (docs/design.md, I4) is a readable number, not a belief. A cell
 * that reads its counters twice sees its own second read counted once.
 */
#ifndef BULKHEAD_STATS_H
#define BULKHEAD_STATS_H

#include <bulkhead/abi_types.h>

enum {
	BH_ENTRY_HYPERCALL = 0, /* HVC with a Bulkhead function number */
	BH_ENTRY_PSCI = 1, /* PSCI through SMC or HVC */
	BH_ENTRY_STAGE2_FAULT = 2, /* access outside the cell's memory */
	BH_ENTRY_GICD = 3, /* trapped distributor access */
	BH_ENTRY_GICR = 4, /* trapped redistributor control-frame access */
	BH_ENTRY_SYSREG = 5, /* trapped system register (e.g. SGI to a foreign CPU) */
	BH_ENTRY_IRQ = 6, /* physical interrupt taken at EL2 */
	BH_ENTRY_WFX = 7, /* trapped WFI/WFE */
	BH_ENTRY_OTHER = 8, /* anything else (reported to the cell) */
	BH_ENTRY_REASONS = 9,
};

#define BH_ENTRY_REASON_NAMES \
	{ \
		"hypercall", "psci", "stage2-fault", "gicd", "gicr", "sysreg", "irq", "wfx", \
			"other" \
	}

/* Filled by BH_HC_CPU_STATS. */
struct bh_cpu_stats {
	uint32_t cpu; /* logical CPU number */
	uint32_t cell_id; /* owning cell, or BH_CELL_NONE */
	uint64_t entries_total;
	uint64_t entries[BH_ENTRY_REASONS];
};

#define BH_CELL_NONE 0xfffffffeu

BH_STATIC_ASSERT_SIZE(struct bh_cpu_stats, 8 + 8 + 8 * 9);

#endif
