/*
 * Why a Linux cell sees "KVMKVMKVM" at CPUID 0x40000100 (vmx/cpuid_kvm_compat.h).
 *
 * A Linux cell drives its own local APIC in x2APIC mode (vmx_cell_owns_lapic):
 * the xAPIC MMIO page cannot be given to it, since ICR writes there could not
 * be checked. Linux keeps an x2APIC the firmware enabled only when interrupt
 * remapping works in x2APIC mode or a detected hypervisor says x2APIC is
 * usable without it (x86_init.hyper.x2apic_available, try_to_enable_x2apic in
 * arch/x86/kernel/apic/apic.c); otherwise it switches the APIC back to xAPIC
 * and its first MMIO access to 0xfee00000 stopped the cell. Of the hypervisors
 * Linux detects, KVM is the one whose detection needs nothing but its
 * signature: Linux scans 0x40000000..0x4000ff00 in steps of 0x100 for
 * "KVMKVMKVM\0\0\0" and reports x2APIC available once found. Its feature
 * leaf (base + 1) is all zero here, so Linux enables no paravirtual interface
 * (no kvmclock, steal time, PV EOI, PV IPIs or async page faults) and issues
 * no KVM hypercall or MSR. Bulkhead's own leaves stay at 0x40000000.
 */
#include <vmx/cpuid_kvm_compat.h>

#define KVM_COMPAT_BASE 0x40000100u
#define KVM_COMPAT_FEATURES (KVM_COMPAT_BASE + 1)
/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX. */
#define KVM_SIGNATURE_EBX 0x4b4d564bu /* "KVMK" */
#define KVM_SIGNATURE_ECX 0x564b4d56u /* "VMKV" */
#define KVM_SIGNATURE_EDX 0x0000004du /* "M\0\0\0" */

bool cpuid_kvm_compat_leaf(const struct cell *cell, uint32_t leaf, struct cpuid_regs *r)
{
	if (cell->desc->boot_protocol != BH_BOOT_LINUX_X86 || leaf < KVM_COMPAT_BASE ||
	    leaf > KVM_COMPAT_FEATURES)
		return false;
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (leaf == KVM_COMPAT_BASE) {
		r->eax = KVM_COMPAT_FEATURES; /* the highest leaf of the block */
		r->ebx = KVM_SIGNATURE_EBX;
		r->ecx = KVM_SIGNATURE_ECX;
		r->edx = KVM_SIGNATURE_EDX;
	}
	return true;
}
