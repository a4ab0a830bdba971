/*
 * What the hypervisor learns about the machine at boot, from the firmware's
 * description (device tree on arm64, multiboot2 + ACPI on x86). Nothing about
 * CPUs or RAM is a compile-time constant; only the table sizes below are.
 */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include <lib/types.h>

#define HV_MAX_CPUS 16
#define HV_MAX_RAM_RANGES 8
#define HV_CMDLINE_MAX 256

struct ram_range {
	uint64_t base;
	uint64_t size_bytes;
};

struct platform {
	/* Model string from the firmware, e.g. "linux,dummy-virt". */
	char model[64];
	/* Logical CPU n is the n-th CPU the firmware lists; 0 is the boot CPU. */
	unsigned int cpu_count;
	/* Hardware id per logical CPU: MPIDR affinity on arm64, APIC id on x86. */
	uint64_t cpu_hwid[HV_MAX_CPUS];
	unsigned int ram_count;
	struct ram_range ram[HV_MAX_RAM_RANGES];
	/* Boot command line (DTB /chosen/bootargs or multiboot2 command line). */
	char cmdline[HV_CMDLINE_MAX];
	/*
	 * The system image the boot loader handed over (arm64: the initrd range of
	 * /chosen; x86: the multiboot2 module), or size 0 when there is none.
	 */
	uint64_t sysimage_base;
	uint64_t sysimage_size_bytes;
};

#endif
