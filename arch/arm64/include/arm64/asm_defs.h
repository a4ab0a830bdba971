/*
 * Constants shared by the arm64 assembly and C. ARM64_MAX_CPUS must equal HV_MAX_CPUS of
 * hv/include/hv/platform.h (checked by a _Static_assert in boot.c).
 */
#ifndef ARM64_ASM_DEFS_H
#define ARM64_ASM_DEFS_H

#define HV_STACK_SIZE 16384
#define ARM64_MAX_CPUS 16

/* SCTLR_EL2 RES1 bits | SA (stack alignment check) | I (instruction cache). */
#define SCTLR_EL2_BOOT 0x30c51838

#endif
