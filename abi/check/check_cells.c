/*
 * Cells: names, their slices of the region/device/irq tables, CPUs (each
 * CPU in one cell, a realtime cell's CPUs its own: docs/design.md, I1), and
 * where the boot protocol's entry point and items land in the cell's memory.
 */
#include "checker.h"
#include <bulkhead/bootinfo.h>
#include <bulkhead/sysimage.h>
#include <lib/string.h>

_Static_assert(BH_BOOTINFO_MAX_CPUS >= BH_CELL_MAX_CPUS, "the boot info carries every CPU");

static bool cell_slice_ok(struct checker *c, uint32_t i, const char *what, uint32_t first,
			  uint32_t count, uint32_t table_count)
{
	if ((uint64_t)first + count > table_count) {
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_CELL, i, what,
			      "cell \"%s\": %s [%u, +%u) lies outside the table of %u",
			      CELL_NAME(c, i), what, first, count, table_count);
		return false;
	}
	return true;
}

/* Returns false when the cell tables cannot be walked safely. */
bool check_cells_structure(struct checker *c)
{
	bool ok = true;

	if (c->cell_count == 0) {
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, "cells",
			      "config has no cells");
		return false;
	}
	for (uint32_t i = 0; i < c->cell_count; i++) {
		const struct bh_cell *cell = cell_at(c, i);

		if (!name_valid(cell->name)) {
			check_problem(
				c, CONFIG_E_NAME, CONFIG_AT_CELL, i, "name",
				"cell %u: name is empty or not NUL-terminated within %u bytes", i,
				BH_NAME_LEN);
			ok = false;
			continue;
		}
		ok &= cell_slice_ok(c, i, "regions", cell->region_first, cell->region_count,
				    c->region_count);
		ok &= cell_slice_ok(c, i, "devices", cell->device_first, cell->device_count,
				    c->device_count);
		ok &= cell_slice_ok(c, i, "irqs", cell->irq_first, cell->irq_count, c->irq_count);
	}
	return ok;
}

void check_cell_names(struct checker *c)
{
	for (uint32_t i = 0; i < c->cell_count; i++)
		for (uint32_t j = 0; j < i; j++)
			if (!strncmp(cell_at(c, i)->name, cell_at(c, j)->name, BH_NAME_LEN))
				check_problem(c, CONFIG_E_NAME, CONFIG_AT_CELL, i, "name",
					      "cell %u: name \"%s\" is also the name of cell %u", i,
					      CELL_NAME(c, i), j);
}

static bool boot_protocol_ok(const struct check_arch_rules *rules, uint32_t protocol)
{
	return protocol == BH_BOOT_NATIVE || protocol == rules->linux_boot_protocol;
}

void check_cell_cpus(struct checker *c, uint32_t i)
{
	const struct bh_cell *cell = cell_at(c, i);

	if (cell->cpu_count == 0) {
		check_problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_count",
			      "cell \"%s\" has no CPU, so no boot CPU", CELL_NAME(c, i));
		return;
	}
	if (cell->cpu_count > BH_CELL_MAX_CPUS) {
		check_problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_count",
			      "cell \"%s\" has %u CPUs, at most %u supported", CELL_NAME(c, i),
			      cell->cpu_count, BH_CELL_MAX_CPUS);
		return;
	}
	for (uint32_t a = 0; a < cell->cpu_count; a++) {
		uint64_t hwid = cell->cpu_hwid[a];

		for (uint32_t b = 0; b < a; b++)
			if (cell->cpu_hwid[b] == hwid)
				check_problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_hwid",
					      "cell \"%s\" lists CPU 0x%llx twice", CELL_NAME(c, i),
					      (unsigned long long)hwid);
		/* Each pair of cells is reported once, from the later cell. */
		for (uint32_t j = 0; j < i; j++) {
			const struct bh_cell *other = cell_at(c, j);
			uint32_t n = other->cpu_count > BH_CELL_MAX_CPUS ? 0 : other->cpu_count;

			for (uint32_t b = 0; b < n; b++) {
				if (other->cpu_hwid[b] != hwid)
					continue;
				if ((cell->flags | other->flags) & BH_CELL_REALTIME)
					check_problem(
						c, CONFIG_E_REALTIME, CONFIG_AT_CELL, i, "cpu_hwid",
						"cell \"%s\": CPU 0x%llx is also in cell \"%s\"; "
						"a realtime cell's CPUs must be its own",
						CELL_NAME(c, i), (unsigned long long)hwid,
						CELL_NAME(c, j));
				else
					check_problem(
						c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_hwid",
						"cell \"%s\": CPU 0x%llx is also in cell \"%s\"",
						CELL_NAME(c, i), (unsigned long long)hwid,
						CELL_NAME(c, j));
			}
		}
	}
}

