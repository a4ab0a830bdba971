/*
 * trespass (x86-64): reads the first byte after its own memory, which its
 * EPT does not map (in tests/system/systems/x86-trespass.dts it is another
 * cell's RAM). The hypervisor must stop this cell there; reaching the line
 * after the read is a failure.
 */
#include <guest/console.h>
#include <guest/runtime.h>

int guest_main(const struct bh_boot_info *info)
{
	const struct bh_boot_region *own = &info->regions[0];
	volatile const uint8_t *beyond =
		(volatile const uint8_t *)(uintptr_t)(own->guest_phys + own->size_bytes);

	console_printf("trespass: reading 0x%lx, past my memory\n", (uint64_t)(uintptr_t)beyond);
	uint8_t value = *beyond;

	console_printf("trespass: FAILED, read 0x%x and was not stopped\n", value);
	return 1;
}
