/*
 * hello's x86-64 part: it must run in long mode on the boot info's first CPU
 * (APIC id), see Bulkhead's CPUID leaf name its cell, read its cell record
 * with BH_HC_CELL_INFO, and find a port it does not own reading as all ones.
 */
#include "hello_arch.h"
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>
#include <x86_64/insn.h>
#include <x86_64/io.h>
#include <x86_64/msr.h>

#define EFER_LMA (1u << 10)
/* COM2: on the platform, but given to no cell in the test systems. */
#define FOREIGN_PORT 0x2f8

/* Prints the cell record the hypervisor keeps; 0 if it matches the boot info. */
static int check_cell_info(const struct bh_boot_info *info)
{
	struct bh_cell_info ci;
	int64_t err = bh_cell_info(BH_CELL_SELF, &ci);

	if (err < 0) {
		console_printf("cell info: returned %ld (%s)\n", err, bh_hypercall_strerror(err));
		return 1;
	}
	console_printf("cell info: id %u state %u cpus %u mask 0x%lx memory 0x%lx of %u cells\n",
		       ci.cell_id, ci.state, ci.cpu_count, ci.cpu_mask, ci.memory_bytes,
		       ci.cell_count);
	return ci.cell_id == info->cell_id && ci.cpu_count == info->cpu_count ? 0 : 1;
}

int hello_check_cpu(const struct bh_boot_info *info)
{
	uint64_t efer = rdmsr(MSR_IA32_EFER);
	uint32_t cell = 0, logical = 0;
	int result = 0;

	console_printf("mode: %s (EFER 0x%lx)\n", efer & EFER_LMA ? "long" : "NOT long", efer);
	if (!(efer & EFER_LMA))
		result = 1;

	console_printf("cpus: %u\n", info->cpu_count);
	for (uint32_t i = 0; i < info->cpu_count; i++)
		console_printf("cpu %u: apic id %lu logical %u\n", i, info->cpu_mpidr[i],
			       info->cpu_logical[i]);

	uint32_t self = cpuid(1, 0).ebx >> 24;
	bool is_boot_cpu = self == info->cpu_mpidr[0];

	console_printf("apic id: %u (%s)\n", self,
		       is_boot_cpu ? "cpu 0" : "NOT cpu 0 of the boot info");
	if (!is_boot_cpu)
		result = 1;
	if (guest_cpuid_bulkhead(&cell, &logical)) {
		console_printf("cpuid: Bulkhead, cell %u, logical cpu %u\n", cell, logical);
		if (cell != info->cell_id || logical != info->cpu_logical[0])
			result = 1;
	} else {
		console_printf("cpuid: no Bulkhead leaf\n");
		result = 1;
	}
	uint8_t foreign = inb(FOREIGN_PORT);

	console_printf("port 0x%x (not mine): read 0x%x\n", FOREIGN_PORT, foreign);
	if (foreign != 0xff)
		result = 1;
	return result | check_cell_info(info);
}

void hello_print_irqchip(const struct bh_boot_info *info)
{
	(void)info; /* no interrupt controller addresses on x86 yet */
}
