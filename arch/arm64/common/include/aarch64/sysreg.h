/*
 * System-register and barrier access for arm64 C code at any exception level.
 * Registers are named as the Arm ARM names them (GNU as knows the GICv3
 * ICC_ and ICH_ names too), so no raw S3_ encodings are needed.
 */
#ifndef AARCH64_SYSREG_H
#define AARCH64_SYSREG_H

#include <stdint.h>

#define read_sysreg(name) \
	({ \
		uint64_t value_; \
		__asm__ volatile("mrs %0, " #name : "=r"(value_)); \
		value_; \
	})

#define write_sysreg(name, value) \
	__asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(value)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

/* Orders this CPU's memory accesses against other CPUs'. */
static inline void dmb_ish(void)
{
	__asm__ volatile("dmb ish" : : : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

/* MPIDR_EL1 affinity fields Aff3..Aff0, as PSCI and the device tree use them. */
#define MPIDR_AFFINITY_MASK 0xff00ffffffull

/* CurrentEL holds the exception level in bits [3:2]. */
static inline unsigned int current_el(void)
{
	return (unsigned int)(read_sysreg(CurrentEL) >> 2) & 3;
}

#endif
