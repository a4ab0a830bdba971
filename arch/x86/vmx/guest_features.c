/*
 * Optional guest instructions (vmx/guest_features.h). In VMX non-root
 * operation INVPCID causes #UD unless "enable INVPCID" is set, and
 * XSAVES/XRSTORS unless "enable XSAVES/XRSTORS" is set (SDM vol. 3,
 * "Instructions That Cause VM Exits Conditionally" and the secondary
 * processor-based controls). Linux uses both when CPUID lists them: its TLB
 * flush executes INVPCID, which was a #UD panic in a Linux cell.
 * - INVPCID is enabled where the CPU allows it: it needs no exit, it flushes
 *   only the cell's own (VPID-tagged) translations.
 * - XSAVES is hidden: enabling it would make IA32_XSS the cell's to write,
 *   which the MSR allow-list does not serve; Linux then uses XSAVEC or
 *   XSAVEOPT, which need no control.
 * Also hidden: MCE and MCA (leaf 1 EDX). Machine checks are the machine's
 * and the hypervisor's; their MSRs are not served to cells, and Linux,
 * told the CPU has MCA, panics when reading IA32_MCG_STATUS faults ("MCA
 * architectural violation", seen in a Linux cell).
 */
#include <vmx/guest_features.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>

#define LEAF_FEATURES 0x1u
#define LEAF1_EDX_MCE (1u << 7)
#define LEAF1_EDX_MCA (1u << 14)
#define LEAF_EXTENDED_FEATURES 0x7u
#define LEAF7_EBX_INVPCID (1u << 10)
#define LEAF_XSAVE 0xdu
#define XSAVE_SUBLEAF_FEATURES 1u
#define XSAVE1_EAX_XSAVES (1u << 3)

uint32_t guest_features_proc2(uint32_t allowed1)
{
	return allowed1 & PROC2_ENABLE_INVPCID;
}

void guest_features_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	if (leaf == LEAF_FEATURES)
		r->edx &= ~(LEAF1_EDX_MCE | LEAF1_EDX_MCA);
	if (leaf == LEAF_EXTENDED_FEATURES && subleaf == 0 &&
	    !((uint32_t)vmread(VMCS_PROC_CONTROLS2) & PROC2_ENABLE_INVPCID))
		r->ebx &= ~LEAF7_EBX_INVPCID;
	if (leaf == LEAF_XSAVE && subleaf == XSAVE_SUBLEAF_FEATURES)
		r->eax &= ~XSAVE1_EAX_XSAVES;
}
