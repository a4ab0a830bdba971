/*
 * PSCI through SMC #0, as the hypervisor emulates it for a cell's own CPUs.
 * Results are PSCI's: 0 success, negative errors below.
 */
#ifndef GUEST_PSCI_H
#define GUEST_PSCI_H

#include <stdint.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_SYSTEM_OFF 0x84000008u

#define PSCI_SUCCESS 0
#define PSCI_E_NOT_SUPPORTED (-1)
#define PSCI_E_INVALID_PARAMETERS (-2)
#define PSCI_E_DENIED (-3)
#define PSCI_E_ALREADY_ON (-4)
#define PSCI_E_ON_PENDING (-5)
#define PSCI_E_INTERNAL_FAILURE (-6)
#define PSCI_E_INVALID_ADDRESS (-9)

/* AFFINITY_INFO results */
#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2

/* SMC #0 with x0 = function, x1..x3 = args; returns x0 (hvc.S). */
int64_t psci_call(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3);

static inline int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return psci_call(PSCI_CPU_ON, mpidr, entry, context);
}

static inline int64_t psci_affinity_info(uint64_t mpidr)
{
	return psci_call(PSCI_AFFINITY_INFO, mpidr, 0, 0);
}

static inline int64_t psci_version(void)
{
	return psci_call(PSCI_VERSION, 0, 0, 0);
}

#endif
