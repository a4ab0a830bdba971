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
#include <bulkhead/bootinfo.h>
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

/*
 * Address spaces (docs/design.md, I2): stage 2 keeps output bits 47:12 only,
 * so a host address at or above 2^48 would alias low memory. A richer config
 * than valid_blob: linux has RAM, a spare device region and its channel
 * region; rt has RAM and its channel region; linux owns one MMIO device.
 */
struct rich {
	struct bh_config_header h;
	struct bh_cell cells[2];
	struct bh_mem_region regions[5];
	struct bh_device devices[1];
	struct bh_channel channels[1];
} __attribute__((aligned(8)));

#define HIGH_HOST 0x1000040000000ull /* 2^48 + the hypervisor's 0x40000000 */

static void seal_rich(struct rich *b)
{
	b->h.crc32 = 0;
	b->h.crc32 = crc32_ieee(b, sizeof(*b));
}

static struct rich *rich_blob(void)
{
	struct rich *b = calloc(1, sizeof(*b));
	const uint32_t rwx = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC;

	b->h.magic = BH_CONFIG_MAGIC;
	b->h.abi_version = BH_CONFIG_ABI_VERSION;
	b->h.total_size_bytes = sizeof(*b);
	b->h.arch = BH_ARCH_ARM64;
	strcpy(b->h.platform, "qemu-arm64");
	b->h.hv_memory = (struct bh_range){ 0x40000000, 0x2000000 };
	b->h.loader_area = (struct bh_range){ 0x48000000, 0x8000000 };
	b->h.console = (struct bh_console){ BH_CONSOLE_PL011, BH_NONE, 0x9000000, 0x1000 };
	table(&b->h.cells, 2, offsetof(struct rich, cells), sizeof(struct bh_cell));
	table(&b->h.regions, 5, offsetof(struct rich, regions), sizeof(struct bh_mem_region));
	table(&b->h.devices, 1, offsetof(struct rich, devices), sizeof(struct bh_device));
	table(&b->h.irqs, 0, sizeof(struct bh_config_header), sizeof(struct bh_irq));
	table(&b->h.channels, 1, offsetof(struct rich, channels), sizeof(struct bh_channel));
	for (uint32_t i = 0; i < 2; i++) {
		struct bh_cell *c = &b->cells[i];
		uint64_t base = 0x50000000ull + (uint64_t)i * 0x10000000;

		strcpy(c->name, i ? "rt" : "linux");
		c->boot_protocol = BH_BOOT_NATIVE;
		c->cpu_count = 1;
		c->cpu_hwid[0] = i;
		c->entry_guest_phys = c->image_guest_phys = base;
		c->image_item = i + 1;
		c->dtb_item = c->initrd_item = BH_NONE;
		c->region_first = i ? 3 : 0;
		c->region_count = i ? 2 : 3;
		b->regions[c->region_first] =
			(struct bh_mem_region){ base, base, 0x1000000, i, rwx, BH_NONE, 0 };
	}
	b->regions[1] = (struct bh_mem_region){
		0x74000000, 0x74000000, 0x100000, 0, BH_MEM_READ | BH_MEM_COMM, 0, 0
	};
	b->regions[2] = (struct bh_mem_region){
		0x80000000, 0x80000000, 0x1000, 0, BH_MEM_READ | BH_MEM_WRITE | BH_MEM_DEVICE,
		BH_NONE,    0
	};
	b->regions[4] = (struct bh_mem_region){
		0x74000000, 0x74000000, 0x100000, 1, BH_MEM_READ | BH_MEM_WRITE | BH_MEM_COMM, 0, 0
	};
	b->cells[0].device_count = 1;
	b->devices[0] = (struct bh_device){ .name = "uart",
					    .cell = 0,
					    .kind = BH_DEVICE_MMIO,
					    .base = 0x9000000,
					    .size_bytes = 0x1000 };
	struct bh_channel *ch = &b->channels[0];
	strcpy(ch->name, "telemetry");
	ch->host_phys = 0x74000000;
	ch->size_bytes = 0x100000;
	ch->doorbell_irq = BH_NONE;
	ch->endpoint_count = 2;
	ch->endpoints[0] = (struct bh_channel_endpoint){ 0, BH_MEM_READ, 0x74000000 };
	ch->endpoints[1] =
		(struct bh_channel_endpoint){ 1, BH_MEM_READ | BH_MEM_WRITE, 0x74000000 };
	seal_rich(b);
	return b;
}

