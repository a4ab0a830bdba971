/*
 * The x86 EPT builder (arch/x86/vmx/ept.c), run on the host: tables are
 * built for a set of mappings, then walked by this test's own walker, which
 * checks that every page of every mapping translates with the right rights
 * and memory type and that nothing else is mapped; refusals map nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulkhead/config.h>
#include <bulkhead/errno.h>
#include <vmx/ept.h>

#define POOL_PAGES 64
#define PAGE 0x1000ull
#define MIB (1ull << 20)
#define RIGHTS (EPT_READ | EPT_WRITE | EPT_EXEC)

static uint64_t (*pool_pages)[EPT_ENTRIES];
static unsigned int pool_next;
/* On the host a table's "physical" address is its pointer (phys_base). */
static struct ept_pool pool;

static int setup(void **state)
{
	(void)state;
	pool_pages = aligned_alloc(PAGE, POOL_PAGES * PAGE);
	if (!pool_pages)
		return -1;
	memset(pool_pages, 0xa5, POOL_PAGES * PAGE); /* ept.c zeroes what it takes */
	pool_next = 0;
	pool = (struct ept_pool){ pool_pages, POOL_PAGES, &pool_next,
				  (uint64_t)(uintptr_t)pool_pages };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pool_pages);
	return 0;
}

struct mapping {
	uint64_t guest, host, size;
	uint32_t flags;
};

/* A leaf the walker found. */
struct leaf {
	uint64_t guest, host, size, bits;
};

#define MAX_LEAVES 4096
static struct leaf leaves[MAX_LEAVES];
static unsigned int leaf_count;

static void walk(const uint64_t *table, unsigned int level, uint64_t guest_base)
{
	for (unsigned int i = 0; i < EPT_ENTRIES; i++) {
		uint64_t e = table[i];
		uint64_t guest = guest_base + ((uint64_t)i << (12 + 9 * level));

		if (!(e & RIGHTS)) {
			assert_int_equal(e, 0); /* nothing half-written */
			continue;
		}
		bool is_leaf = level == 0 || (e & EPT_LEAF_2M);

		if (!is_leaf) {
			walk((const uint64_t *)(uintptr_t)(e & EPT_ADDRESS_MASK), level - 1, guest);
			continue;
		}
		assert_true(level <= 1); /* 4 KiB or 2 MiB leaves only, never 1 GiB */
		assert_true(leaf_count < MAX_LEAVES);
		leaves[leaf_count++] =
			(struct leaf){ guest, e & EPT_ADDRESS_MASK, 1ull << (12 + 9 * level),
				       e & ~EPT_ADDRESS_MASK & ~EPT_LEAF_2M };
	}
}

static void walk_all(const struct ept_table *t)
{
	leaf_count = 0;
	walk(t->root, EPT_LEVELS - 1, 0);
}

/* Every leaf lies in one mapping at the right offset with its bits; together they cover all. */
static void assert_maps_exactly(const struct ept_table *t, const struct mapping *m,
				unsigned int count)
{
	uint64_t expected_bytes = 0, found_bytes = 0;

	walk_all(t);
	for (unsigned int i = 0; i < count; i++)
		expected_bytes += m[i].size;
	for (unsigned int l = 0; l < leaf_count; l++) {
		const struct leaf *f = &leaves[l];
		bool inside = false;

		for (unsigned int i = 0; i < count && !inside; i++) {
			if (f->guest < m[i].guest || f->guest + f->size > m[i].guest + m[i].size)
				continue;
			inside = true;
			assert_int_equal(f->host - m[i].host, f->guest - m[i].guest);
			assert_int_equal(f->bits, ept_leaf_bits(m[i].flags));
		}
		if (!inside)
			fail_msg("leaf [0x%llx, +0x%llx) is in no mapping",
				 (unsigned long long)f->guest, (unsigned long long)f->size);
		found_bytes += f->size;
	}
	assert_int_equal(found_bytes, expected_bytes);
}

static void map_all(struct ept_table *t, const struct mapping *m, unsigned int count)
{
	assert_int_equal(ept_init(t, 46, &pool), 0);
	for (unsigned int i = 0; i < count; i++)
		assert_int_equal(
			ept_map(t, m[i].guest, m[i].host, m[i].size, ept_leaf_bits(m[i].flags)), 0);
}

static unsigned int leaves_of_size(uint64_t size)
{
	unsigned int n = 0;

	for (unsigned int l = 0; l < leaf_count; l++)
		n += leaves[l].size == size;
	return n;
}

static void test_cell_regions_and_a_device_are_mapped_and_nothing_else(void **state)
{
	const struct mapping m[] = {
		{ 0x4000000, 0x4000000, 16 * MIB, BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC },
		{ 0x0, 0x7000000, 0x3000, BH_MEM_READ },
		{ 0xc000000, 0xc000000, MIB, BH_MEM_READ | BH_MEM_WRITE | BH_MEM_COMM },
		{ 0xfed00000, 0xfed00000, PAGE, BH_MEM_READ | BH_MEM_WRITE | BH_MEM_DEVICE },
	};
	struct ept_table t;

	(void)state;
	map_all(&t, m, 4);
	assert_maps_exactly(&t, m, 4);
	assert_int_equal(leaves_of_size(2 * MIB), 8); /* the 16 MiB region in 2 MiB leaves */
}

static void test_unaligned_ends_use_small_leaves_and_the_middle_large_ones(void **state)
{
	/* Starts 4 KiB below a 2 MiB boundary, ends 8 KiB past the next-but-one. */
	const struct mapping m[] = {
		{ 0x1ff000, 0x81ff000, 0x403000, BH_MEM_READ | BH_MEM_WRITE },
	};
	struct ept_table t;

	(void)state;
	map_all(&t, m, 1);
	assert_maps_exactly(&t, m, 1);
	assert_int_equal(leaves_of_size(2 * MIB), 2);
	assert_int_equal(leaves_of_size(PAGE), 3);
}

