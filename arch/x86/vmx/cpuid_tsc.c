/*
 * CPUID leaf 0x15 for cells (vmx/cpuid_tsc.h). Linux's native_calibrate_tsc
 * takes the TSC frequency from leaf 0x15 (EBX/EAX times the crystal's Hz in
 * ECX) on Intel CPUs whose highest basic leaf is at least 0x15, marks it a
 * known frequency (no refinement against another clock) and sets its local
 * APIC timer period from the crystal, so it calibrates against nothing. The
 * leaf Linux's KVM-less hypervisor paths read instead (0x40000010) is only
 * used for VMware and ACRN signatures, so Bulkhead's own 0x40000002 is not
 * enough for Linux. A CPU that names its crystal keeps its own leaf; one that
 * does not (Bochs, many client parts) gets crystal = TSC at the frequency the
 * hypervisor calibrated (ratio 1/1). The LAPIC timer then counts at the TSC's
 * rate, which is what Bochs' LAPIC timer does.
 */
#include <vmx/cpuid_tsc.h>
#include <x86/tsc.h>

#define LEAF_MAX_BASIC 0x0u
#define LEAF_TSC_CRYSTAL 0x15u

void cpuid_tsc_adjust(uint32_t leaf, struct cpuid_regs *r)
{
	if (leaf == LEAF_MAX_BASIC && r->eax < LEAF_TSC_CRYSTAL) {
		r->eax = LEAF_TSC_CRYSTAL;
	} else if (leaf == LEAF_TSC_CRYSTAL && (r->eax == 0 || r->ebx == 0 || r->ecx == 0)) {
		r->eax = 1;
		r->ebx = 1;
		r->ecx = (uint32_t)x86_tsc_hz();
	}
}
