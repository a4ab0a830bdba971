/*
 * trespass (x86-64): reads TRESPASS_TARGET, the first byte of another cell's
 * memory in tests/system/systems/x86-trespass.dts, which its EPT does not
 * map. The hypervisor must stop this cell at that read; the line after it
 * is a failure.
 */
#include <guest/console.h>
#include <guest/runtime.h>

int guest_main(const struct bh_boot_info *info)
{
	volatile const uint8_t *target = (volatile const uint8_t *)(uintptr_t)TRESPASS_TARGET;

	console_printf("trespass: cell %u reading 0x%lx, another cell's memory\n", info->cell_id,
		       (uint64_t)(uintptr_t)target);
	uint8_t value = *target;

	console_printf("trespass: FAILED, read 0x%x and was not stopped\n", value);
	return 1;
}
