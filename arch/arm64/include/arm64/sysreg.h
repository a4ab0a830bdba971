/*
 * System register access for the arm64 port. Names follow the Arm ARM;
 * the values read are whatever the CPU reports, nothing is cached.
 */
#ifndef ARM64_SYSREG_H
#define ARM64_SYSREG_H

#include <lib/types.h>

#define read_sysreg(name)                                                                  \
	({                                                                                 \
		uint64_t value_;                                                           \
		__asm__ volatile("mrs %0, " #name : "=r"(value_));                         \
		value_;                                                                    \
	})

#define write_sysreg(name, value)                                                          \
	__asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(value)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

/* MPIDR_EL1 affinity fields Aff3..Aff0, as PSCI and the device tree use them. */
#define MPIDR_AFFINITY_MASK 0xff00ffffffull

#endif