/* Seals b and expects `error` with `message` somewhere in the first problem's text. */
static void expect_rich(struct rich *b, int error, const char *message)
{
	char why[320];

	seal_rich(b);
	int err = config_check(b, sizeof(*b), b->h.arch, why, sizeof(why));
	if (err != error || (message && !strstr(why, message)))
		fail_msg("got %d \"%s\", expected %d with \"%s\"", err, why, error,
			 message ? message : "");
}

static void test_rich_config_passes(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	expect_rich(b, 0, NULL);
	free(b);
}

static void test_device_region_beyond_physical_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	/* The case: truncated to 48 bits this is hypervisor memory. */
	b->regions[2].host_phys = HIGH_HOST;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "cell \"linux\": region 2 host [0x1000040000000, +0x1000) lies beyond the "
		    "48-bit physical address space");
	free(b);
}

static void test_ram_region_beyond_physical_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->regions[3].host_phys = HIGH_HOST;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "cell \"rt\": region 0 host [0x1000040000000, +0x1000000) lies beyond");
	free(b);
}

static void test_region_ending_at_the_limit_is_accepted(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	/* [2^48 - 4 KiB, 2^48): the last page a 48-bit space has, host and guest. */
	b->regions[2].host_phys = b->regions[2].guest_phys = (1ull << 48) - 0x1000;
	expect_rich(b, 0, NULL);
	b->regions[2].size_bytes = 0x2000;
	expect_rich(b, -CONFIG_E_ADDRESS, "region 2 host [0xfffffffff000, +0x2000) lies beyond");
	free(b);
}

static void test_region_beyond_guest_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->regions[2].guest_phys = 1ull << 48;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "cell \"linux\": region 2 guest [0x1000000000000, +0x1000) lies beyond the "
		    "48-bit guest-physical address space");
	free(b);
}

static void test_entry_beyond_guest_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->cells[1].entry_guest_phys = 1ull << 48 | 0x60000000;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "cell \"rt\": entry point 0x1000060000000 lies beyond the 48-bit "
		    "guest-physical address space");
	free(b);
}

static void test_device_beyond_physical_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->devices[0].base = 1ull << 48 | 0x9000000;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "cell \"linux\": device \"uart\" [0x1000009000000, +0x1000) lies beyond the "
		    "48-bit physical address space");
	free(b);
}

static void test_channel_beyond_physical_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->channels[0].host_phys = b->regions[1].host_phys = b->regions[4].host_phys = HIGH_HOST;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "channel \"telemetry\" host [0x1000040000000, +0x100000) lies beyond the "
		    "48-bit physical address space");
	free(b);
}

static void test_channel_endpoint_beyond_guest_address_space_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->channels[0].endpoints[1].guest_phys = b->regions[4].guest_phys = 1ull << 48;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "channel \"telemetry\": cell \"rt\" guest [0x1000000000000, +0x100000) lies "
		    "beyond the 48-bit guest-physical address space");
	free(b);
}

static void test_machine_ranges_beyond_physical_address_space_are_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->h.hv_memory.base = HIGH_HOST;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "hypervisor memory [0x1000040000000, +0x2000000) lies beyond the 48-bit");
	b->h.hv_memory.base = 0x40000000;
	b->h.loader_area.base = 1ull << 48 | 0x48000000;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "loader area [0x1000048000000, +0x8000000) lies beyond the 48-bit");
	b->h.loader_area.base = 0x48000000;
	b->h.console.base = 1ull << 48 | 0x9000000;
	expect_rich(b, -CONFIG_E_ADDRESS, "console [0x1000009000000, +0x1000) lies beyond");
	free(b);
}

static void test_x86_physical_address_space_is_46_bits(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->h.arch = BH_ARCH_X86_64;
	b->h.console = (struct bh_console){ BH_CONSOLE_NONE, BH_NONE, 0, 0 };
	b->regions[2].host_phys = (1ull << 46) - 0x1000;
	expect_rich(b, 0, NULL);
	b->regions[2].host_phys = 1ull << 46;
	expect_rich(b, -CONFIG_E_ADDRESS,
		    "region 2 host [0x400000000000, +0x1000) lies beyond the 46-bit physical");
	free(b);
}

static void test_range_wrapping_past_2_64_is_refused(void **state)
{
	struct rich *b = rich_blob();

	(void)state;
	b->regions[2].host_phys = 0xfffffffffffff000ull;
	b->regions[2].size_bytes = 0x2000;
	expect_rich(b, -CONFIG_E_SIZE,
		    "cell \"linux\": region 2 [0xfffffffffffff000, +0x2000) is empty or wraps "
		    "past 2^64");
	b->regions[2].host_phys = 0x80000000;
	b->regions[2].guest_phys = 0xfffffffffffff000ull;
	expect_rich(b, -CONFIG_E_SIZE,
		    "cell \"linux\": region 2 guest [0xfffffffffffff000, +0x2000) is empty or "
		    "wraps past 2^64");
	free(b);
}

