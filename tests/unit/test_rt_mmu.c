/*
 * The realtime kernel's stage-1 tables (rtcell/arch/arm64/mmu.c), built on
 * the host for a cell's and a bare machine's ranges and walked descriptor by
 * descriptor: RAM Normal write-back inner-shareable, channels and the
 * status page Normal non-cacheable, MMIO Device-nGnRnE,
 * everything but the image's text never executable, the text read-only and
 * executable, and nothing mapped that was not asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmu.h"

#define POOL_PAGES 64
#define PAGE 0x1000ull
#define MAX_LEAVES 4096

static uint64_t (*pages)[PT_ENTRIES];
static unsigned int used;

static struct pt_pool pool = { .count = POOL_PAGES, .next = &used };

struct leaf {
	uint64_t va, size, attrs;
	unsigned int level;
};

static struct leaf leaves[MAX_LEAVES];
static unsigned int leaf_count;

static void walk(const uint64_t *table, unsigned int level, uint64_t base)
{
	unsigned int shift = 12 + 9 * (3 - level);

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t d = table[i];
		uint64_t va = base + ((uint64_t)i << shift);

		if (!(d & PT_VALID))
			continue;
		if (level < 3 && (d & PT_TABLE_OR_PAGE)) {
			walk((const uint64_t *)(uintptr_t)(d & PT_ADDR_MASK), level + 1, va);
			continue;
		}
		assert_true(level == 3 ? (d & PT_TABLE_OR_PAGE) != 0 : level >= 1);
		assert_int_equal(d & PT_ADDR_MASK & ((1ull << shift) - 1), 0);
		assert_int_equal(d & PT_ADDR_MASK, va); /* identity */
		assert_true(leaf_count < MAX_LEAVES);
		leaves[leaf_count++] =
			(struct leaf){ va, 1ull << shift,
				       d & ~(PT_ADDR_MASK | PT_VALID | PT_TABLE_OR_PAGE), level };
	}
}

static void walk_all(const struct pt_table *t)
{
	leaf_count = 0;
	assert_int_equal(t->start_level, 1); /* 39 bits: one level-1 root */
	walk(t->root, t->start_level, 0);
}

static int setup(void **state)
{
	(void)state;
	pages = aligned_alloc(PT_PAGE_BYTES, POOL_PAGES * PT_PAGE_BYTES);
	if (!pages)
		return -1;
	used = 0;
	pool.pages = pages;
	pool.phys_base = (uintptr_t)pages; /* the host stands in for an identity map */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pages);
	return 0;
}

/* The default layout's realtime cell: image at 0x70000000 in 64 MiB of RAM. */
static const struct rt_mmu_image image = { 0x70000000, 0x70008000, 0x70009000, 0x700ea000 };

/* What a page must be: its expected attributes, or 0 for "not mapped". */
struct expect {
	uint64_t from, to, attrs;
};

static uint64_t expected_at(const struct expect *e, unsigned int n, uint64_t va)
{
	for (unsigned int i = 0; i < n; i++)
		if (va >= e[i].from && va < e[i].to)
			return e[i].attrs;
	return 0;
}

/*
 * Every leaf's every page has the attributes `e` gives it (first match), no
 * leaf covers a page `e` does not name, and every page `e` names is mapped.
 */
static void check_against(const struct pt_table *t, const struct expect *e, unsigned int n)
{
	uint64_t mapped_bytes = 0, wanted_bytes = 0;

	walk_all(t);
	for (unsigned int i = 0; i < leaf_count; i++) {
		for (uint64_t va = leaves[i].va; va < leaves[i].va + leaves[i].size; va += PAGE) {
			uint64_t want = expected_at(e, n, va);

			if (want != leaves[i].attrs)
				fail_msg("page 0x%llx: attributes 0x%llx, expected 0x%llx",
					 (unsigned long long)va,
					 (unsigned long long)leaves[i].attrs,
					 (unsigned long long)want);
		}
		mapped_bytes += leaves[i].size;
	}
	/* Ranges in `e` do not overlap in these tests; a page counted once. */
	for (unsigned int i = 0; i < n; i++)
		wanted_bytes += e[i].to - e[i].from;
	assert_int_equal(mapped_bytes, wanted_bytes);
}

