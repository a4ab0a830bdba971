/*
 * A KVM-compatible CPUID signature block for Linux cells, with no KVM
 * features (vmx/cpuid_kvm_compat.c).
 */
#ifndef VMX_CPUID_KVM_COMPAT_H
#define VMX_CPUID_KVM_COMPAT_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/cell.h>
#include <x86_64/insn.h>

/* The answer to `leaf` for `cell` in *r when the block has one; false otherwise. */
bool cpuid_kvm_compat_leaf(const struct cell *cell, uint32_t leaf, struct cpuid_regs *r);

#endif
