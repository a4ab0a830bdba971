/*
 * Frama-C EVA harness for the system-image path of the validator
 * (sysimage_check in abi/check/check_sysimage.c), the one the hypervisor
 * boots through: every image of up to MAX_IMAGE bytes with any content and
 * any length. MAX_IMAGE holds a header, its item table and two 4 KiB-aligned
 * items, so EVA follows the check into the items' bytes and into the config
 * item's own check. tests/verify/test_frama_c.py runs it.
 */
#include "__fc_builtin.h"
#include <abi/config_check.h>

#define MAX_IMAGE (3 * 4096)

/* 8-byte aligned, as the boot loader hands the image over. */
static uint64_t image[MAX_IMAGE / 8];

int main(void)
{
	char why[128];
	size_t size = Frama_C_size_t_interval(0, MAX_IMAGE);

	Frama_C_make_unknown((char *)image, MAX_IMAGE);
	sysimage_check(image, size, 0, why, sizeof(why));
	return 0;
}
