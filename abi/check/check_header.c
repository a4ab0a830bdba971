/*
 * The config header: size, magic, version, CRC, architecture, and the table
 * descriptors every later rule indexes through; then the machine-wide ranges
 * (hypervisor memory, loader area, console). A header problem stops the walk.
 */
#include "checker.h"
#include <lib/crc32.h>
#include <lib/string.h>

static bool check_table(struct checker *c, const struct bh_table *t, const char *what,
			uint32_t record_size, uint32_t max_count)
{
	uint64_t end = (uint64_t)t->offset_bytes + (uint64_t)t->count * record_size;

	if (t->record_size_bytes != record_size) {
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, what,
			      "%s table: record size %u, expected %u for ABI version %u", what,
			      t->record_size_bytes, record_size, BH_CONFIG_ABI_VERSION);
		return false;
	}
	if (t->count > max_count) {
		check_problem(c, CONFIG_E_LIMIT, CONFIG_AT_HEADER, 0, what,
			      "%s table: %u records, at most %u supported", what, t->count,
			      max_count);
		return false;
	}
	if (t->reserved != 0 || (t->offset_bytes & 7) != 0 ||
	    t->offset_bytes < sizeof(struct bh_config_header) || end > c->size) {
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, what,
			      "%s table: [0x%x, +%u x %u bytes) is not an 8-byte aligned range "
			      "after the header and inside the %u-byte blob",
			      what, t->offset_bytes, t->count, record_size, c->size);
		return false;
	}
	return true;
}

bool check_header(struct checker *c, const void *blob, size_t size)
{
	const struct bh_config_header *h = blob;

	if (((uintptr_t)blob & 7) != 0) {
		check_problem(c, CONFIG_E_ALIGN, CONFIG_AT_HEADER, 0, "magic",
			      "config at %p is not 8-byte aligned", blob);
		return false;
	}
	if (size < sizeof(*h)) {
		check_problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			      "config is %zu bytes, shorter than its %zu-byte header", size,
			      sizeof(*h));
		return false;
	}
	if (h->magic != BH_CONFIG_MAGIC) {
		check_problem(c, CONFIG_E_MAGIC, CONFIG_AT_HEADER, 0, "magic",
			      "config magic is 0x%08x, expected 0x%08x (\"BHCF\")", h->magic,
			      BH_CONFIG_MAGIC);
		return false;
	}
	if (h->abi_version != BH_CONFIG_ABI_VERSION) {
		check_problem(c, CONFIG_E_VERSION, CONFIG_AT_HEADER, 0, "abi_version",
			      "config ABI version is %u, this build understands version %u",
			      h->abi_version, BH_CONFIG_ABI_VERSION);
		return false;
	}
	if (h->total_size_bytes < sizeof(*h) || h->total_size_bytes > size) {
		check_problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			      "config says it is %u bytes, but %zu bytes are available",
			      h->total_size_bytes, size);
		return false;
	}
	c->size = h->total_size_bytes;

	struct bh_config_header copy;
	memcpy(&copy, h, sizeof(copy));
	copy.crc32 = 0;
	uint32_t crc = crc32_ieee(&copy, sizeof(copy));
	crc = crc32_ieee_update(crc, c->blob + sizeof(copy), c->size - sizeof(copy));
	if (crc != h->crc32) {
		check_problem(c, CONFIG_E_CRC, CONFIG_AT_HEADER, 0, "crc32",
			      "config CRC is 0x%08x, but its contents give 0x%08x: corrupted",
			      h->crc32, crc);
		return false;
	}
	const struct check_arch_rules *rules = check_arch_rules(h->arch);
	if (!rules) {
		check_problem(c, CONFIG_E_ARCH, CONFIG_AT_HEADER, 0, "arch",
			      "config architecture %u is unknown (1 = arm64, 2 = x86_64)", h->arch);
		return false;
	}
	if (c->arch != 0 && h->arch != c->arch) {
		check_problem(c, CONFIG_E_ARCH, CONFIG_AT_HEADER, 0, "arch",
			      "config is for %s, expected %s", rules->name,
			      check_arch_rules(c->arch) ? check_arch_rules(c->arch)->name
							: "an unknown one");
		return false;
	}
	c->arch = h->arch;
	c->rules = rules;
	if (h->flags != 0) {
		check_problem(c, CONFIG_E_FLAGS, CONFIG_AT_HEADER, 0, "flags",
			      "config flags 0x%x: no flags are defined in version %u", h->flags,
			      BH_CONFIG_ABI_VERSION);
		return false;
	}
	if (!name_valid(h->platform)) {
		check_problem(c, CONFIG_E_NAME, CONFIG_AT_HEADER, 0, "platform",
			      "platform name is empty or not NUL-terminated within %u bytes",
			      BH_NAME_LEN);
		return false;
	}
	if (!check_table(c, &h->cells, "cells", sizeof(struct bh_cell), CONFIG_MAX_CELLS) ||
	    !check_table(c, &h->regions, "regions", sizeof(struct bh_mem_region),
			 CONFIG_MAX_REGIONS) ||
	    !check_table(c, &h->devices, "devices", sizeof(struct bh_device), CONFIG_MAX_DEVICES) ||
	    !check_table(c, &h->irqs, "irqs", sizeof(struct bh_irq), CONFIG_MAX_IRQS) ||
	    !check_table(c, &h->channels, "channels", sizeof(struct bh_channel),
			 CONFIG_MAX_CHANNELS))
		return false;

	c->hdr = h;
	c->cells_offset = h->cells.offset_bytes;
	c->regions_offset = h->regions.offset_bytes;
	c->devices_offset = h->devices.offset_bytes;
	c->irqs_offset = h->irqs.offset_bytes;
	c->channels_offset = h->channels.offset_bytes;
	c->cell_count = h->cells.count;
	c->region_count = h->regions.count;
	c->device_count = h->devices.count;
	c->irq_count = h->irqs.count;
	c->channel_count = h->channels.count;
	return true;
}

