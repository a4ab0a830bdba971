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

#define PSCI_SUCCESS 0
#define PSCI_ALREADY_ON (-4)

int64_t psci_call(uint64_t function, uint64_t arg0, uint64_t arg1, uint64_t arg2);

#endif