/* valid_blob() plus a channel "bell" between both cells, each mapping it at its own region.
 */
struct channel_blob {
	struct bh_config_header h;
	struct bh_cell cells[2];
	struct bh_mem_region regions[4];
	struct bh_channel channels[1];
} __attribute__((aligned(8)));

static struct channel_blob *channel_blob(uint32_t doorbell)
{
	struct channel_blob *b = calloc(1, sizeof(*b));
	struct blob *base = valid_blob();
	struct bh_channel *ch = &b->channels[0];

	b->h = base->h;
	memcpy(b->cells, base->cells, sizeof(b->cells));
	free(base);
	b->h.total_size_bytes = sizeof(*b);
	table(&b->h.cells, 2, offsetof(struct channel_blob, cells), sizeof(struct bh_cell));
	table(&b->h.regions, 4, offsetof(struct channel_blob, regions),
	      sizeof(struct bh_mem_region));
	table(&b->h.channels, 1, offsetof(struct channel_blob, channels),
	      sizeof(struct bh_channel));
	strcpy(ch->name, "bell");
	ch->host_phys = 0x74000000;
	ch->size_bytes = 0x10000;
	ch->doorbell_irq = doorbell;
	ch->endpoint_count = 2;
	for (uint32_t i = 0; i < 2; i++) {
		uint64_t ram = 0x50000000ull + (uint64_t)i * 0x10000000;
		uint64_t guest = 0x7f000000ull + (uint64_t)i * 0x100000;

		b->cells[i].region_first = 2 * i;
		b->cells[i].region_count = 2;
		b->regions[2 * i] = (struct bh_mem_region){
			ram, ram, 0x1000000, i, BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC, BH_NONE, 0
		};
		b->regions[2 * i + 1] =
			(struct bh_mem_region){ guest,
						ch->host_phys,
						ch->size_bytes,
						i,
						BH_MEM_READ | BH_MEM_WRITE | BH_MEM_COMM,
						0,
						0 };
		ch->endpoints[i].cell = i;
		ch->endpoints[i].guest_phys = guest;
		ch->endpoints[i].access = BH_MEM_READ | BH_MEM_WRITE;
	}
	b->h.crc32 = 0;
	b->h.crc32 = crc32_ieee(b, sizeof(*b));
	return b;
}

static int check_channel_blob(struct channel_blob *b, char *why)
{
	return config_check(b, sizeof(*b), BH_ARCH_ARM64, why, 256);
}

static void test_free_sgis_are_valid_doorbells(void **state)
{
	char why[256];

	(void)state;
	for (uint32_t sgi = 1; sgi <= 13; sgi++) {
		struct channel_blob *b = channel_blob(sgi);

		assert_int_equal(check_channel_blob(b, why), 0);
		free(b);
	}
	struct channel_blob *b = channel_blob(BH_NONE);
	assert_int_equal(check_channel_blob(b, why), 0);
	free(b);
}

/* A doorbell on an SGI Bulkhead uses for itself would fake that event in the peer. */
static void test_doorbell_on_bulkheads_own_sgis_is_refused(void **state)
{
	static const struct {
		uint32_t sgi;
		const char *reason;
	} own[] = {
		{ BH_MAILBOX_DOORBELL_SGI, "doorbell 15 is the mailbox doorbell SGI" },
		{ BH_ARM64_SGI_HV_KICK, "doorbell 14 is the hypervisor's kick SGI" },
		{ BH_ARM64_SGI_RT_RESCHED, "doorbell 0 is the realtime kernel's reschedule SGI" },
	};
	char why[256];

	(void)state;
	for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
		struct channel_blob *b = channel_blob(own[k].sgi);

		assert_int_equal(check_channel_blob(b, why), -CONFIG_E_IRQ);
		assert_non_null(strstr(why, "channel \"bell\": "));
		assert_non_null(strstr(why, own[k].reason));
		free(b);
	}
}

static void test_channel_region_overlap_names_the_channel(void **state)
{
	char why[256];
	struct channel_blob *b = channel_blob(BH_NONE);

	(void)state;
	/* The channel's host range now lies inside cell "rt"'s RAM. */
	b->channels[0].host_phys = b->regions[1].host_phys = b->regions[3].host_phys = 0x60800000;
	b->h.crc32 = 0;
	b->h.crc32 = crc32_ieee(b, sizeof(*b));
	assert_int_equal(check_channel_blob(b, why), -CONFIG_E_OVERLAP);
	assert_non_null(strstr(why, "channel \"bell\" in cell"));
	assert_null(strstr(why, "region 1"));
	free(b);
}

