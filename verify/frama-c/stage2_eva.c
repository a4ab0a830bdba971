/*
 * Frama-C EVA harness for the arm64 stage-2 builder (arch/arm64/stage2.c over
 * the table builder arch/arm64/pgtable.c): any CPU physical-address size, then
 * for one cell any number of mappings, each of any guest range, host range,
 * size and BH_MEM_* flags, with the page pool running out at any point.
 * Table pages are taken from a pool at absolute addresses (POOL_BASE, declared valid to EVA with
 * -absolute-valid-range), identity-addressed as on the CPU, where the hypervisor identity-maps
 * its memory; any number of its pages may already be taken by others.
 */
#include "__fc_builtin.h"
#include <arm64/mmu.h>
#include <arm64/pgtable.h>
#include <arm64/stage2.h>
#include <hv/cell.h>

#define POOL_BASE 0x100000u
#define POOL_PAGES 24u

static unsigned int pool_used;

/* As arch/arm64/mmu.c: the page pool as data, identity-addressed. */
const struct pt_pool *mmu_table_pool(void)
{
	static const struct pt_pool pool = { (uint64_t(*)[PT_ENTRIES])POOL_BASE, POOL_PAGES,
					     &pool_used, POOL_BASE };

	return &pool;
}

static unsigned int cpu_pa_bits;

/* ID_AA64MMFR0_EL1.PARange: one CPU's value, the same at every read. */
unsigned int mmu_pa_bits(void)
{
	return cpu_pa_bits;
}

int main(void)
{
	/*
	 * One cell, the last one: the id only selects the cell's table, and an
	 * interval here would merge every cell's table into one abstract value.
	 */
	unsigned int cell = HV_MAX_CELLS - 1;
	static const unsigned int pa_range[] = { 32, 36, 40, 42, 44, 48, 52 };

	pool_used = Frama_C_unsigned_int_interval(0, POOL_PAGES);
	/* Every size a CPU may report, each analysed on its own. */
	cpu_pa_bits = pa_range[Frama_C_unsigned_int_interval(0, 6)];
	/*@ split cpu_pa_bits; */

	/* Any id beyond the cells is refused before it indexes anything. */
	if (stage2_create(Frama_C_unsigned_int_interval(HV_MAX_CELLS, ~0u)) == 0)
		return 1;
	if (stage2_create(cell) != 0)
		return 0;
	while (Frama_C_nondet(0, 1)) {
		uint64_t ipa = Frama_C_unsigned_long_long_interval(0, ~0ull);
		uint64_t pa = Frama_C_unsigned_long_long_interval(0, ~0ull);
		uint64_t size = Frama_C_unsigned_long_long_interval(0, ~0ull);
		uint32_t flags = Frama_C_unsigned_int_interval(0, ~0u);

		stage2_map_region(cell, ipa, pa, size, flags);
	}
	(void)stage2_vttbr(cell);
	(void)stage2_vtcr();
	return 0;
}
