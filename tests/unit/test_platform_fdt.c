/* Platform discovery from a device tree: what the hypervisor learns, and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dtb_file.h"
#include <bulkhead/errno.h>
#include <hv/platform_fdt.h>
#include <lib/string.h>

static void test_reads_cpus_ram_model_and_cmdline(void **state)
{
	struct platform plat;
	char why[128] = "";

	(void)state;
	assert_int_equal(platform_from_fdt(dtb_blob, dtb_size, &plat, why, sizeof(why)), 0);
	assert_int_equal(plat.cpu_count, 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(plat.cpu_hwid[i], i);
	assert_int_equal(plat.ram_count, 1);
	assert_int_equal(plat.ram[0].base, 0x40000000);
	assert_int_equal(plat.ram[0].size_bytes, 0x40000000);
	assert_string_equal(plat.model, "linux,dummy-virt");
	assert_string_equal(plat.cmdline, "bulkhead.fault=access quiet");
}

static void test_reads_initrd_range_from_chosen(void **state)
{
	uint64_t start = 0;
	uint64_t end = 0;

	(void)state;
	assert_int_equal(platform_fdt_initrd(dtb_blob, dtb_size, &start, &end), 0);
	assert_int_equal(start, 0x48000000);
	assert_int_equal(end, 0x48100000);
}

/* Renames a property or node in place: same length, so offsets stay valid. */
static unsigned char *replace_bytes(const char *from, const char *to, size_t n, size_t to_n)
{
	assert_int_equal(n, to_n);
	unsigned char *copy = dtb_copy();

	for (size_t i = 0; i + n <= dtb_size; i++) {
		if (memcmp(copy + i, from, n) == 0) {
			memcpy(copy + i, to, n);
			return copy;
		}
	}
	fail_msg("'%s' not found in the test DTB", from);
	return NULL;
}

/* Literal arguments may hold NULs ("memory\0" is the whole property value). */
#define with_replaced(from, to) replace_bytes(from, to, sizeof(from) - 1, sizeof(to) - 1)

static bool contains(const char *text, const char *part)
{
	size_t n = strlen(part);

	for (; *text; text++)
		if (strncmp(text, part, n) == 0)
			return true;
	return false;
}

static void expect_refusal(unsigned char *blob, const char *why_contains)
{
	struct platform plat;
	char why[128] = "";

	assert_int_equal(platform_from_fdt(blob, dtb_size, &plat, why, sizeof(why)), -BH_EINVAL);
	if (!contains(why, why_contains))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, why_contains);
	free(blob);
}

static void test_refuses_tree_without_cpus_node(void **state)
{
	(void)state;
	expect_refusal(with_replaced("cpus", "cpux"), "/cpus");
}

static void test_refuses_tree_without_memory(void **state)
{
	(void)state;
	expect_refusal(with_replaced("memory\0", "memorx\0"), "memory");
}

static void test_refuses_cpu_without_reg(void **state)
{
	(void)state;
	/* "reg" is shared in the strings block: renaming it hides every reg. */
	expect_refusal(with_replaced("reg\0", "reh\0"), "reg");
}

static void test_refuses_blob_that_is_not_a_device_tree(void **state)
{
	unsigned char *copy = dtb_copy();

	(void)state;
	copy[0] = 0;
	expect_refusal(copy, "no valid device tree");
}

/* Whether the 35-byte seed of data/qemu-virt-4cpu.dts (00 01 .. 22) is in `blob`. */
static bool holds_test_seed(const unsigned char *blob, size_t size)
{
	for (size_t at = 0; at + 35 <= size; at++) {
		size_t i = 0;

		while (i < 35 && blob[at + i] == i)
			i++;
		if (i == 35)
			return true;
	}
	return false;
}

static void test_takes_the_rng_seed_once_and_leaves_no_copy(void **state)
{
	unsigned char *copy = malloc(dtb_size);
	uint8_t seed[32];

	(void)state;
	memcpy(copy, dtb_blob, dtb_size);
	assert_true(holds_test_seed(copy, dtb_size));
	assert_int_equal(platform_fdt_take_rng_seed(copy, dtb_size, seed, sizeof(seed)), 32);
	for (unsigned i = 0; i < sizeof(seed); i++)
		assert_int_equal(seed[i], i);
	assert_false(holds_test_seed(copy, dtb_size));
	assert_int_equal(platform_fdt_take_rng_seed(copy, dtb_size, seed, sizeof(seed)), 0);
	free(copy);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_cpus_ram_model_and_cmdline),
		cmocka_unit_test(test_reads_initrd_range_from_chosen),
		cmocka_unit_test(test_takes_the_rng_seed_once_and_leaves_no_copy),
		cmocka_unit_test(test_refuses_tree_without_cpus_node),
		cmocka_unit_test(test_refuses_tree_without_memory),
		cmocka_unit_test(test_refuses_cpu_without_reg),
		cmocka_unit_test(test_refuses_blob_that_is_not_a_device_tree),
	};

	dtb_load(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