/* Index of the cell's RAM region (not device, not channel) holding [addr, +size), or -1. */
int cell_ram_region_at(struct checker *c, uint32_t i, uint64_t addr, uint64_t size,
		       uint32_t need_flags)
{
	const struct bh_cell *cell = cell_at(c, i);

	for (uint32_t r = cell->region_first; r < cell->region_first + cell->region_count; r++) {
		const struct bh_mem_region *reg = region_at(c, r);

		if (reg->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS))
			continue;
		if ((reg->flags & need_flags) != need_flags ||
		    !range_ok(reg->guest_phys, reg->size_bytes))
			continue;
		if (addr >= reg->guest_phys && addr - reg->guest_phys < reg->size_bytes &&
		    size <= reg->size_bytes - (addr - reg->guest_phys))
			return (int)(r - cell->region_first);
	}
	return -1;
}

uint64_t config_boot_info_guest_phys(const struct bh_mem_region *first_region)
{
	return first_region->guest_phys + first_region->size_bytes - BH_BOOTINFO_PAGE_BYTES;
}

/* Channels cell i is an endpoint of, counted as the loader counts them. */
static uint32_t cell_channel_count(struct checker *c, uint32_t i)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < c->channel_count; k++) {
		const struct bh_channel *ch = channel_at(c, k);

		for (uint32_t e = 0; e < ch->endpoint_count && e < BH_CHANNEL_MAX_ENDPOINTS; e++)
			n += ch->endpoints[e].cell == i;
	}
	return n;
}

/*
 * A native cell learns its regions, channels and interrupts from the boot
 * info, whose arrays are fixed: more would be dropped. The boot info itself
 * is written into the last page of the first region, which must be RAM the
 * hypervisor may write (not a device, a channel or the status page).
 */
static void check_native_boot_info(struct checker *c, uint32_t i)
{
	const struct bh_cell *cell = cell_at(c, i);
	struct {
		uint32_t count, limit;
		const char *field, *what;
	} limits[] = {
		{ cell->region_count, BH_BOOTINFO_MAX_REGIONS, "region_count",
		  "memory regions (channels included)" },
		{ cell_channel_count(c, i), BH_BOOTINFO_MAX_CHANNELS, "channels", "channels" },
		{ cell->irq_count, BH_BOOTINFO_MAX_IRQS, "irq_count", "interrupts" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(limits); k++)
		if (limits[k].count > limits[k].limit)
			check_problem(c, CONFIG_E_LIMIT, CONFIG_AT_CELL, i, limits[k].field,
				      "cell \"%s\" has %u %s; the native boot info carries at "
				      "most %u",
				      CELL_NAME(c, i), limits[k].count, limits[k].what,
				      limits[k].limit);
	if (cell->region_count == 0) {
		check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, "region_count",
			      "cell \"%s\" has no memory region for its native boot info",
			      CELL_NAME(c, i));
		return;
	}
	const struct bh_mem_region *first = region_at(c, cell->region_first);
	uint32_t need = BH_MEM_READ | BH_MEM_WRITE;
	if ((first->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS)) ||
	    (first->flags & need) != need || first->size_bytes < BH_BOOTINFO_PAGE_BYTES)
		check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, "region_first",
			      "cell \"%s\": region 0 at guest [0x%llx, +0x%llx) flags 0x%x "
			      "must be readable and writable RAM: the hypervisor writes the "
			      "native boot info into its last 4 KiB page",
			      CELL_NAME(c, i), (unsigned long long)first->guest_phys,
			      (unsigned long long)first->size_bytes, first->flags);
}

/* A restart takes every CPU out of the cell, which only virtual-mode cells allow. */
static void check_cell_restart(struct checker *c, uint32_t i)
{
	const struct bh_cell *cell = cell_at(c, i);

	if (!(cell->flags & BH_CELL_RESTART_ON_RESET))
		return;
	if (cell->flags & BH_CELL_REALTIME)
		check_problem(c, CONFIG_E_FLAGS, CONFIG_AT_CELL, i, "flags",
			      "cell \"%s\": a realtime cell cannot restart on reset: nothing can "
			      "force its CPUs out of it",
			      CELL_NAME(c, i));
	else if (!c->rules->cell_reset_request)
		check_problem(c, CONFIG_E_FLAGS, CONFIG_AT_CELL, i, "flags",
			      "cell \"%s\": restart on reset is not available on %s: a cell there "
			      "has no way to ask for a reset yet",
			      CELL_NAME(c, i), c->rules->name);
}

