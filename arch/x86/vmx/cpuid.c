/*
 * CPUID for a cell: the CPU's own answers, with VMX and SMX hidden (a cell
 * cannot use them), the hypervisor-present bit set, and Bulkhead's leaves at
 * 0x40000000 (docs/hypervisor.md): the signature, the caller's cell id
 * and logical CPU number (the one BH_HC_CPU_STATS takes), and the TSC
 * frequency the hypervisor calibrated (a cell does not own the PIT); the
 * same frequency in leaf 0x15 where the CPU names none (vmx/cpuid_tsc.c).
 */
#include <bulkhead/stats.h>
#include <hv/stats.h>
#include <vmx/cpuid_kvm_compat.h>
#include <vmx/cpuid_tsc.h>
#include <vmx/exit.h>
#include <vmx/guest_features.h>
#include <vmx/xcr0.h>
#include <x86/tsc.h>
#include <x86_64/insn.h>

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_SMX (1u << 6)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define LEAF_HV_SIGNATURE 0x40000000u
#define LEAF_HV_CELL 0x40000001u
#define LEAF_HV_TSC 0x40000002u
#define LEAF_HV_LAST 0x400000ffu
/* "Bulkhead" and four NULs in EBX, ECX, EDX. */
#define SIGNATURE_EBX 0x6b6c7542u /* "Bulk" */
#define SIGNATURE_ECX 0x64616568u /* "head" */

static struct cpuid_regs hypervisor_leaf(const struct vmx_exit *exit, uint32_t leaf)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf == LEAF_HV_SIGNATURE) {
		r.eax = LEAF_HV_TSC;
		r.ebx = SIGNATURE_EBX;
		r.ecx = SIGNATURE_ECX;
	} else if (leaf == LEAF_HV_CELL) {
		r.eax = exit->cell->id;
		r.ebx = exit->cpu;
	} else if (leaf == LEAF_HV_TSC) {
		r.eax = (uint32_t)(x86_tsc_hz() / 1000u); /* kHz */
	}
	return r;
}

void vmx_handle_cpuid(struct vmx_exit *exit)
{
	uint64_t *g = exit->regs->r;
	uint32_t leaf = (uint32_t)g[REG_RAX];
	struct cpuid_regs r;

	stats_count_entry(exit->cpu, BH_ENTRY_SYSREG);
	if (leaf >= LEAF_HV_SIGNATURE && leaf <= LEAF_HV_LAST) {
		r = hypervisor_leaf(exit, leaf);
	} else if (cpuid_kvm_compat_leaf(exit->cell, leaf, &r)) {
		/* r is the KVM-compatible block's answer (Linux cells only) */
	} else {
		r = cpuid(leaf, (uint32_t)g[REG_RCX]);
		if (leaf == 1)
			r.ecx = (r.ecx & ~(CPUID1_ECX_VMX | CPUID1_ECX_SMX)) |
				CPUID1_ECX_HYPERVISOR;
		cpuid_tsc_adjust(leaf, &r);
		guest_features_cpuid(leaf, (uint32_t)g[REG_RCX], &r);
		xcr0_cpuid(leaf, (uint32_t)g[REG_RCX], &r);
	}
	g[REG_RAX] = r.eax;
	g[REG_RBX] = r.ebx;
	g[REG_RCX] = r.ecx;
	g[REG_RDX] = r.edx;
	vmx_skip_instruction();
}
