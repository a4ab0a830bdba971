/*
 * libFuzzer target: arbitrary bytes as a binary config and as a system
 * image, through the validator the hypervisor runs at boot. Any crash,
 * sanitizer report or out-of-bounds read is a bug in abi/check/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <abi/config_check.h>
#include <bulkhead/config.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* malloc gives the 8-byte alignment the validators need; the exact size keeps ASan precise.
	 */
	uint8_t *copy = malloc(size ? size : 1);
	char why[256];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	config_check(copy, size, 0, why, sizeof(why));
	config_check(copy, size, BH_ARCH_ARM64, why, sizeof(why));
	sysimage_check(copy, size, 0, why, sizeof(why));
	free(copy);
	return 0;
}
