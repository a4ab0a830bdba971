/*
 * The checks every test-cell runtime (arm64 and x86-64) makes on the boot
 * info before trusting it: address, magic, version, size and every count.
 */
#include <guest/boot_info_check.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>

const char *guest_boot_info_problem(const struct bh_boot_info *info)
{
	if (info->magic != BH_BOOTINFO_MAGIC)
		return "bad magic";
	if (info->version != BH_BOOTINFO_VERSION)
		return "unknown version";
	if (info->size_bytes != sizeof(*info))
		return "size differs from this build's struct bh_boot_info";
	if (info->cpu_count == 0 || info->cpu_count > BH_BOOTINFO_MAX_CPUS)
		return "cpu_count out of range";
	if (info->region_count > BH_BOOTINFO_MAX_REGIONS)
		return "region_count out of range";
	if (info->channel_count > BH_BOOTINFO_MAX_CHANNELS)
		return "channel_count out of range";
	if (info->irq_count > BH_BOOTINFO_MAX_IRQS)
		return "irq_count out of range";
	return NULL;
}

const struct bh_boot_info *guest_accept_boot_info(uint64_t address)
{
	const struct bh_boot_info *info = (const struct bh_boot_info *)(uintptr_t)address;

	/* Reading an unaligned or null record would fault before we could say why. */
	if (address == 0 || (address & 7) != 0) {
		console_printf("guest: boot info address 0x%lx is null or misaligned\n", address);
		bh_cell_exit(GUEST_EXIT_BAD_BOOT_INFO);
	}
	const char *problem = guest_boot_info_problem(info);

	if (problem) {
		console_printf("guest: boot info at 0x%lx: %s (magic 0x%x version %u size %u)\n",
			       address, problem, info->magic, info->version, info->size_bytes);
		bh_cell_exit(GUEST_EXIT_BAD_BOOT_INFO);
	}
	return info;
}

bool guest_boot_info_has_address(const struct bh_boot_info *info, uint64_t address)
{
	for (uint32_t i = 0; i < info->region_count && i < BH_BOOTINFO_MAX_REGIONS; i++) {
		const struct bh_boot_region *r = &info->regions[i];

		if (address >= r->guest_phys && address - r->guest_phys < r->size_bytes)
			return true;
	}
	return false;
}
