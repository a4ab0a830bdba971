/* The hypervisor's FDT walker: lookups on a real tree, and refusal of bad blobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dtb_file.h"
#include <lib/fdt.h>
#include <lib/string.h>

static struct fdt open_tree(void)
{
	struct fdt fdt;

	assert_int_equal(fdt_open(&fdt, dtb_blob, dtb_size), FDT_OK);
	return fdt;
}

static void test_finds_nodes_by_path_with_unit_address(void **state)
{
	struct fdt fdt = open_tree();
	struct fdt_node node;

	(void)state;
	assert_int_equal(fdt_find_path(&fdt, "/cpus/cpu@2", &node), FDT_OK);
	assert_string_equal(fdt_node_name(&fdt, node), "cpu@2");
	assert_int_equal(fdt_find_path(&fdt, "/chosen", &node), FDT_OK);
	assert_int_equal(fdt_find_path(&fdt, "/", &node), FDT_OK);
	assert_string_equal(fdt_node_name(&fdt, node), "");
	assert_int_equal(fdt_find_path(&fdt, "/cpus/cpu", &node), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&fdt, "/nonexistent", &node), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&fdt, "chosen", &node), FDT_ERR_NOTFOUND);
}

static void test_children_skip_nested_subtrees(void **state)
{
	struct fdt fdt = open_tree();
	struct fdt_node cpus;
	struct fdt_node child;
	const char *expected[] = { "cpu-map", "cpu@0", "cpu@1", "cpu@2", "cpu@3" };
	size_t n = 0;

	(void)state;
	assert_int_equal(fdt_find_path(&fdt, "/cpus", &cpus), FDT_OK);
	for (int err = fdt_first_child(&fdt, cpus, &child); !err;
	     err = fdt_next_sibling(&fdt, child, &child)) {
		assert_true(n < 5);
		assert_string_equal(fdt_node_name(&fdt, child), expected[n]);
		n++;
	}
	assert_int_equal(n, 5);
}

static void test_reads_properties_of_each_type(void **state)
{
	struct fdt fdt = open_tree();
	struct fdt_node node;
	uint32_t len;

	(void)state;
	assert_int_equal(fdt_find_path(&fdt, "/cpus", &node), FDT_OK);
	assert_int_equal(fdt_get_u32(&fdt, node, "#address-cells", 7), 1);
	assert_int_equal(fdt_get_u32(&fdt, node, "#missing", 7), 7);

	assert_int_equal(fdt_find_path(&fdt, "/memory@40000000", &node), FDT_OK);
	const void *reg = fdt_get_prop(&fdt, node, "reg", &len);

	assert_non_null(reg);
	assert_int_equal(len, 16);
	assert_int_equal(fdt_read_cells(reg, 2), 0x40000000);
	assert_int_equal(fdt_read_cells((const char *)reg + 8, 2), 0x40000000);
	assert_true(fdt_prop_is(&fdt, node, "device_type", "memory"));
	assert_false(fdt_prop_is(&fdt, node, "device_type", "mem"));

	/* A string list matches on its first string. */
	assert_int_equal(fdt_find_path(&fdt, "/pl011@9000000", &node), FDT_OK);
	assert_true(fdt_prop_is(&fdt, node, "compatible", "arm,pl011"));
	assert_null(fdt_get_prop(&fdt, node, "absent", &len));
}

