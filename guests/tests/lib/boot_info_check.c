/*
 * The checks every test-cell runtime (arm64 and x86-64) makes on the boot
 * info before trusting it: magic, version, size and every count.
 */
#include <guest/boot_info_check.h>

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
