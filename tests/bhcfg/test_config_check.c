/*
 * The shared validator on hand-built configs: a valid two-cell config
 * passes; each mutation is refused with its own error class and message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <abi/config_check.h>
#include <bulkhead/config.h>
#include <lib/crc32.h>

struct blob {
	struct bh_config_header h;
	struct bh_cell cells[2];
	struct bh_mem_region regions[2];
} __attribute__((aligned(8)));

static void seal(struct blob *b)
{
	b->h.crc32 = 0;
	b->h.crc32 = crc32_ieee(b, sizeof(*b));
}

static void table(struct bh_table *t, uint32_t count, size_t offset, uint32_t size)
{
	t->count = count;
	t->offset_bytes = (uint32_t)offset;
	t->record_size_bytes = size;
}

static struct blob *valid_blob(void)
{
	struct blob *b = calloc(1, sizeof(*b));

	b->h.magic = BH_CONFIG_MAGIC;
	b->h.abi_version = BH_CONFIG_ABI_VERSION;
	b->h.total_size_bytes = sizeof(*b);
	b->h.arch = BH_ARCH_ARM64;
	strcpy(b->h.platform, "qemu-arm64");
	b->h.hv_memory = (struct bh_range){ 0x40000000, 0x2000000 };
	table(&b->h.cells, 2, offsetof(struct blob, cells), sizeof(struct bh_cell));
	table(&b->h.regions, 2, offsetof(struct blob, regions), sizeof(struct bh_mem_region));
	table(&b->h.devices, 0, sizeof(struct bh_config_header), sizeof(struct bh_device));
	table(&b->h.irqs, 0, sizeof(struct bh_config_header), sizeof(struct bh_irq));
	table(&b->h.channels, 0, sizeof(struct bh_config_header), sizeof(struct bh_channel));
	for (int i = 0; i < 2; i++) {
		struct bh_cell *c = &b->cells[i];
		uint64_t base = 0x50000000ull + (uint64_t)i * 0x10000000;

		strcpy(c->name, i ? "rt" : "linux");
		c->boot_protocol = BH_BOOT_NATIVE;
		c->cpu_count = 1;
		c->cpu_hwid[0] = (uint64_t)i;
		c->entry_guest_phys = c->image_guest_phys = base;
		c->image_item = (uint32_t)i + 1;
		c->dtb_item = c->initrd_item = BH_NONE;
		c->region_first = (uint32_t)i;
		c->region_count = 1;
		b->regions[i] = (struct bh_mem_region){ base,
							base,
							0x1000000,
							(uint32_t)i,
							BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC,
							BH_NONE,
							0 };
	}
	seal(b);
	return b;
}

static int check(struct blob *b, char *why)
{
	return config_check(b, sizeof(*b), BH_ARCH_ARM64, why, 256);
}

static void test_valid_config_passes(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	assert_int_equal(check(b, why), 0);
	free(b);
}

/* Every message the validator reports, joined by newlines. */
static void collect(void *ctx, const struct config_problem *p)
{
	char *all = ctx;

	strncat(all, p->message, 2047 - strlen(all));
	strncat(all, "\n", 2047 - strlen(all));
}

static void test_more_cells_than_the_hypervisor_has_are_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->h.cells.count = 9;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_LIMIT);
	assert_string_equal(why, "cells table: 9 records, at most 8 supported");
	free(b);
}

static void test_load_targets_must_be_writable(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->regions[1].flags = BH_MEM_READ | BH_MEM_EXEC;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_LOAD);
	assert_string_equal(why, "cell \"rt\": image load address 0x60000000 is not inside one of "
				 "its own writable memory regions");
	free(b);
}

static void test_native_boot_info_needs_a_writable_first_region(void **state)
{
	char all[2048] = "";
	struct blob *b = valid_blob();

	(void)state;
	b->regions[1].flags = BH_MEM_READ | BH_MEM_EXEC;
	seal(b);
	assert_int_equal(config_check_report(b, sizeof(*b), BH_ARCH_ARM64, collect, all),
			 -CONFIG_E_LOAD);
	assert_non_null(strstr(all, "cell \"rt\": region 0 at guest [0x60000000, +0x1000000) "
				    "flags 0x5 must be readable and writable RAM: the hypervisor "
				    "writes the native boot info into its last 4 KiB page"));
	free(b);
}

