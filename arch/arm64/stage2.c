/*
 * Stage-2 tables per cell (arm64/stage2.h). Leaf attributes come from the
 * config's BH_MEM_* flags only: normal write-back memory or device-nGnRE,
 * read/write permissions, execute-never for anything not marked EXEC.
 */
#include <arm64/mmu.h>
#include <arm64/pgtable.h>
#include <arm64/stage2.h>
#include <bulkhead/config.h>
#include <hv/cell.h>

/* Stage-2 MemAttr[5:2]: 0b1111 normal inner/outer write-back; 0b0001 device-nGnRE. */
#define S2_MEMATTR_NORMAL (0xfull << 2)
#define S2_MEMATTR_DEVICE (0x1ull << 2)
#define S2_MEMATTR_MASK (0xfull << 2)
#define S2_READ (1ull << 6)
#define S2_WRITE (1ull << 7)
#define S2_XN (1ull << 54)

/* VTCR_EL2: RES1 bit 31; walks inner-shareable write-back; 4 KiB granule. */
#define VTCR_RES1 (1ull << 31)
#define VTCR_WALK_WB ((1ull << 8) | (1ull << 10) | (3ull << 12))

static struct pt_table cell_tables[HV_MAX_CELLS];
static unsigned int ipa_bits;

static unsigned int pa_range_field(unsigned int bits)
{
	static const unsigned int sizes[] = { 32, 36, 40, 42, 44, 48 };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
		if (sizes[i] >= bits)
			return i;
	return 5;
}

int stage2_create(unsigned int cell_id)
{
	if (cell_id >= HV_MAX_CELLS)
		return -BH_EINVAL;
	/*
	 * VTCR_EL2.PS (stage2_vtcr) is set from the same size, so the output
	 * limit pt_map enforces is the one the walker applies; the config
	 * validator allows up to 48 bits, this refuses what this CPU lacks.
	 */
	ipa_bits = mmu_pa_bits() > 48 ? 48 : mmu_pa_bits();
	return pt_init(&cell_tables[cell_id], ipa_bits, ipa_bits, true, mmu_table_pool());
}

/*
 * The leaf attributes of a BH_MEM_* mapping. WP proves
 * (tests/verify/test_frama_c_wp_pgtable.py) that each flag gives exactly its
 * permission, memory type and execute-never, and that no other bit is set.
 */
/*@ assigns \nothing;
    ensures read: ((\result & S2_READ) != 0) <==> ((flags & BH_MEM_READ) != 0);
    ensures write: ((\result & S2_WRITE) != 0) <==> ((flags & BH_MEM_WRITE) != 0);
    ensures execute_never: ((\result & S2_XN) != 0) <==>
	((flags & BH_MEM_EXEC) == 0 || (flags & BH_MEM_DEVICE) != 0);
    ensures memory_type: (\result & S2_MEMATTR_MASK) ==
	((flags & BH_MEM_DEVICE) != 0 ? S2_MEMATTR_DEVICE : S2_MEMATTR_NORMAL);
    ensures shareability: (\result & PT_SH_INNER) ==
	((flags & BH_MEM_DEVICE) != 0 ? 0 : PT_SH_INNER);
    ensures access_flag: (\result & PT_AF) != 0;
    ensures nothing_else: (\result & ~(S2_READ | S2_WRITE | S2_XN | S2_MEMATTR_MASK |
					PT_SH_INNER | PT_AF)) == 0;
*/
static uint64_t leaf_attrs_of(uint32_t flags)
{
	uint64_t attrs = PT_AF;

	if (flags & BH_MEM_DEVICE)
		attrs |= S2_MEMATTR_DEVICE | S2_XN;
	else
		attrs |= S2_MEMATTR_NORMAL | PT_SH_INNER;
	if (flags & BH_MEM_READ)
		attrs |= S2_READ;
	if (flags & BH_MEM_WRITE)
		attrs |= S2_WRITE;
	if (!(flags & BH_MEM_EXEC))
		attrs |= S2_XN;
	return attrs;
}

/*@ requires created: cell_id < HV_MAX_CELLS && shaped(&cell_tables[cell_id]) &&
	labelled(&cell_tables[cell_id]); */
int stage2_map_region(unsigned int cell_id, uint64_t ipa, uint64_t pa, uint64_t size_bytes,
		      uint32_t flags)
{
	return pt_map(&cell_tables[cell_id], ipa, pa, size_bytes, leaf_attrs_of(flags));
}

uint64_t stage2_vttbr(unsigned int cell_id)
{
	/* VMID in bits [55:48]; 0 is left unused so a stray VTTBR of 0 matches no cell. */
	return (uint64_t)(cell_id + 1) << 48 | (uintptr_t)cell_tables[cell_id].root;
}

uint64_t stage2_vtcr(void)
{
	const struct pt_table *t = &cell_tables[0];
	/* SL0 for the 4 KiB granule: 0 = level 2, 1 = level 1, 2 = level 0. */
	uint64_t sl0 = 2 - t->start_level;

	return VTCR_RES1 | VTCR_WALK_WB | (uint64_t)pa_range_field(ipa_bits) << 16 | sl0 << 6 |
	       (64 - ipa_bits);
}
