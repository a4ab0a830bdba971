/*
 * The boot CPU's C entry from entry.asm: per-CPU block, console, GDT/IDT,
 * legacy PIC masked, then platform discovery (multiboot2, ACPI), TSC calibration and the AP
 * trampoline, and finally the core's hv_boot_main. Any failure here is
 * reported on COM1 and ends the run with the failure marker.
 */
#include <hv/boot.h>
#include <hv/console.h>
#include <hv/panic.h>
#include <lib/strerror.h>
#include <lib/string.h>
#include <x86/acpi.h>
#include <x86/cpu.h>
#include <x86/gdt.h>
#include <x86/idt.h>
#include <x86/lapic.h>
#include <x86/multiboot2.h>
#include <x86/pic8259.h>
#include <x86/smp.h>
#include <x86/tsc.h>
#include <x86/uart16550.h>

static struct platform boot_platform;
static struct x86_boot_tables boot_tables;

noreturn_fn void x86_boot_main(uint32_t magic, uint64_t mbi_phys);

noreturn_fn void x86_boot_main(uint32_t magic, uint64_t mbi_phys)
{
	struct platform *plat = &boot_platform;
	char why[96];
	int err;

	x86_cpu_init_this(0, x86_cpuid_apic_id());
	x86_uart_init();
	x86_gdt_load_this(0);
	x86_idt_load_this();
	x86_pic_mask_all();

	if (magic != MB2_BOOTLOADER_MAGIC)
		hv_panic("x86: boot magic 0x%x is not multiboot2's", magic);
	err = x86_multiboot2_parse(mbi_phys, plat, &boot_tables);
	if (err)
		hv_panic("x86: multiboot2 information at 0x%llx: %s", (unsigned long long)mbi_phys,
			 bh_strerror(err));
	if (boot_tables.ram_dropped)
		console_print("multiboot2: %u RAM ranges beyond %u ignored\n",
			      boot_tables.ram_dropped, HV_MAX_RAM_RANGES);
	if (boot_tables.modules_ignored)
		console_print("multiboot2: %u module(s) after the system image ignored\n",
			      boot_tables.modules_ignored);
	why[0] = '\0';
	err = x86_acpi_discover(&boot_tables, x86_this_cpu()->apic_id, plat, why, sizeof(why));
	if (err)
		hv_panic("x86: platform discovery failed: %s", why);

	uint64_t hz = x86_tsc_calibrate();

	console_print("tsc: %llu kHz\n", (unsigned long long)(hz / 1000));
	x86_lapic_enable_this();
	err = x86_smp_init(plat);
	if (err)
		hv_panic("x86: cannot place the AP trampoline below 1 MiB: %s", bh_strerror(err));
	hv_boot_main(plat);
}
