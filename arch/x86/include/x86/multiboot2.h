/*
 * What the x86 boot path takes from the multiboot2 information: the command
 * line, the available RAM ranges, GRUB's copy of the ACPI RSDP and the first
 * module (`module2` in grub.cfg), which is the system image.
 */
#ifndef X86_MULTIBOOT2_H
#define X86_MULTIBOOT2_H

#include <hv/platform.h>
#include <lib/types.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define X86_RSDP_MAX 36 /* ACPI 2.0+ RSDP length */

struct x86_boot_tables {
	uint8_t rsdp[X86_RSDP_MAX]; /* copy; valid when rsdp_len > 0 */
	unsigned int rsdp_len;
	unsigned int ram_dropped; /* available ranges beyond HV_MAX_RAM_RANGES */
	unsigned int modules_ignored; /* modules after the first (the system image) */
};

/*
 * Fills plat->cmdline, plat->ram and plat->sysimage_* from the information
 * at `mbi_phys`, and copies the RSDP into `tables`. Returns 0 or -BH_EINVAL (malformed info).
 */
int x86_multiboot2_parse(uint64_t mbi_phys, struct platform *plat, struct x86_boot_tables *tables);

#endif