void check_machine_ranges(struct checker *c)
{
	const struct bh_config_header *h = c->hdr;

	if (!range_ok(h->hv_memory.base, h->hv_memory.size_bytes))
		check_problem(c, CONFIG_E_SIZE, CONFIG_AT_HEADER, 0, "hv_memory",
			      "hypervisor memory [0x%llx, +0x%llx) is empty or wraps",
			      (unsigned long long)h->hv_memory.base,
			      (unsigned long long)h->hv_memory.size_bytes);
	else if (!page_aligned(h->hv_memory.base) || !page_aligned(h->hv_memory.size_bytes))
		check_problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_HEADER, 0, "hv_memory",
			      "hypervisor memory [0x%llx, +0x%llx) is not 4 KiB-aligned",
			      (unsigned long long)h->hv_memory.base,
			      (unsigned long long)h->hv_memory.size_bytes);
	else
		beyond_address_space(c, CONFIG_AT_HEADER, 0, "hv_memory", "hypervisor memory",
				     CHECK_HOST, h->hv_memory.base, h->hv_memory.size_bytes);
	/* A loader area of size 0 means "none" (x86: GRUB places modules). */
	if (h->loader_area.size_bytes != 0 &&
	    !range_ok(h->loader_area.base, h->loader_area.size_bytes))
		check_problem(c, CONFIG_E_SIZE, CONFIG_AT_HEADER, 0, "loader_area",
			      "loader area [0x%llx, +0x%llx) wraps",
			      (unsigned long long)h->loader_area.base,
			      (unsigned long long)h->loader_area.size_bytes);
	else if (h->loader_area.size_bytes != 0)
		beyond_address_space(c, CONFIG_AT_HEADER, 0, "loader_area", "loader area",
				     CHECK_HOST, h->loader_area.base, h->loader_area.size_bytes);
	uint32_t kind = h->console.kind;
	if (kind != BH_CONSOLE_NONE && kind != c->rules->console_kind)
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, "console",
			      "console kind %u is not valid on this architecture", kind);
	/* The hypervisor maps an MMIO console for itself; I/O ports need no mapping. */
	else if (kind == BH_CONSOLE_PL011) {
		uint64_t size = h->console.size_bytes ? h->console.size_bytes : 1;

		if (!range_ok(h->console.base, size))
			check_problem(c, CONFIG_E_SIZE, CONFIG_AT_HEADER, 0, "console",
				      "console [0x%llx, +0x%llx) wraps past 2^64",
				      (unsigned long long)h->console.base,
				      (unsigned long long)h->console.size_bytes);
		else
			beyond_address_space(c, CONFIG_AT_HEADER, 0, "console", "console",
					     CHECK_HOST, h->console.base, size);
	}
}
