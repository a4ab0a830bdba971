/*
 * arm64 CPU hooks (hv/include/arch/arch_cpu.h). TPIDR_EL2 holds the logical
 * CPU number from head.S onwards; secondaries start through PSCI CPU_ON.
 */
#include <aarch64/sysreg.h>
#include <arch/arch_cpu.h>
#include <arm64/psci.h>
#include <bulkhead/errno.h>
#include <lib/format.h>

extern char secondary_entry[];

unsigned int arch_cpu_this(void)
{
	return (unsigned int)read_sysreg(tpidr_el2);
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid)
{
	int64_t ret = psci_call(PSCI_CPU_ON_64, hwid, (uintptr_t)secondary_entry, cpu);

	return psci_to_bh_error(ret);
}

int arch_cpu_enable_virt(char *why, size_t why_size)
{
	unsigned int el = current_el();

	if (el != 2) {
		format_snprintf(why, why_size, "entered at EL%u, the hypervisor needs EL2", el);
		return -BH_ENODEV;
	}
	return 0;
}

void arch_cpu_describe(char *buf, size_t size)
{
	format_snprintf(buf, size, "MPIDR 0x%llx, EL%u",
			(unsigned long long)(read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK),
			current_el());
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

noreturn_fn void arch_cpu_park(void)
{
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	/*
	 * A parked CPU never runs a cell again: silence what its last cell left
	 * armed (EL1 timers, Group-1 signalling of a direct cell's interface),
	 * or WFI would wake at once and the CPU would spin instead of halting.
	 */
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(icc_igrpen1_el1, 0);
	isb();
	for (;;)
		__asm__ volatile("wfi");
}

void arch_cpu_inject_fault(void)
{
	/* Beyond any implemented PA size (at most 52 bits): an address-size fault. */
	volatile uint64_t *outside = (volatile uint64_t *)(1ull << 60);

	(void)*outside;
}
