/* The arm64 table builder: level choice, block use, refusals; run on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arm64/pgtable.h>

#define POOL_PAGES 64

static unsigned int used;
static struct pt_pool pool = { .next = &used };

static int setup(void **state)
{
	(void)state;
	pool.pages = aligned_alloc(PT_PAGE_BYTES, POOL_PAGES * PT_PAGE_BYTES);
	used = 0;
	pool.count = POOL_PAGES;
	pool.phys_base = (uintptr_t)pool.pages; /* the host stands in for an identity map */
	return pool.pages ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(pool.pages);
	return 0;
}

#define ATTRS (PT_AF | PT_SH_INNER | (1ull << 6))

static void test_start_level_follows_input_size(void **state)
{
	struct pt_table t;

	(void)state;
	assert_int_equal(pt_init(&t, 39, 48, false, &pool), 0);
	assert_int_equal(t.start_level, 1);
	assert_int_equal(t.root_pages, 1);
	assert_int_equal(pt_init(&t, 48, 48, false, &pool), 0);
	assert_int_equal(t.start_level, 0);
	assert_int_equal(pt_init(&t, 30, 48, false, &pool), 0);
	assert_int_equal(t.start_level, 2);
	assert_int_equal(pt_init(&t, 24, 48, false, &pool), -BH_EINVAL);
}

static void test_stage2_concatenates_root_tables_up_to_sixteen(void **state)
{
	struct pt_table t;

	(void)state;
	assert_int_equal(pt_init(&t, 40, 48, true, &pool), 0);
	assert_int_equal(t.start_level, 1);
	assert_int_equal(t.root_pages, 2);
	assert_int_equal(pt_init(&t, 43, 48, true, &pool), 0);
	assert_int_equal(t.root_pages, 16);
	assert_int_equal(pt_init(&t, 44, 48, true, &pool), 0);
	assert_int_equal(t.start_level, 0);
	assert_int_equal(t.root_pages, 1);
}

static void test_aligned_gigabyte_becomes_one_block(void **state)
{
	struct pt_table t;
	uint64_t pa;
	uint64_t attrs;
	unsigned int level;

	(void)state;
	assert_int_equal(pt_init(&t, 40, 48, true, &pool), 0);
	unsigned int before = used;

	assert_int_equal(pt_map(&t, 0x40000000, 0x80000000, 1ull << 30, ATTRS), 0);
	assert_int_equal(used, before); /* no table below the root */
	assert_int_equal(pt_translate(&t, 0x40001234, &pa, &attrs, &level), 0);
	assert_int_equal(pa, 0x80001234);
	assert_int_equal(level, 1);
	assert_int_equal(attrs, ATTRS);
	/* An address in the second concatenated root table. */
	assert_int_equal(pt_map(&t, 0x8000000000ull, 0x8000000000ull, 0x1000, ATTRS), 0);
	assert_int_equal(pt_translate(&t, 0x8000000800ull, &pa, &attrs, &level), 0);
	assert_int_equal(pa, 0x8000000800ull);
	assert_int_equal(level, 3);
}

static void test_unaligned_range_mixes_blocks_and_pages(void **state)
{
	struct pt_table t;
	uint64_t pa;
	uint64_t attrs;
	unsigned int level;

	(void)state;
	assert_int_equal(pt_init(&t, 39, 48, false, &pool), 0);
	/* 4 KiB below a 2 MiB boundary, then 2 MiB, then 4 KiB. */
	assert_int_equal(pt_map(&t, 0x401ff000, 0x401ff000, 0x202000, ATTRS), 0);
	assert_int_equal(pt_translate(&t, 0x401ff000, &pa, &attrs, &level), 0);
	assert_int_equal(level, 3);
	assert_int_equal(pt_translate(&t, 0x40300000, &pa, &attrs, &level), 0);
	assert_int_equal(level, 2);
	assert_int_equal(pa, 0x40300000);
	assert_int_equal(pt_translate(&t, 0x40400000, &pa, &attrs, &level), 0);
	assert_int_equal(level, 3);
	assert_int_equal(pt_translate(&t, 0x40401000, &pa, &attrs, &level), -BH_EINVAL);
	assert_int_equal(pt_translate(&t, 0x401fe000, &pa, &attrs, &level), -BH_EINVAL);
}

static void test_mapping_twice_is_refused(void **state)
{
	struct pt_table t;

	(void)state;
	assert_int_equal(pt_init(&t, 39, 48, false, &pool), 0);
	assert_int_equal(pt_map(&t, 0x40000000, 0x40000000, 0x200000, ATTRS), 0);
	assert_int_equal(pt_map(&t, 0x40100000, 0x40100000, 0x1000, ATTRS), -BH_EEXIST);
	assert_int_equal(pt_map(&t, 0x40000000, 0x40000000, 0x200000, ATTRS), -BH_EEXIST);
}

