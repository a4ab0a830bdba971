/*
 * x86 cells are not implemented yet (no VMCS/EPT set-up beyond VMXON). These
 * hooks make the hypervisor refuse a system image on x86 with a clear reason
 * instead of failing to link: arch_cell_create() fails, so system_build()
 * stops the boot before any cell could run.
 */
#include <abi/config_check.h>
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <bulkhead/config.h>
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <hv/panic.h>
#include <hv/system.h>
#include <x86/layout.h>
#include <x86_64/msr.h>

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

/* Architectural defaults: the MADT's IOAPIC entries are not read yet. */
#define IOAPIC_DEFAULT_BASE 0xfec00000ull
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
	out[1].base = IOAPIC_DEFAULT_BASE;
	out[1].size_bytes = X86_PAGE_BYTES;
	out[1].what = "the IOAPIC";
	out[2].base = (uintptr_t)__image_phys_start;
	out[2].size_bytes = x86_image_phys(__image_end) - out[2].base;
	out[2].what = "the hypervisor image";
	return 3;
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
