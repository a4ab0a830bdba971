/*
 * The per-architecture facts the validator needs, one record per BH_ARCH_*.
 * A new architecture adds a record here, not a condition in every rule.
 */
#include "checker.h"
#include <bulkhead/bootinfo.h>

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
		/*
		 * The hypervisor caps both its EL2 map and stage 2 at 48 bits
		 * (arch/arm64/mmu.c, stage2.c: 4 KiB granule, no 52-bit LPA,
		 * descriptors hold output bits 47:12) and uses the CPU's PARange
		 * below that: 44 bits on QEMU's cortex-a72. The builders refuse
		 * what this CPU cannot reach; this rule refuses what no arm64
		 * CPU Bulkhead runs on can, on the host and at boot alike.
		 */
		.pa_bits = 48,
		.ipa_bits = 48,
		.doorbell_expected = "an SGI, INTID 1..13 (0, 14 and 15 are Bulkhead's own)",
		/*
		 * A doorbell on one of these would be taken for the hypervisor's or
		 * the realtime kernel's own event (a virtual cell never even sees a
		 * kick), and ringing it would fake that event in the peer.
		 */
		.reserved_doorbells = {
			{ BH_ARM64_SGI_RT_RESCHED,
			  "the realtime kernel's reschedule SGI (its CPUs' own interrupt)" },
			{ BH_ARM64_SGI_HV_KICK, "the hypervisor's kick SGI for a virtual cell's CPUs" },
			{ BH_MAILBOX_DOORBELL_SGI,
			  "the mailbox doorbell SGI the hypervisor rings in a realtime cell" },
			{ BH_NONE, NULL },
		},
		.cell_reset_request = "PSCI SYSTEM_RESET",
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
		/*
		 * EPT with a 4-level walk (arch/x86/vmx/vmxon.c requires it)
		 * translates 48-bit guest-physical addresses. MAXPHYADDR is up to
		 * 52 architecturally but 46 on the server parts with VMX we aim
		 * at; bits above MAXPHYADDR in an EPT entry are reserved, so 46
		 * is the conservative host limit until the EPT builder reads
		 * CPUID 0x80000008 itself.
		 */
		.pa_bits = 46,
		.ipa_bits = 48,
		.reserved_doorbells = {
			{ BH_X86_MAILBOX_DOORBELL_VECTOR,
			  "the mailbox doorbell vector the hypervisor sends a realtime cell" },
			{ BH_NONE, NULL },
		},
		/* A cell's reset (port 0xcf9, the 8042, a triple fault) stops it; no restart yet. */
		.cell_reset_request = NULL,
		/* A cell's ACPI S5 write there is its power-off (vmx/io.c): owning them would
		 * bypass that and reach whatever the machine decodes at them. */
		.reserved_ports = { BH_X86_SLEEP_CONTROL_PORT, 2,
				    "the hypervisor's ACPI sleep control and status registers "
				    "(the FADT's S5 path)" },
	},
};

const struct check_arch_rules *check_arch_rules(uint32_t arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_rules); i++)
		if (arch_rules[i].arch == arch)
			return &arch_rules[i];
	return NULL;
}