static void test_realtime_region_over_the_direct_reserved_range_is_refused(void **state)
{
	char why[320];
	struct blob *b = valid_blob();

	(void)state;
	b->cells[1].flags = BH_CELL_REALTIME;
	seal(b);
	/* Elsewhere, or a virtual cell over it: fine. */
	assert_int_equal(config_check_direct_reserved_why(b, sizeof(*b), 0x80a0000, 0xf60000, why,
							  sizeof(why)),
			 0);
	assert_int_equal(config_check_direct_reserved_why(b, sizeof(*b), 0x50800000, 0x20000, why,
							  sizeof(why)),
			 0);
	assert_int_equal(config_check_direct_reserved_why(b, sizeof(*b), 0x60800000, 0x20000, why,
							  sizeof(why)),
			 -CONFIG_E_OVERLAP);
	assert_string_equal(why, "cell \"rt\": region 0 at guest [0x60000000, +0x1000000) overlaps "
				 "the GIC redistributor frames [0x60800000, +0x20000), which the "
				 "hypervisor maps into a realtime cell itself");
	free(b);
}

static void test_cpu_in_two_cells_is_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->cells[1].cpu_hwid[0] = 0;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_CPU);
	assert_non_null(strstr(why, "CPU 0x0 is also in cell \"linux\""));
	free(b);
}

static void test_overlapping_regions_between_cells_are_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->regions[1].host_phys = 0x50800000;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_OVERLAP);
	assert_non_null(strstr(why, "cell \"rt\": region 0 [0x50800000, +0x1000000) overlaps "
				    "cell \"linux\" region 0"));
	free(b);
}

static void test_flipped_byte_fails_crc(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->regions[0].size_bytes ^= 0x1000;
	assert_int_equal(check(b, why), -CONFIG_E_CRC);
	free(b);
}

static void test_every_truncation_is_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	for (size_t n = 0; n < sizeof(*b); n += 8)
		assert_int_equal(config_check(b, n, BH_ARCH_ARM64, why, sizeof(why)),
				 -CONFIG_E_TRUNCATED);
	free(b);
}

static void test_wrong_arch_is_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	assert_int_equal(config_check(b, sizeof(*b), BH_ARCH_X86_64, why, sizeof(why)),
			 -CONFIG_E_ARCH);
	assert_string_equal(why, "config is for arm64, expected x86_64");
	free(b);
}

static void test_table_outside_blob_is_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->h.regions.count = 0x10000000;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_LIMIT);
	b->h.regions.count = 3;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_LAYOUT);
	free(b);
}

static void test_region_over_hypervisor_memory_is_refused(void **state)
{
	char why[256];
	struct blob *b = valid_blob();

	(void)state;
	b->regions[0].host_phys = 0x41000000;
	seal(b);
	assert_int_equal(check(b, why), -CONFIG_E_HV_MEMORY);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_config_passes),
		cmocka_unit_test(test_more_cells_than_the_hypervisor_has_are_refused),
		cmocka_unit_test(test_load_targets_must_be_writable),
		cmocka_unit_test(test_native_boot_info_needs_a_writable_first_region),
		cmocka_unit_test(test_realtime_region_over_the_direct_reserved_range_is_refused),
		cmocka_unit_test(test_cpu_in_two_cells_is_refused),
		cmocka_unit_test(test_overlapping_regions_between_cells_are_refused),
		cmocka_unit_test(test_flipped_byte_fails_crc),
		cmocka_unit_test(test_every_truncation_is_refused),
		cmocka_unit_test(test_wrong_arch_is_refused),
		cmocka_unit_test(test_table_outside_blob_is_refused),
		cmocka_unit_test(test_region_over_hypervisor_memory_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
