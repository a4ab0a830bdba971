/*
 * Instructions a cell may use only when a VM-execution control enables them
 * (INVPCID, XSAVES/XRSTORS): enabled, or hidden from CPUID, so a cell never
 * meets a #UD its CPUID promised would not come; and machine-check
 * features, which are not the cell's, hidden (vmx/guest_features.c).
 */
#ifndef VMX_GUEST_FEATURES_H
#define VMX_GUEST_FEATURES_H

#include <stdint.h>
#include <x86_64/insn.h>

/* The optional secondary processor-based controls to set, given what the CPU allows. */
uint32_t guest_features_proc2(uint32_t allowed1);

/* Hides from the CPU's answer `r` to CPUID (leaf, subleaf) what the current VMCS disables. */
void guest_features_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

#endif
