/*
 * x86 cells are not implemented yet (no VMCS/EPT set-up beyond VMXON). These
 * hooks make the hypervisor refuse a system image on x86 with a clear reason
 * instead of failing to link: arch_cell_create() fails, so system_build()
 * stops the boot before any cell could run.
 */
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <bulkhead/config.h>
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <hv/panic.h>
#include <hv/system.h>

uint32_t arch_config_arch(void)
{
	return BH_ARCH_X86_64;
}

int arch_cell_create(const struct cell *cell)
{
	(void)cell;
	console_print("hv: x86 cells (VMCS, EPT) are not implemented yet\n");
	return -BH_ENOSYS;
}

int arch_cell_map(const struct cell *cell, uint64_t guest_phys, uint64_t host_phys,
		  uint64_t size_bytes, uint32_t flags)
{
	(void)cell, (void)guest_phys, (void)host_phys, (void)size_bytes, (void)flags;
	return -BH_ENOSYS;
}

int arch_cell_assign_irq(const struct cell *cell, uint32_t number, uint32_t flags)
{
	(void)cell, (void)number, (void)flags;
	return -BH_ENOSYS;
}

int arch_cell_map_irqchip(const struct cell *cell)
{
	(void)cell;
	return -BH_ENOSYS;
}

void arch_direct_reserved_range(uint64_t *base, uint64_t *size_bytes)
{
	*base = 0;
	*size_bytes = 0;
}

void arch_cell_fill_boot_info(const struct cell *cell, struct bh_boot_info *info)
{
	(void)cell, (void)info;
}

noreturn_fn void arch_cpu_enter_cell(const struct cell *cell, uint64_t entry, uint64_t arg)
{
	(void)cell, (void)entry, (void)arg;
	hv_panic("x86: entering a cell is not implemented");
}

void arch_cell_send_doorbell(const struct cell *cell, uint32_t number)
{
	(void)cell, (void)number;
}

void arch_cell_request_stop(const struct cell *cell)
{
	(void)cell;
}

void arch_cpu_wait_event(void)
{
	__asm__ volatile("pause" ::: "memory");
}

void arch_cpu_wake(unsigned int cpu)
{
	(void)cpu; /* waiters poll with pause: nothing to signal */
}