static void test_rejects_bad_magic_version_and_sizes(void **state)
{
	struct fdt fdt;
	unsigned char *bad = dtb_copy();

	(void)state;
	assert_int_equal(fdt_open(&fdt, dtb_blob, 39), FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_open(&fdt, dtb_blob, dtb_size - 1), FDT_ERR_TRUNCATED);

	bad[0] ^= 0xff;
	assert_int_equal(fdt_open(&fdt, bad, dtb_size), FDT_ERR_BADMAGIC);
	memcpy(bad, dtb_blob, dtb_size);
	dtb_put_be32(bad + 20, 15); /* version */
	assert_int_equal(fdt_open(&fdt, bad, dtb_size), FDT_ERR_BADHEADER);
	memcpy(bad, dtb_blob, dtb_size);
	dtb_put_be32(bad + 36, 0xfffffff0u); /* struct block size */
	assert_int_equal(fdt_open(&fdt, bad, dtb_size), FDT_ERR_BADHEADER);
	memcpy(bad, dtb_blob, dtb_size);
	dtb_put_be32(bad + 12, (unsigned int)dtb_size + 4); /* strings offset */
	assert_int_equal(fdt_open(&fdt, bad, dtb_size), FDT_ERR_BADHEADER);
	free(bad);
}

/* Walks everything reachable; the sanitizer turns any stray read into a failure. */
static void walk_all(const struct fdt *fdt, struct fdt_node node, int depth)
{
	struct fdt_node child;
	uint32_t len;

	(void)fdt_node_name(fdt, node);
	(void)fdt_get_prop(fdt, node, "reg", &len);
	(void)fdt_prop_is(fdt, node, "device_type", "cpu");
	if (depth > 64)
		return;
	for (int err = fdt_first_child(fdt, node, &child); !err;
	     err = fdt_next_sibling(fdt, child, &child))
		walk_all(fdt, child, depth + 1);
}

static void test_every_corrupted_byte_is_read_safely(void **state)
{
	unsigned char *bad = malloc(dtb_size);
	const unsigned char patterns[] = { 0x00, 0xff, 0x01, 0x7f };

	(void)state;
	for (size_t at = 0; at < dtb_size; at++) {
		for (size_t p = 0; p < sizeof(patterns); p++) {
			struct fdt fdt;
			struct fdt_node root;

			memcpy(bad, dtb_blob, dtb_size);
			bad[at] = patterns[p];
			if (fdt_open(&fdt, bad, dtb_size) != FDT_OK)
				continue;
			if (fdt_root(&fdt, &root) == FDT_OK)
				walk_all(&fdt, root, 0);
		}
	}
	free(bad);
}

static void test_removed_property_is_gone_and_its_neighbours_stay(void **state)
{
	unsigned char *copy = malloc(dtb_size);
	struct fdt fdt;
	struct fdt_node chosen;
	uint32_t len;

	(void)state;
	memcpy(copy, dtb_blob, dtb_size);
	assert_int_equal(fdt_open(&fdt, copy, dtb_size), FDT_OK);
	assert_int_equal(fdt_find_path(&fdt, "/chosen", &chosen), FDT_OK);
	const unsigned char *seed = fdt_get_prop(&fdt, chosen, "rng-seed", &len);

	assert_non_null(seed);
	assert_int_equal(len, 35);
	fdt_remove_prop_in_place(seed, len);
	assert_null(fdt_get_prop(&fdt, chosen, "rng-seed", &len));
	for (uint32_t i = 0; i < 35; i++)
		assert_true(seed[i] == 0 || seed[i] == 4); /* only NOP tokens left */
	assert_non_null(fdt_get_prop(&fdt, chosen, "linux,initrd-start", &len));
	assert_int_equal(fdt_read_cells(fdt_get_prop(&fdt, chosen, "linux,initrd-end", &len), 2),
			 0x48100000);
	assert_true(fdt_prop_is(&fdt, chosen, "bootargs", "bulkhead.fault=access quiet"));
	assert_int_equal(fdt_total_size(copy), dtb_size);
	free(copy);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_nodes_by_path_with_unit_address),
		cmocka_unit_test(test_children_skip_nested_subtrees),
		cmocka_unit_test(test_reads_properties_of_each_type),
		cmocka_unit_test(test_rejects_bad_magic_version_and_sizes),
		cmocka_unit_test(test_every_corrupted_byte_is_read_safely),
		cmocka_unit_test(test_removed_property_is_gone_and_its_neighbours_stay),
	};

	dtb_load(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
