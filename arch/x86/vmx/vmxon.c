/*
 * VMX on one CPU: checks VMX, the secondary controls EPT and unrestricted
 * guest, EPT's 4-level walk with write-back tables, then sets CR0/CR4 to the
 * VMX fixed bits and executes VMXON on the CPU's own 4 KiB region. Limit:
 * VMXON once per CPU; nothing here leaves VMX operation again.
 */
#include <arch/arch_cpu.h>
#include <bulkhead/errno.h>
#include <lib/format.h>
#include <vmx/xcr0.h>
#include <x86/cpu.h>
#include <x86/layout.h>
#include <x86_64/msr.h>

#define CPUID1_ECX_VMX (1u << 5)
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define PROCBASED_ACTIVATE_SECONDARY (1ull << 31)
#define PROCBASED2_EPT (1ull << 1)
#define PROCBASED2_UNRESTRICTED_GUEST (1ull << 7)
#define EPT_CAP_WALK_4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define VMX_REGION_SIZE 4096

static uint8_t vmxon_regions[HV_MAX_CPUS][VMX_REGION_SIZE] __attribute__((aligned(4096)));

/* A macro, so the compiler checks each literal format against its one value. */
#define vmx_fail(why, size, err, fmt, value) \
	(format_snprintf((why), (size), fmt, (unsigned long long)(value)), (err))

int arch_cpu_enable_virt(char *why, size_t why_size)
{
	struct x86_cpu *c = x86_this_cpu();

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_VMX))
		return vmx_fail(why, why_size, -BH_ENODEV, "CPUID.1:ECX.VMX is 0 (ecx 0x%llx)",
				cpuid(1, 0).ecx);

	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		return vmx_fail(why, why_size, -BH_ENODEV,
				"IA32_FEATURE_CONTROL locked with VMX off (0x%llx)", fc);
	}

	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	uint32_t revision = basic & 0x7fffffff;
	uint32_t region_size = (basic >> 32) & 0x1fff;

	if (region_size > VMX_REGION_SIZE)
		return vmx_fail(why, why_size, -BH_ENODEV, "VMXON region of %llu bytes unsupported",
				region_size);
	if (!(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32 & PROCBASED_ACTIVATE_SECONDARY))
		return vmx_fail(why, why_size, -BH_ENODEV,
				"no secondary processor-based controls (ctls 0x%llx)",
				rdmsr(MSR_IA32_VMX_PROCBASED_CTLS));

	uint64_t ctls2_allowed1 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;

	if (!(ctls2_allowed1 & PROCBASED2_EPT))
		return vmx_fail(why, why_size, -BH_ENODEV, "no EPT (secondary allowed-1 0x%llx)",
				ctls2_allowed1);
	if (!(ctls2_allowed1 & PROCBASED2_UNRESTRICTED_GUEST))
		return vmx_fail(why, why_size, -BH_ENODEV,
				"no unrestricted guest (secondary allowed-1 0x%llx)",
				ctls2_allowed1);

	uint64_t ept_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);

	if ((ept_cap & (EPT_CAP_WALK_4 | EPT_CAP_WB)) != (EPT_CAP_WALK_4 | EPT_CAP_WB))
		return vmx_fail(why, why_size, -BH_ENODEV,
				"EPT lacks 4-level walks or write-back tables (cap 0x%llx)",
				ept_cap);

	/* SDM vol. 3 sec. 23.8: CR0/CR4 must respect the VMX fixed bits in VMX operation.
	 * OSXSAVE lets the hypervisor write its cell's XCR0 (vmx/xcr0.c). */
	write_cr0((read_cr0() | rdmsr(MSR_IA32_VMX_CR0_FIXED0)) & rdmsr(MSR_IA32_VMX_CR0_FIXED1));
	write_cr4((read_cr4() | X86_CR4_VMXE | xcr0_host_cr4_bits() |
		   rdmsr(MSR_IA32_VMX_CR4_FIXED0)) &
		  rdmsr(MSR_IA32_VMX_CR4_FIXED1));

	uint8_t *region = vmxon_regions[c->index];
	uint64_t region_phys = x86_image_phys(region);
	uint64_t rflags;

	*(volatile uint32_t *)region = revision; /* bit 31 clear: not a shadow VMCS */
	__asm__ volatile("vmxon %1\n\t"
			 "pushfq\n\t"
			 "popq %0"
			 : "=r"(rflags)
			 : "m"(region_phys)
			 : "cc", "memory");
	if (rflags & X86_RFLAGS_CF)
		return vmx_fail(why, why_size, -BH_EINVAL,
				"VMXON failed (VMfailInvalid) on region 0x%llx", region_phys);
	if (rflags & X86_RFLAGS_ZF)
		return vmx_fail(why, why_size, -BH_EINVAL,
				"VMXON failed (VMfailValid) on region 0x%llx", region_phys);
	c->vmxon_done = true;
	c->vmcs_revision = revision;
	return 0;
}
