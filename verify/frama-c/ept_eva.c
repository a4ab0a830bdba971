/*
 * Frama-C EVA harness for the x86 EPT builder (arch/x86/vmx/ept.c): any
 * host-physical address size, then any number of mappings, each of any guest
 * range, host range, size and leaf bits (from BH_MEM_* flags or raw), with the
 * page pool running out at any point. Table pages come from a pool at absolute
 * addresses (POOL_BASE, declared valid to EVA with -absolute-valid-range), so
 * that EVA follows an entry's address as an integer.
 */
#include "__fc_builtin.h"
#include <vmx/ept.h>

#define POOL_BASE 0x100000u
#define POOL_PAGES 16u
#define LINK_OFFSET 0xff000u

static unsigned int pool_used;

/* A zeroed page, or NULL once the pool is empty. */
static uint64_t *take_page(void *ctx)
{
	(void)ctx;
	if (pool_used == POOL_PAGES)
		return NULL;
	uint64_t *page = (uint64_t *)(uintptr_t)(POOL_BASE + pool_used * EPT_PAGE_BYTES);

	pool_used++;
	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		page[i] = 0;
	return page;
}

/*
 * As in the hypervisor (cell_vmx.c), a table's physical address is not its
 * address: the pool lies LINK_OFFSET above its physical place.
 */
static uint64_t phys_of(void *ctx, const uint64_t *page)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)page - LINK_OFFSET;
}

static uint64_t *page_at(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)(phys + LINK_OFFSET);
}

static const struct ept_allocator pool = { take_page, phys_of, page_at, NULL };

int main(void)
{
	struct ept_table t;
	unsigned int host_bits = Frama_C_unsigned_int_interval(0, 64);

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