static void test_guest_and_host_misaligned_to_each_other_use_only_small_leaves(void **state)
{
	const struct mapping m[] = {
		{ 0x200000, 0x301000, 4 * MIB, BH_MEM_READ | BH_MEM_EXEC },
	};
	struct ept_table t;

	(void)state;
	map_all(&t, m, 1);
	assert_maps_exactly(&t, m, 1);
	assert_int_equal(leaves_of_size(2 * MIB), 0);
}

static void test_leaf_bits_follow_the_config_flags(void **state)
{
	(void)state;
	assert_int_equal(ept_leaf_bits(BH_MEM_READ),
			 EPT_READ | EPT_IGNORE_PAT | (EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT));
	assert_int_equal(ept_leaf_bits(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC) & RIGHTS, RIGHTS);
	assert_int_equal((ept_leaf_bits(BH_MEM_READ | BH_MEM_DEVICE) >> EPT_MEMTYPE_SHIFT) & 7,
			 EPT_MEMTYPE_UC);
	assert_int_equal(ept_leaf_bits(BH_MEM_READ) & EPT_WRITE, 0);
	assert_int_equal(ept_leaf_bits(BH_MEM_READ) & EPT_EXEC, 0);
}

static void test_refused_mappings_map_nothing(void **state)
{
	const struct mapping base[] = {
		{ 0x4000000, 0x4000000, 2 * MIB, BH_MEM_READ | BH_MEM_WRITE },
	};
	uint64_t rw = ept_leaf_bits(BH_MEM_READ | BH_MEM_WRITE);
	struct ept_table t;

	(void)state;
	map_all(&t, base, 1);
	/* Overlapping the 2 MiB leaf, partly or inside it. */
	assert_int_equal(ept_map(&t, 0x3fff000, 0x9000000, 0x2000, rw), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x4100000, 0x9000000, PAGE, rw), -BH_EINVAL);
	/* Misaligned, empty, beyond the 48-bit guest space, beyond the host's. */
	assert_int_equal(ept_map(&t, 0x800, 0x9000000, PAGE, rw), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x0, 0x9000000, 0, rw), -BH_EINVAL);
	assert_int_equal(ept_map(&t, (1ull << 48) - PAGE, 0x9000000, 2 * PAGE, rw), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x0, (1ull << 46) - PAGE, 2 * PAGE, rw), -BH_EINVAL);
	/* No rights at all; address bits, bits above them or the size bit in the leaf bits. */
	assert_int_equal(ept_map(&t, 0x0, 0x9000000, PAGE, EPT_IGNORE_PAT), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x0, 0x9000000, PAGE, rw | 0x1000), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x0, 0x9000000, PAGE, rw | (1ull << 52)), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x0, 0x9000000, PAGE, rw | (1ull << 63)), -BH_EINVAL);
	assert_int_equal(ept_map(&t, 0x0, 0x9000000, 2 * MIB, rw | EPT_LEAF_2M), -BH_EINVAL);
	assert_maps_exactly(&t, base, 1);
}

static void test_running_out_of_table_pages_is_an_error(void **state)
{
	struct ept_table t;

	(void)state;
	pool.count = 3; /* root, PDPT, PD: no page table for a 4 KiB leaf */
	assert_int_equal(ept_init(&t, 46, &pool), 0);
	assert_int_equal(ept_map(&t, 0x200000, 0x200000, 2 * MIB, EPT_READ), 0);
	assert_int_equal(ept_map(&t, 0x1000, 0x1000, PAGE, EPT_READ), -BH_ENOMEM);
}

/*
 * A link that leads outside the pages the pool handed out (a corrupted table)
 * is never followed: the walk stops with -BH_EEXIST, writes nothing and takes
 * no page.
 */
static void test_a_link_outside_the_pool_stops_the_walk(void **state)
{
	struct ept_table t;

	(void)state;
	assert_int_equal(ept_init(&t, 46, &pool), 0);
	t.root[0] = (pool.phys_base + (POOL_PAGES + 1) * PAGE) | RIGHTS;
	unsigned int taken = pool_next;

	assert_int_equal(ept_map(&t, 0x1000, 0x1000, PAGE, EPT_READ), -BH_EEXIST);
	assert_int_equal(pool_next, taken);
	assert_int_equal(t.root[0], (pool.phys_base + (POOL_PAGES + 1) * PAGE) | RIGHTS);
	for (unsigned int i = 1; i < EPT_ENTRIES; i++)
		assert_int_equal(t.root[i], 0);
}

static void test_eptp_asks_for_write_back_four_level_walks(void **state)
{
	struct ept_table t;

	(void)state;
	assert_int_equal(ept_init(&t, 46, &pool), 0);
	assert_int_equal(ept_pointer(&t), (uint64_t)(uintptr_t)t.root | 0x1e);
	assert_int_equal(ept_init(&t, 53, &pool), -BH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_cell_regions_and_a_device_are_mapped_and_nothing_else, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_unaligned_ends_use_small_leaves_and_the_middle_large_ones, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_guest_and_host_misaligned_to_each_other_use_only_small_leaves, setup,
			teardown),
		cmocka_unit_test(test_leaf_bits_follow_the_config_flags),
		cmocka_unit_test_setup_teardown(test_refused_mappings_map_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running_out_of_table_pages_is_an_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_link_outside_the_pool_stops_the_walk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_eptp_asks_for_write_back_four_level_walks,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
