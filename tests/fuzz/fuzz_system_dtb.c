/*
 * libFuzzer target: arbitrary bytes as a system description DTB, through
 * bhcfg's parser, the platform rules (against QEMU virt's DTB, path in
 * BHCFG_FUZZ_PLATFORM), config emission and the shared validator.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include "bhcfg.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *platform;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *path = getenv("BHCFG_FUZZ_PLATFORM");
	if (!path || !(platform = dtb_load(path))) {
		fprintf(stderr, "fuzz_system_dtb: set BHCFG_FUZZ_PLATFORM to a platform .dtb\n");
		exit(2);
	}
	diag_quiet = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct system sys;
	void *fdt = malloc(size ? size : 1);

	memcpy(fdt, data, size);
	/* bhcfg's own gate for untrusted DTBs (files.c does the same). */
	if (dtb_validate(fdt, size) != 0) {
		free(fdt);
		return 0;
	}
	memset(&sys, 0, sizeof(sys));
	sys.file = "fuzz.dtb";
	if (system_parse(&sys, fdt)) {
		size_t config_size;

		platform_fill_console(&sys, platform);
		system_check_platform(&sys, platform, "platform.dtb", fdt);
		void *config = config_emit(&sys, &config_size);
		if (config)
			config_check_sources(&sys, config, config_size);
		free(config);
	}
	free(fdt);
	return 0;
}
