/*
 * Per-CPU identity and the small CPU hooks (this, relax, park, describe,
 * inject_fault). GS base points at the CPU's struct x86_cpu from its first C
 * instructions on; logical numbers come from the platform's MADT order.
 */
#include <arch/arch_cpu.h>
#include <lib/format.h>
#include <x86/cpu.h>
#include <x86_64/msr.h>

struct x86_cpu x86_cpus[HV_MAX_CPUS];

/* Not mapped by the boot tables (they cover the first 4 GiB only): a #PF. */
#define X86_UNMAPPED_ADDRESS 0x0000008000000000ull

void x86_cpu_init_this(unsigned int index, uint32_t apic_id)
{
	struct x86_cpu *c = &x86_cpus[index];

	c->self = c;
	c->index = index;
	c->apic_id = apic_id;
	wrmsr(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)c);
}

uint32_t x86_cpuid_apic_id(void)
{
	if (cpuid(0, 0).eax >= 0xb) {
		struct cpuid_regs r = cpuid(0xb, 0);

		if (r.ebx != 0) /* leaf 0xB implemented: EDX is the x2APIC id */
			return r.edx;
	}
	return cpuid(1, 0).ebx >> 24;
}

unsigned int arch_cpu_this(void)
{
	return x86_this_cpu()->index;
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

void arch_cpu_wait_event(void)
{
	__asm__ volatile("pause" ::: "memory");
}

void arch_cpu_wake(unsigned int cpu)
{
	(void)cpu; /* waiters poll with pause: nothing to signal */
}

noreturn_fn void arch_cpu_park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

void arch_cpu_describe(char *buf, size_t size)
{
	struct x86_cpu *c = x86_this_cpu();

	if (c->vmxon_done)
		format_snprintf(
			buf, size,
			"APIC id %u, VMX EPT unrestricted-guest, VMXON ok (VMCS revision 0x%x)",
			c->apic_id, c->vmcs_revision);
	else
		format_snprintf(buf, size, "APIC id %u, VMX off", c->apic_id);
}

void arch_cpu_inject_fault(void)
{
	volatile uint64_t *p = (volatile uint64_t *)X86_UNMAPPED_ADDRESS;

	(void)*p;
}

void arch_cache_clean_range(const void *start, size_t size)
{
	/* x86 caches are coherent with every observer, including guests with paging off. */
	(void)start, (void)size;
}

void arch_cache_clean_inval_range(const void *start, size_t size)
{
	/* Nothing to discard: x86 caches never hold a stale copy of memory. */
	(void)start, (void)size;
}
