/*
 * libFuzzer target: arbitrary bytes as a binary config and as a system
 * image, through the validator the hypervisor runs at boot. Any crash,
 * sanitizer report or out-of-bounds read is a bug in abi/check/, and so is a
 * rule asking for a record past its table: abi/check/records.c turns that
 * read into a "checker bug" problem (a zero record, the config refused), which
 * a sanitizer no longer sees, so it aborts here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <abi/config_check.h>
#include <bulkhead/config.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void abort_on_checker_bug(void *ctx, const struct config_problem *p)
{
	(void)ctx;
	if (!strncmp(p->message, "checker bug", strlen("checker bug")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* malloc gives the 8-byte alignment the validators need; the exact size keeps ASan precise.
	 */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	config_check_report(copy, size, 0, abort_on_checker_bug, NULL);
	config_check_report(copy, size, BH_ARCH_ARM64, abort_on_checker_bug, NULL);
	sysimage_check_report(copy, size, 0, abort_on_checker_bug, NULL);
	free(copy);
	return 0;
}