void check_cell_boot(struct checker *c, uint32_t i)
{
	const struct bh_cell *cell = cell_at(c, i);

	if (cell->flags & ~BH_CELL_FLAGS_KNOWN)
		check_problem(c, CONFIG_E_FLAGS, CONFIG_AT_CELL, i, "flags",
			      "cell \"%s\": unknown flags 0x%x", CELL_NAME(c, i),
			      cell->flags & ~BH_CELL_FLAGS_KNOWN);
	check_cell_restart(c, i);
	if (cell->reserved0 || cell->reserved1)
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_CELL, i, "reserved",
			      "cell \"%s\": reserved fields must be 0", CELL_NAME(c, i));
	if (!boot_protocol_ok(c->rules, cell->boot_protocol)) {
		check_problem(c, CONFIG_E_BOOT, CONFIG_AT_CELL, i, "boot_protocol",
			      "cell \"%s\": boot protocol %u is not valid on %s", CELL_NAME(c, i),
			      cell->boot_protocol, c->rules->name);
		return;
	}
	if (cell->image_item == BH_NONE) {
		check_problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, "image_item",
			      "cell \"%s\" has no image", CELL_NAME(c, i));
	}
	if (cell->boot_protocol == BH_BOOT_LINUX_ARM64 && cell->dtb_item == BH_NONE)
		check_problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, "dtb_item",
			      "cell \"%s\": a linux-arm64 cell needs a device tree item",
			      CELL_NAME(c, i));
	if (cell->initrd_item != BH_NONE && cell->dtb_item == BH_NONE &&
	    (cell->boot_protocol == BH_BOOT_NATIVE || c->rules->initrd_needs_dtb))
		check_problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, "initrd_item",
			      "cell \"%s\": an initrd needs a device tree to announce it",
			      CELL_NAME(c, i));

	struct {
		uint32_t item;
		uint64_t addr;
		const char *field;
		const char *what;
		uint32_t flags;
	} loads[] = {
		{ 0, cell->entry_guest_phys, "entry_guest_phys", "entry point", BH_MEM_EXEC },
		/* The loader copies into these: writable RAM only. */
		{ cell->image_item, cell->image_guest_phys, "image_guest_phys",
		  "image load address", BH_MEM_WRITE },
		{ cell->dtb_item, cell->dtb_guest_phys, "dtb_guest_phys", "DTB load address",
		  BH_MEM_WRITE },
		{ cell->initrd_item, cell->initrd_guest_phys, "initrd_guest_phys",
		  "initrd load address", BH_MEM_WRITE },
	};
	for (size_t k = 0; k < ARRAY_SIZE(loads); k++) {
		if (loads[k].item == BH_NONE)
			continue;
		if (loads[k].item >= BH_SYSIMAGE_MAX_ITEMS)
			check_problem(
				c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, loads[k].field,
				"cell \"%s\": item index %u for the %s is beyond the %u items "
				"a system image may have",
				CELL_NAME(c, i), loads[k].item, loads[k].what,
				BH_SYSIMAGE_MAX_ITEMS);
		/* Its region is checked too; this names the address the cell would use. */
		if (loads[k].addr >> c->rules->ipa_bits)
			check_problem(
				c, CONFIG_E_ADDRESS, CONFIG_AT_CELL, i, loads[k].field,
				"cell \"%s\": %s 0x%llx lies beyond the %u-bit guest-physical "
				"address space that stage 2 translates",
				CELL_NAME(c, i), loads[k].what, (unsigned long long)loads[k].addr,
				c->rules->ipa_bits);
		else if (cell_ram_region_at(c, i, loads[k].addr, 1, loads[k].flags) < 0)
			check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, loads[k].field,
				      "cell \"%s\": %s 0x%llx is not inside one of its own "
				      "%smemory regions",
				      CELL_NAME(c, i), loads[k].what,
				      (unsigned long long)loads[k].addr,
				      loads[k].flags & BH_MEM_EXEC ? "executable " : "writable ");
	}
	if (cell->boot_protocol == BH_BOOT_NATIVE)
		check_native_boot_info(c, i);
}
