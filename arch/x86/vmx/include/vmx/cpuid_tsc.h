/*
 * The TSC frequency in CPUID leaf 0x15, where Linux reads it (a cell does
 * not own the PIT or HPET it would otherwise calibrate against).
 */
#ifndef VMX_CPUID_TSC_H
#define VMX_CPUID_TSC_H

#include <stdint.h>
#include <x86_64/insn.h>

/* Adjusts the CPU's answer `r` to CPUID `leaf` (0 or 0x15; others unchanged). */
void cpuid_tsc_adjust(uint32_t leaf, struct cpuid_regs *r);

#endif
