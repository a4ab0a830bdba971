/*
 * PSCI 1.1 for cells (SMC trapped by HCR_EL2.TSC, or HVC). A cell controls
 * only its own CPUs: CPU_ON/AFFINITY_INFO on another cell's CPU get DENIED,
 * on an MPIDR no CPU has INVALID_PARAMETERS. SYSTEM_OFF and SYSTEM_RESET stop
 * the calling cell only (a reset is a stop in this version: the cell is not
 * reloaded); the machine powers off when every cell has stopped.
 */
#include <aarch64/sysreg.h>
#include <arm64/guest.h>
#include <arm64/psci.h>
#include <hv/cell_restart.h>
#include <hv/cpu_map.h>
#include <hv/cpu_power.h>
#include <hv/system.h>

#define PSCI_FN_VERSION 0x84000000u
#define PSCI_FN_CPU_SUSPEND 0x84000001u
#define PSCI_FN_CPU_OFF 0x84000002u
#define PSCI_FN_CPU_ON 0x84000003u
#define PSCI_FN_AFFINITY_INFO 0x84000004u
#define PSCI_FN_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_FN_SYSTEM_OFF 0x84000008u
#define PSCI_FN_SYSTEM_RESET 0x84000009u
#define PSCI_FN_FEATURES 0x8400000au
#define PSCI_64BIT 0x40000000u

#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)

#define PSCI_VERSION_1_1 0x00010001
#define MIGRATE_INFO_NO_TRUSTED_OS 2
#define AFFINITY_ON 0
#define AFFINITY_OFF 1
#define AFFINITY_ON_PENDING 2

bool psci_is_function(uint64_t function)
{
	return (function & ~(uint64_t)PSCI_64BIT & 0xffffffe0u) == 0x84000000u;
}

/* The logical CPU for `mpidr` if it is one of the cell's, or a PSCI error. */
static int own_cpu(const struct cell *cell, uint64_t mpidr)
{
	int cpu = cpu_map_cpu_of_hwid(mpidr & MPIDR_AFFINITY_MASK);

	if (cpu < 0)
		return PSCI_RET_INVALID_PARAMETERS;
	if (!(cell->cpu_mask & (1ull << cpu)))
		return PSCI_RET_DENIED;
	return cpu;
}

static int64_t cpu_on(struct cell *cell, uint64_t mpidr, uint64_t entry, uint64_t context)
{
	int cpu = own_cpu(cell, mpidr);

	if (cpu < 0)
		return cpu;
	switch (cpu_power_state((unsigned int)cpu)) {
	case CPU_POWER_ON:
		return PSCI_RET_ALREADY_ON;
	case CPU_POWER_ON_PENDING:
		return PSCI_RET_ON_PENDING;
	}
	return cpu_power_request_on((unsigned int)cpu, entry, context) == 0 ? 0
									    : PSCI_RET_ALREADY_ON;
}

static int64_t affinity_info(struct cell *cell, uint64_t mpidr, uint64_t level)
{
	int cpu = own_cpu(cell, mpidr);

	if (level != 0)
		return PSCI_RET_INVALID_PARAMETERS;
	if (cpu < 0)
		return cpu == PSCI_RET_DENIED ? PSCI_RET_INVALID_PARAMETERS : cpu;
	switch (cpu_power_state((unsigned int)cpu)) {
	case CPU_POWER_ON:
		return AFFINITY_ON;
	case CPU_POWER_ON_PENDING:
		return AFFINITY_ON_PENDING;
	default:
		return AFFINITY_OFF;
	}
}

static int64_t features(uint64_t function)
{
	switch (function & ~(uint64_t)PSCI_64BIT) {
	case PSCI_FN_VERSION:
	case PSCI_FN_CPU_SUSPEND:
	case PSCI_FN_CPU_OFF:
	case PSCI_FN_CPU_ON:
	case PSCI_FN_AFFINITY_INFO:
	case PSCI_FN_MIGRATE_INFO_TYPE:
	case PSCI_FN_SYSTEM_OFF:
	case PSCI_FN_SYSTEM_RESET:
	case PSCI_FN_FEATURES:
		return 0;
	default:
		return PSCI_RET_NOT_SUPPORTED;
	}
}

int64_t psci_emulate(struct cell *cell, unsigned int cpu, uint64_t function, const uint64_t args[3])
{
	switch (function & ~(uint64_t)PSCI_64BIT) {
	case PSCI_FN_VERSION:
		return PSCI_VERSION_1_1;
	case PSCI_FN_CPU_SUSPEND:
		/* Standby only: wait for an interrupt, then resume where the cell was. */
		__asm__ volatile("wfi" ::: "memory");
		return 0;
	case PSCI_FN_CPU_OFF:
		cpu_power_off_self(cpu);
	case PSCI_FN_CPU_ON:
		return cpu_on(cell, args[0], args[1], args[2]);
	case PSCI_FN_AFFINITY_INFO:
		return affinity_info(cell, args[0], args[1]);
	case PSCI_FN_MIGRATE_INFO_TYPE:
		return MIGRATE_INFO_NO_TRUSTED_OS;
	case PSCI_FN_SYSTEM_RESET:
		if (cell->desc->flags & BH_CELL_RESTART_ON_RESET)
			cell_restart(cell, cpu);
		system_stop_cell(cell, 0);
		return 0;
	case PSCI_FN_SYSTEM_OFF:
		system_stop_cell(cell, 0);
		return 0;
	case PSCI_FN_FEATURES:
		return features(args[0]);
	default:
		return PSCI_RET_NOT_SUPPORTED;
	}
}