static void test_descriptor_bits_mean_what_the_names_say(void **state)
{
	(void)state;
	/* AttrIndx into MAIR: 0x00 Device-nGnRnE, 0xff Normal WB RW-allocate. */
	assert_int_equal((RT_MMU_MAIR_VALUE >> (8 * RT_MMU_MAIR_DEVICE)) & 0xff, 0x00);
	assert_int_equal((RT_MMU_MAIR_VALUE >> (8 * RT_MMU_MAIR_NORMAL)) & 0xff, 0xff);
	assert_int_equal((RT_MMU_MAIR_VALUE >> (8 * RT_MMU_MAIR_NC)) & 0xff, 0x44);
	assert_int_equal(RT_S1_SHARED & RT_S1_ATTR_INDEX_MASK, RT_S1_ATTR_INDEX(RT_MMU_MAIR_NC));
	assert_true(RT_S1_SHARED_RO & RT_S1_AP_RO);
	assert_int_equal(RT_S1_TEXT & RT_S1_ATTR_INDEX_MASK, RT_S1_ATTR_INDEX(RT_MMU_MAIR_NORMAL));
	assert_int_equal(RT_S1_TEXT & RT_S1_PXN, 0); /* EL1 executes it */
	assert_true(RT_S1_TEXT & RT_S1_AP_RO);
	assert_true(RT_S1_TEXT & RT_S1_UXN);
	assert_int_equal(RT_S1_DATA & RT_S1_AP_RO, 0);
	for (unsigned int i = 0; i < 4; i++) {
		const uint64_t a[] = { RT_S1_RODATA, RT_S1_DATA, RT_S1_DEVICE, RT_S1_SHARED };

		assert_int_equal(a[i] & RT_S1_XN, RT_S1_XN);
		assert_true(a[i] & PT_AF);
	}
	assert_int_equal(RT_S1_DATA & RT_S1_SH_MASK, PT_SH_INNER);
	assert_int_equal(RT_S1_DEVICE & RT_S1_ATTR_INDEX_MASK,
			 RT_S1_ATTR_INDEX(RT_MMU_MAIR_DEVICE));
	/* TCR: T0SZ 25, IRGN0/ORGN0 WB, SH0 inner, TG0 4 KiB, EPD1, IPS as given. */
	uint64_t tcr = rt_mmu_tcr(4);

	assert_int_equal(tcr & 0x3f, 25);
	assert_int_equal((tcr >> 8) & 0xf, 0x5);
	assert_int_equal((tcr >> 12) & 3, 3);
	assert_int_equal((tcr >> 14) & 3, 0);
	assert_true(tcr & (1ull << 23));
	assert_int_equal((tcr >> 32) & 7, 4);
	assert_int_equal((rt_mmu_tcr(6) >> 32) & 7, 5); /* 52-bit PA capped at 48 */
}

static void test_cell_layout_maps_ram_channels_status_and_gic_and_nothing_else(void **state)
{
	struct pt_table t;
	const struct rt_mmu_range ranges[] = {
		{ 0x70000000, 64ull << 20, RT_MMU_RAM }, /* the cell's RAM, boot info at its end */
		{ 0x74000000, 0x10000, RT_MMU_SHARED }, /* telemetry channel, written */
		{ 0x74010000, 0x1000, RT_MMU_SHARED_RO }, /* a channel it only reads */
		{ 0x7f000000, 0x1000, RT_MMU_SHARED_RO }, /* the status page */
		{ 0x7e000000, 0x1000, RT_MMU_RAM_RO }, /* read-only RAM */
		{ 0x09100000, 0x1000, RT_MMU_DEVICE }, /* a passed-through device */
		{ 0x08000000, 0x10000, RT_MMU_DEVICE }, /* GICD */
		{ 0x080e0000, 0x20000, RT_MMU_DEVICE }, /* GICR, cell CPU 0 */
		{ 0x08100000, 0x20000, RT_MMU_DEVICE }, /* GICR, cell CPU 1 */
		{ 0x08000000, 0x10000, RT_MMU_DEVICE }, /* named twice: still one mapping */
	};
	const struct expect e[] = {
		{ 0x70000000, 0x70008000, RT_S1_TEXT },
		{ 0x70008000, 0x70009000, RT_S1_RODATA },
		{ 0x70009000, 0x700ea000, RT_S1_DATA },
		{ 0x700ea000, 0x74000000, RT_S1_DATA },
		{ 0x74000000, 0x74010000, RT_S1_SHARED },
		{ 0x74010000, 0x74011000, RT_S1_SHARED_RO },
		{ 0x7f000000, 0x7f001000, RT_S1_SHARED_RO },
		{ 0x7e000000, 0x7e001000, RT_S1_RODATA },
		{ 0x09100000, 0x09101000, RT_S1_DEVICE },
		{ 0x08000000, 0x08010000, RT_S1_DEVICE },
		{ 0x080e0000, 0x08120000, RT_S1_DEVICE },
	};

	(void)state;
	assert_int_equal(
		rt_mmu_build(&t, 44, &pool, &image, ranges, sizeof(ranges) / sizeof(ranges[0])), 0);
	check_against(&t, e, sizeof(e) / sizeof(e[0]));
	/* 64 MiB of RAM mostly in 2 MiB blocks, not 16,384 pages. */
	unsigned int blocks = 0;

	for (unsigned int i = 0; i < leaf_count; i++)
		blocks += leaves[i].level == 2;
	assert_true(blocks >= 30);
	assert_true(used <= 24); /* boot.c's pool */
}

