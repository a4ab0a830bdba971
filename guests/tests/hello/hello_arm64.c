/* hello's arm64 part: it must run at EL1 on the boot info's first CPU. */
#include "hello_arch.h"
#include <guest/console.h>
#include <guest/runtime.h>
#include <guest/sysreg.h>

int hello_check_cpu(const struct bh_boot_info *info)
{
	unsigned int el = current_el();
	int result = 0;

	console_printf("current el: %u\n", el);
	if (el != 1)
		result = 1;

	console_printf("cpus: %u\n", info->cpu_count);
	for (uint32_t i = 0; i < info->cpu_count; i++)
		console_printf("cpu %u: mpidr 0x%lx gicr 0x%lx\n", i, info->cpu_mpidr[i],
			       info->cpu_gicr_base[i]);

	uint64_t mpidr = read_sysreg(mpidr_el1);
	bool is_boot_cpu = mpidr_affinity(mpidr) == mpidr_affinity(info->cpu_mpidr[0]);

	console_printf("mpidr_el1: 0x%lx (%s)\n", mpidr,
		       is_boot_cpu ? "cpu 0" : "NOT cpu 0 of the boot info");
	if (!is_boot_cpu)
		result = 1;
	return result;
}

void hello_print_irqchip(const struct bh_boot_info *info)
{
	console_printf("gicd: 0x%lx\n", info->gicd_base);
}
