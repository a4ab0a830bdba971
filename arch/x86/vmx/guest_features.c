/*
 * Optional guest instructions and features (vmx/guest_features.h). In VMX
 * non-root operation INVPCID causes #UD unless "enable INVPCID" is set, and
 * XSAVES/XRSTORS unless "enable XSAVES/XRSTORS" is set (SDM vol. 3,
 * "Instructions That Cause VM Exits Conditionally" and the secondary
 * processor-based controls). Linux uses both when CPUID lists them: its TLB
 * flush executes INVPCID, which was a #UD panic in a Linux cell.
 * - INVPCID is enabled where the CPU allows it: it needs no exit, it flushes
 *   only the cell's own (VPID-tagged) translations.
 * - XSAVES is hidden: enabling it would make IA32_XSS the cell's to write,
 *   which the MSR allow-list does not serve; Linux then uses XSAVEC or
 *   XSAVEOPT, which need no control.
 * Features whose MSRs are the machine's and refused (#GP) are hidden too:
 * Linux reads the MSRs of a listed feature without expecting a fault, and
 * each such read printed a call trace in a Linux cell or worse.
 * - MCE and MCA (leaf 1 EDX): machine checks are the machine's and the
 *   hypervisor's; told of MCA, Linux panicked when reading IA32_MCG_STATUS
 *   faulted ("MCA architectural violation").
 * - MTRR (leaf 1 EDX): memory types are the hypervisor's (EPT) and the
 *   cell's PAT; Linux read MTRRcap.
 * - ACPI and TM (leaf 1 EDX), thermal monitoring and clock control: Linux
 *   read IA32_THERM_INTERRUPT.
 * - Leaf 6, thermal and power management, reads as all zero: told of
 *   APERF/MPERF, Linux read both on every scheduler tick, two refused exits
 *   per tick (most of a Linux cell's entries at the time).
 * - The performance-monitoring unit: leaf 0xA reads as all zero, and PDCM
 *   (IA32_PERF_CAPABILITIES), DS, DTES64 and DS-CPL (the debug store) are
 *   hidden in leaf 1; Linux read IA32_PERF_CAPABILITIES. Counters would
 *   also be a window on what other cells do.
 * - MONITOR/MWAIT (leaf 1 ECX, and leaf 5 all zero): C-states and their
 *   MSRs are the machine's; Linux's intel_idle read
 *   MSR_PKG_CST_CONFIG_CONTROL. A cell idles with HLT, which does not exit.
 * - TSC_ADJUST (leaf 7 EBX): writing IA32_TSC_ADJUST would move the TSC the
 *   hypervisor and realtime cells time with; Linux read it at boot.
 */
#include <vmx/guest_features.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>

#define LEAF_FEATURES 0x1u
#define LEAF1_ECX_DTES64 (1u << 2)
#define LEAF1_ECX_MONITOR (1u << 3)
#define LEAF1_ECX_DS_CPL (1u << 4)
#define LEAF1_ECX_PDCM (1u << 15)
#define LEAF1_EDX_MCE (1u << 7)
#define LEAF1_EDX_MTRR (1u << 12)
#define LEAF1_EDX_MCA (1u << 14)
#define LEAF1_EDX_DS (1u << 21)
#define LEAF1_EDX_ACPI (1u << 22)
#define LEAF1_EDX_TM (1u << 29)
#define LEAF_MONITOR_MWAIT 0x5u
#define LEAF_THERMAL_POWER 0x6u
#define LEAF_EXTENDED_FEATURES 0x7u
#define LEAF_PERFORMANCE_MONITORING 0xau
#define LEAF7_EBX_TSC_ADJUST (1u << 1)
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
	if (leaf == LEAF_FEATURES) {
		r->ecx &=
			~(LEAF1_ECX_DTES64 | LEAF1_ECX_MONITOR | LEAF1_ECX_DS_CPL | LEAF1_ECX_PDCM);
		r->edx &= ~(LEAF1_EDX_MCE | LEAF1_EDX_MTRR | LEAF1_EDX_MCA | LEAF1_EDX_DS |
			    LEAF1_EDX_ACPI | LEAF1_EDX_TM);
	}
	if (leaf == LEAF_MONITOR_MWAIT || leaf == LEAF_THERMAL_POWER ||
	    leaf == LEAF_PERFORMANCE_MONITORING)
		*r = (struct cpuid_regs){ 0 };
	if (leaf == LEAF_EXTENDED_FEATURES && subleaf == 0) {
		r->ebx &= ~LEAF7_EBX_TSC_ADJUST;
		if (!((uint32_t)vmread(VMCS_PROC_CONTROLS2) & PROC2_ENABLE_INVPCID))
			r->ebx &= ~LEAF7_EBX_INVPCID;
	}
	if (leaf == LEAF_XSAVE && subleaf == XSAVE_SUBLEAF_FEATURES)
		r->eax &= ~XSAVE1_EAX_XSAVES;
}
