/*
 * The realtime kernel's stage-1 table builder (mmu.h), on the shared VMSAv8
 * builder (arch/arm64/pgtable.c). No system register is touched here: boot.c
 * collects the ranges and head.S switches the MMU on.
 */
#include "mmu.h"

#define PAGE PT_PAGE_BYTES

static uint64_t attrs_of(enum rt_mmu_kind kind)
{
	switch (kind) {
	case RT_MMU_RAM:
		return RT_S1_DATA;
	case RT_MMU_RAM_RO:
		return RT_S1_RODATA;
	case RT_MMU_SHARED:
		return RT_S1_SHARED;
	case RT_MMU_SHARED_RO:
		return RT_S1_SHARED_RO;
	case RT_MMU_DEVICE:
	default:
		return RT_S1_DEVICE;
	}
}

static bool mapped(const struct pt_table *t, uint64_t va)
{
	uint64_t pa, attrs;
	unsigned int level;

	return pt_translate(t, va, &pa, &attrs, &level) == 0;
}

/* Maps the pages of [base, end) that nothing maps yet, in maximal runs. */
static int map_gaps(struct pt_table *t, uint64_t base, uint64_t end, uint64_t attrs)
{
	uint64_t va = base;

	while (va < end) {
		if (mapped(t, va)) {
			va += PAGE;
			continue;
		}
		uint64_t run = va;

		while (run < end && !mapped(t, run))
			run += PAGE;
		int err = pt_map(t, va, va, run - va, attrs);

		if (err)
			return err;
		va = run;
	}
	return 0;
}

int rt_mmu_build(struct pt_table *t, unsigned int pa_bits, const struct pt_pool *pool,
		 const struct rt_mmu_image *image, const struct rt_mmu_range *ranges,
		 unsigned int count)
{
	const struct {
		uint64_t from, to, attrs;
	} parts[] = {
		{ image->start, image->text_end, RT_S1_TEXT },
		{ image->text_end, image->rodata_end, RT_S1_RODATA },
		{ image->rodata_end, image->end, RT_S1_DATA },
	};
	int err = pt_init(t, RT_MMU_VA_BITS, pa_bits, false, pool);

	if (err)
		return err;
	for (unsigned int i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].from % PAGE || parts[i].to % PAGE || parts[i].to < parts[i].from)
			return -BH_EINVAL;
		if (parts[i].to > parts[i].from) {
			err = pt_map(t, parts[i].from, parts[i].from, parts[i].to - parts[i].from,
				     parts[i].attrs);
			if (err)
				return err;
		}
	}
	for (unsigned int i = 0; i < count; i++) {
		uint64_t base = ranges[i].base & ~(PAGE - 1);
		uint64_t end = ranges[i].base + ranges[i].size;

		if (ranges[i].size == 0)
			continue;
		if (end < ranges[i].base || end > UINT64_MAX - PAGE)
			return -BH_ERANGE;
		end = (end + PAGE - 1) & ~(PAGE - 1);
		err = map_gaps(t, base, end, attrs_of(ranges[i].kind));
		if (err)
			return err;
	}
	return 0;
}

uint64_t rt_mmu_tcr(unsigned int pa_range_field)
{
	const uint64_t irgn0_wb = 1ull << 8, orgn0_wb = 1ull << 10, sh0_inner = 3ull << 12;
	const uint64_t epd1 = 1ull << 23; /* TG0 = 0: 4 KiB granule */

	return (64 - RT_MMU_VA_BITS) | irgn0_wb | orgn0_wb | sh0_inner | epd1 |
	       (uint64_t)(pa_range_field > 5 ? 5 : pa_range_field) << 32;
}