static void test_bare_layout_maps_the_image_gic_and_uart_only(void **state)
{
	struct pt_table t;
	const struct rt_mmu_range ranges[] = {
		{ 0x08000000, 0x10000, RT_MMU_DEVICE },
		{ 0x080a0000, 0x20000, RT_MMU_DEVICE },
		{ 0x080c0000, 0x20000, RT_MMU_DEVICE },
		{ 0x09000000, 0x1000, RT_MMU_DEVICE },
	};
	const struct expect e[] = {
		{ 0x70000000, 0x70008000, RT_S1_TEXT },   { 0x70008000, 0x70009000, RT_S1_RODATA },
		{ 0x70009000, 0x700ea000, RT_S1_DATA },   { 0x08000000, 0x08010000, RT_S1_DEVICE },
		{ 0x080a0000, 0x080e0000, RT_S1_DEVICE }, { 0x09000000, 0x09001000, RT_S1_DEVICE },
	};
	uint64_t pa, attrs;
	unsigned int level;

	(void)state;
	assert_int_equal(rt_mmu_build(&t, 40, &pool, &image, ranges, 4), 0);
	check_against(&t, e, sizeof(e) / sizeof(e[0]));
	assert_int_equal(pt_translate(&t, 0x700ea000, &pa, &attrs, &level), -BH_EINVAL);
	assert_int_equal(pt_translate(&t, 0x6ffff000, &pa, &attrs, &level), -BH_EINVAL);
	assert_int_equal(pt_translate(&t, 0x0, &pa, &attrs, &level), -BH_EINVAL);
}

static void test_unaligned_range_rounds_out_to_whole_pages(void **state)
{
	struct pt_table t;
	const struct rt_mmu_range ranges[] = { { 0x09000f00, 0x200, RT_MMU_DEVICE } };
	const struct expect e[] = {
		{ 0x70000000, 0x70008000, RT_S1_TEXT },
		{ 0x70008000, 0x70009000, RT_S1_RODATA },
		{ 0x70009000, 0x700ea000, RT_S1_DATA },
		{ 0x09000000, 0x09002000, RT_S1_DEVICE },
	};

	(void)state;
	assert_int_equal(rt_mmu_build(&t, 40, &pool, &image, ranges, 1), 0);
	check_against(&t, e, sizeof(e) / sizeof(e[0]));
}

static void test_refusals(void **state)
{
	struct pt_table t;
	const struct rt_mmu_range beyond[] = { { 1ull << 39, 0x1000, RT_MMU_RAM } };
	const struct rt_mmu_range wraps[] = { { 0xfffffffffffff000ull, 0x2000, RT_MMU_RAM } };
	const struct rt_mmu_image misaligned = { 0x70000000, 0x70008800, 0x70009000, 0x700ea000 };

	(void)state;
	assert_int_equal(rt_mmu_build(&t, 40, &pool, &image, beyond, 1), -BH_ERANGE);
	assert_int_equal(rt_mmu_build(&t, 40, &pool, &image, wraps, 1), -BH_ERANGE);
	assert_int_equal(rt_mmu_build(&t, 40, &pool, &misaligned, NULL, 0), -BH_EINVAL);
	used = POOL_PAGES - 1; /* a root, no room for the image's tables */
	assert_int_equal(rt_mmu_build(&t, 40, &pool, &image, NULL, 0), -BH_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_descriptor_bits_mean_what_the_names_say, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_cell_layout_maps_ram_channels_status_and_gic_and_nothing_else, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_bare_layout_maps_the_image_gic_and_uart_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_range_rounds_out_to_whole_pages,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