static void test_bad_arguments_are_refused(void **state)
{
	struct pt_table t;

	(void)state;
	assert_int_equal(pt_init(&t, 39, 48, false, &pool), 0);
	assert_int_equal(pt_map(&t, 0x40000800, 0x40000000, 0x1000, ATTRS), -BH_EINVAL);
	assert_int_equal(pt_map(&t, 0x40000000, 0x40000000, 0, ATTRS), -BH_EINVAL);
	assert_int_equal(pt_map(&t, 1ull << 39, 0, 0x1000, ATTRS), -BH_ERANGE);
	assert_int_equal(pt_map(&t, (1ull << 39) - 0x1000, 0, 0x2000, ATTRS), -BH_ERANGE);
	assert_int_equal(pt_map(&t, 0xfffffffffffff000ull, 0, 0x2000, ATTRS), -BH_ERANGE);
}

/*
 * The case: a device region at host 2^48 + 0x40000000. A descriptor
 * keeps output bits 47:12, so masking would map the hypervisor at 0x40000000.
 */
static void test_output_address_beyond_48_bits_is_refused_not_masked(void **state)
{
	struct pt_table t;
	uint64_t pa, attrs;
	unsigned int level;

	(void)state;
	assert_int_equal(pt_init(&t, 40, 48, true, &pool), 0);
	assert_int_equal(pt_map(&t, 0x80000000, 0x1000040000000ull, 0x1000, ATTRS), -BH_ERANGE);
	assert_int_equal(pt_map(&t, 0x80000000, (1ull << 48) - 0x1000, 0x2000, ATTRS), -BH_ERANGE);
	assert_int_equal(pt_map(&t, 0x80000000, 0xfffffffffffff000ull, 0x2000, ATTRS), -BH_ERANGE);
	/* Refused before any entry is written. */
	assert_int_equal(pt_translate(&t, 0x80000000, &pa, &attrs, &level), -BH_EINVAL);
	/* The last page of the output space is mapped exactly. */
	assert_int_equal(pt_map(&t, 0x80000000, (1ull << 48) - 0x1000, 0x1000, ATTRS), 0);
	assert_int_equal(pt_translate(&t, 0x80000000, &pa, &attrs, &level), 0);
	assert_int_equal(pa, (1ull << 48) - 0x1000);
}

/* QEMU's cortex-a72 has a 44-bit PARange: stage 2 then maps nothing above 2^44. */
static void test_output_address_beyond_the_cpus_pa_range_is_refused(void **state)
{
	struct pt_table t;
	uint64_t pa, attrs;
	unsigned int level;

	(void)state;
	assert_int_equal(pt_init(&t, 44, 44, true, &pool), 0);
	assert_int_equal(pt_map(&t, 0x80000000, 1ull << 44, 0x1000, ATTRS), -BH_ERANGE);
	assert_int_equal(pt_map(&t, 0x80000000, (1ull << 44) - 0x200000, 0x400000, ATTRS),
			 -BH_ERANGE);
	assert_int_equal(pt_map(&t, 0x80000000, (1ull << 44) - 0x200000, 0x200000, ATTRS), 0);
	assert_int_equal(pt_translate(&t, 0x80001000, &pa, &attrs, &level), 0);
	assert_int_equal(pa, (1ull << 44) - 0x1ff000);
	assert_int_equal(level, 2);
}

static void test_output_size_outside_what_a_descriptor_holds_is_refused(void **state)
{
	struct pt_table t;

	(void)state;
	assert_int_equal(pt_init(&t, 40, 52, true, &pool), -BH_EINVAL);
	assert_int_equal(pt_init(&t, 40, 31, true, &pool), -BH_EINVAL);
}

static void test_pool_exhaustion_is_reported(void **state)
{
	struct pt_table t;

	(void)state;
	assert_int_equal(pt_init(&t, 39, 48, false, &pool), 0);
	pool.count = used + 1; /* one L2 table, no L3 table */
	assert_int_equal(pt_map(&t, 0x40000000, 0x40000000, 0x1000, ATTRS), -BH_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_level_follows_input_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage2_concatenates_root_tables_up_to_sixteen,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_aligned_gigabyte_becomes_one_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_range_mixes_blocks_and_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mapping_twice_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhaustion_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_output_address_beyond_48_bits_is_refused_not_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_output_address_beyond_the_cpus_pa_range_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_output_size_outside_what_a_descriptor_holds_is_refused, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