/*
 * What the hypervisor owns on the machine (docs/design.md, I2/I3): the rich
 * config passes against ranges it does not touch; a device, a "device"
 * region and a channel over an owned range are each refused, named, with the
 * owned range (the channel once, not once per endpoint).
 */
static void test_ranges_over_what_the_hypervisor_owns_are_refused(void **state)
{
	static const struct config_owned_range owned[] = {
		{ 0x8000000, 0x10000, "the GIC distributor" },
		{ 0x80000000, 0x1000, "the GIC ITS" },
		{ 0x74080000, 0x1000, "the system image the boot loader handed over" },
		{ 0x9000000, 0x1000, "the hypervisor image" },
	};
	struct config_machine machine = { 0, 0, owned, 1 };
	struct rich *b = rich_blob();
	char why[320];

	(void)state;
	assert_int_equal(config_check_machine_why(b, sizeof(*b), &machine, why, sizeof(why)), 0);
	machine.owned = &owned[1];
	assert_int_equal(config_check_machine_why(b, sizeof(*b), &machine, why, sizeof(why)),
			 -CONFIG_E_HV_MEMORY);
	assert_string_equal(why, "cell \"linux\": region 2 host [0x80000000, +0x1000) overlaps the "
				 "GIC ITS [0x80000000, +0x1000), which the hypervisor owns");
	machine.owned = &owned[2];
	assert_int_equal(config_check_machine_why(b, sizeof(*b), &machine, why, sizeof(why)),
			 -CONFIG_E_HV_MEMORY);
	assert_string_equal(why, "channel \"telemetry\" in cell \"linux\" host [0x74000000, "
				 "+0x100000) overlaps the system image the boot loader handed "
				 "over [0x74080000, +0x1000), which the hypervisor owns");
	machine.owned = &owned[3];
	assert_int_equal(config_check_machine_why(b, sizeof(*b), &machine, why, sizeof(why)),
			 -CONFIG_E_HV_MEMORY);
	assert_string_equal(why, "cell \"linux\": device \"uart\" [0x9000000, +0x1000) overlaps "
				 "the hypervisor image [0x9000000, +0x1000), which the hypervisor "
				 "owns");
	free(b);
}

/* The channel over an owned range is reported once however many cells map it. */
static int count_problems_calls;
static void count_problems(void *ctx, const struct config_problem *p)
{
	(void)ctx, (void)p;
	count_problems_calls++;
}

static void test_channel_over_an_owned_range_is_reported_once(void **state)
{
	static const struct config_owned_range owned = { 0x74000000, 0x1000, "the GIC ITS" };
	struct config_machine machine = { 0, 0, &owned, 1 };
	struct rich *b = rich_blob();

	(void)state;
	count_problems_calls = 0;
	assert_int_equal(config_check_machine(b, sizeof(*b), &machine, count_problems, NULL),
			 -CONFIG_E_HV_MEMORY);
	assert_int_equal(count_problems_calls, 1);
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
		cmocka_unit_test(test_rich_config_passes),
		cmocka_unit_test(test_device_region_beyond_physical_address_space_is_refused),
		cmocka_unit_test(test_ram_region_beyond_physical_address_space_is_refused),
		cmocka_unit_test(test_region_ending_at_the_limit_is_accepted),
		cmocka_unit_test(test_region_beyond_guest_address_space_is_refused),
		cmocka_unit_test(test_entry_beyond_guest_address_space_is_refused),
		cmocka_unit_test(test_device_beyond_physical_address_space_is_refused),
		cmocka_unit_test(test_channel_beyond_physical_address_space_is_refused),
		cmocka_unit_test(test_channel_endpoint_beyond_guest_address_space_is_refused),
		cmocka_unit_test(test_machine_ranges_beyond_physical_address_space_are_refused),
		cmocka_unit_test(test_x86_physical_address_space_is_46_bits),
		cmocka_unit_test(test_range_wrapping_past_2_64_is_refused),
		cmocka_unit_test(test_free_sgis_are_valid_doorbells),
		cmocka_unit_test(test_doorbell_on_bulkheads_own_sgis_is_refused),
		cmocka_unit_test(test_channel_region_overlap_names_the_channel),
		cmocka_unit_test(test_ranges_over_what_the_hypervisor_owns_are_refused),
		cmocka_unit_test(test_channel_over_an_owned_range_is_reported_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
