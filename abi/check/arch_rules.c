/*
 * The per-architecture facts the validator needs, one record per BH_ARCH_*.
 * A new architecture adds a record here, not a condition in every rule.
 */
#include "checker.h"

static const struct check_arch_rules arch_rules[] = {
	{
		.arch = BH_ARCH_ARM64,
		.name = "arm64",
		.console_kind = BH_CONSOLE_PL011,
		.linux_boot_protocol = BH_BOOT_LINUX_ARM64,
		.linux_image_header = true,
		.linux_image_align = 2ull << 20,
		.linux_dtb_align = 8,
		.linux_dtb_max_bytes = 2ull << 20,
		.direct_reserved_what = "the GIC redistributor frames",
		.port_devices = false,
		.initrd_needs_dtb = true,
		.irq_first = BH_ARM64_FIRST_SPI,
		.irq_limit = BH_ARM64_INTID_LIMIT,
		.irq_expected = "a GIC SPI, INTID 32..1019",
		.doorbell_first = 0,
		.doorbell_limit = BH_ARM64_SGI_LIMIT,
		.doorbell_expected = "an SGI, INTID 0..15",
	},
	{
		.arch = BH_ARCH_X86_64,
		.name = "x86_64",
		.console_kind = BH_CONSOLE_8250_PORT,
		.linux_boot_protocol = BH_BOOT_LINUX_X86,
		.direct_reserved_what = "the interrupt controller's per-CPU frames",
		.port_devices = true,
		/* The x86 boot protocol passes the initrd in its boot parameters. */
		.initrd_needs_dtb = false,
		.irq_first = 0,
		.irq_limit = BH_X86_GSI_LIMIT,
		.irq_expected = "an IOAPIC GSI 0..255",
		.doorbell_first = BH_X86_FIRST_VECTOR,
		.doorbell_limit = 256,
		.doorbell_expected = "a vector 32..255",
	},
};

const struct check_arch_rules *check_arch_rules(uint32_t arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_rules); i++)
		if (arch_rules[i].arch == arch)
			return &arch_rules[i];
	return NULL;
}
