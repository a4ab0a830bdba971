/*
 * Calls to the firmware's PSCI (conduit SMC; QEMU virt with
 * virtualization=on and real boards with TF-A both answer it at EL3).
 */
#ifndef ARM64_PSCI_H
#define ARM64_PSCI_H

#include <lib/types.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

/* Return codes (PSCI 1.1, DEN0022 5.2.2): the firmware's, not ours. */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_NOT_PRESENT (-7)
#define PSCI_DISABLED (-8)
#define PSCI_INVALID_ADDRESS (-9)

int64_t psci_call(uint64_t function, uint64_t arg0, uint64_t arg1, uint64_t arg2);

/* A PSCI return value as 0 or a negative BH_E* code (bulkhead/errno.h); unknown ones -BH_EIO. */
int psci_to_bh_error(int64_t ret);

#endif
