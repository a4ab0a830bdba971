/*
 * ACPI tables the hypervisor reads at boot: the MADT for the CPU list and the
 * OEM id for the platform's model string.
 */
#ifndef X86_ACPI_H
#define X86_ACPI_H

#include <hv/platform.h>
#include <x86/multiboot2.h>

/*
 * Fills plat->cpu_count, plat->cpu_hwid[] (enabled LAPIC/x2APIC entries, the
 * calling CPU `boot_apic_id` first) and plat->model. Returns 0 or a negative
 * error, with the reason in `why`.
 */
int x86_acpi_discover(const struct x86_boot_tables *tables, uint32_t boot_apic_id,
		      struct platform *plat, char *why, size_t why_size);

#endif
