/*
 * Frama-C EVA harness for the config and system-image validator (abi/check/):
 * every blob of up to MAX_BLOB bytes with any content, any length, through
 * the three entry points the hypervisor and bhcfg call. EVA reports every
 * operation that may go out of bounds, overflow or read uninitialised memory
 * for some input; tests/verify/test_frama_c.py runs it and holds the list of
 * remaining alarms with their reasons.
 */
#include "__fc_builtin.h"
#include <abi/config_check.h>
#include <bulkhead/config.h>

#define MAX_BLOB 1024

/* 8-byte aligned, as the hypervisor and bhcfg hand blobs over. */
static uint64_t blob[MAX_BLOB / 8];

int main(void)
{
	char why[128];
	size_t size = Frama_C_size_t_interval(0, MAX_BLOB);

	Frama_C_make_unknown((char *)blob, MAX_BLOB);
	config_check(blob, size, 0, why, sizeof(why));
	config_check(blob, size, BH_ARCH_ARM64, why, sizeof(why));
	sysimage_check(blob, size, 0, why, sizeof(why));
	return 0;
}
