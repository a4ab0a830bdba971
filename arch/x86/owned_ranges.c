/*
 * The host-physical ranges the x86 hypervisor keeps (arch_owned_ranges):
 * no cell may be mapped over them. Limit: the MADT's IOAPIC entries are not
 * read yet, so the IOAPIC is assumed at its architectural address.
 */
#include <abi/config_check.h>
#include <arch/arch_cell.h>
#include <bulkhead/errno.h>
#include <x86/ioapic.h>
#include <x86/layout.h>
#include <x86_64/msr.h>

#define APIC_BASE_ADDRESS_MASK 0x000ffffffffff000ull
#define X86_PAGE_BYTES 0x1000ull

extern char __image_phys_start[], __image_end[];

/*
 * What the hypervisor drives or is: the local APIC page (where IA32_APIC_BASE
 * puts it), the IOAPIC at its usual address, and the image GRUB loaded
 * (boot sections at their physical address, the rest linked high).
 */
int arch_owned_ranges(struct config_owned_range *out, unsigned int max)
{
	if (max < 3)
		return -BH_E2BIG;
	out[0].base = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDRESS_MASK;
	out[0].size_bytes = X86_PAGE_BYTES;
	out[0].what = "the local APIC";
	out[1].base = X86_IOAPIC_BASE;
	out[1].size_bytes = X86_PAGE_BYTES;
	out[1].what = "the IOAPIC";
	out[2].base = (uintptr_t)__image_phys_start;
	out[2].size_bytes = x86_image_phys(__image_end) - out[2].base;
	out[2].what = "the hypervisor image";
	return 3;
}
