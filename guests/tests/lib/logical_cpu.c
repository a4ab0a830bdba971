/*
 * Which hypervisor logical CPU am I? The boot info lists, for each of the
 * cell's CPUs, its MPIDR and its logical number (the one BH_HC_CPU_STATS
 * takes); a CPU finds its own entry by its MPIDR.
 */
#include <aarch64/sysreg.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>

int guest_find_own_logical_cpu(uint32_t cell_id)
{
	const struct bh_boot_info *info = guest_boot_info();
	uint64_t self;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(self));
	self &= MPIDR_AFFINITY_MASK;
	if (info->cell_id != cell_id)
		return -1;
	for (uint32_t i = 0; i < info->cpu_count && i < BH_BOOTINFO_MAX_CPUS; i++)
		if ((info->cpu_mpidr[i] & MPIDR_AFFINITY_MASK) == self)
			return (int)info->cpu_logical[i];
	return -1;
}
