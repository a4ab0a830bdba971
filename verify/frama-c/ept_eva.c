/*
 * Frama-C EVA harness for the x86 EPT builder (arch/x86/vmx/ept.c): any
 * host-physical address size, then any number of mappings, each of any guest
 * range, host range, size and leaf bits (from BH_MEM_* flags or raw), with the
 * page pool running out at any point. The pool's pages are an array with a
 * physical base that is not their address, as in the hypervisor (cell_vmx.c).
 */
#include "__fc_builtin.h"
#include <vmx/ept.h>

#define POOL_PAGES 16u
#define PHYS_BASE 0x100000u

static uint64_t pages[POOL_PAGES][EPT_ENTRIES];
static unsigned int pool_next;

int main(void)
{
	struct ept_pool pool = { pages, POOL_PAGES, &pool_next, PHYS_BASE };
	struct ept_table t;
	unsigned int host_bits = Frama_C_unsigned_int_interval(0, 64);

	pool.count = Frama_C_unsigned_int_interval(0, POOL_PAGES); /* runs out at any point */
	if (ept_init(&t, host_bits, &pool) != 0)
		return 0;
	while (Frama_C_nondet(0, 1)) {
		uint64_t guest = Frama_C_unsigned_long_long_interval(0, ~0ull);
		uint64_t host = Frama_C_unsigned_long_long_interval(0, ~0ull);
		uint64_t size = Frama_C_unsigned_long_long_interval(0, ~0ull);
		uint64_t bits = Frama_C_nondet(0, 1)
					? ept_leaf_bits(Frama_C_unsigned_int_interval(0, ~0u))
					: Frama_C_unsigned_long_long_interval(0, ~0ull);

		ept_map(&t, guest, host, size, bits);
	}
	(void)ept_pointer(&t);
	return 0;
}
