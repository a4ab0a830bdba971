/*
 * Validates a binary config and a system image before anyone trusts them
 * (bhcfg on the host, the hypervisor at boot). Structural checks come first
 * and stop the walk, so later rules may index every table freely. Pairwise
 * rules are O(n^2) over tables bounded by CONFIG_MAX_*; every sum is 64-bit
 * and wrap-checked.
 */
#include <bulkhead/config.h>
#include <bulkhead/status.h>
#include <bulkhead/sysimage.h>
#include <abi/config_check.h>
#include <lib/crc32.h>
#include <lib/format.h>
#include <lib/string.h>

struct checker {
	const uint8_t *blob;
	uint32_t size;
	uint32_t arch;
	const struct bh_config_header *hdr;
	const struct bh_cell *cells;
	const struct bh_mem_region *regions;
	const struct bh_device *devices;
	const struct bh_irq *irqs;
	const struct bh_channel *channels;
	uint32_t cell_count, region_count, device_count, irq_count, channel_count;
	config_report_fn report;
	void *ctx;
	int first_error;
};

static void problem(struct checker *c, int error, unsigned int table, unsigned int index,
		    const char *field, const char *fmt, ...) printf_like(6, 7);

static void problem(struct checker *c, int error, unsigned int table, unsigned int index,
		    const char *field, const char *fmt, ...)
{
	char message[320];
	va_list ap;

	va_start(ap, fmt);
	format_vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (!c->first_error)
		c->first_error = -error;
	if (c->report) {
		struct config_problem p = {
			.error = error, .table = table, .index = index,
			.field = field, .message = message,
		};
		c->report(c->ctx, &p);
	}
}

/* A printable copy of a fixed-size name, safe even when unterminated. */
struct shown_name {
	char text[BH_NAME_LEN + 1];
};

static struct shown_name show_name(const char *name)
{
	struct shown_name s;
	size_t i;

	for (i = 0; i < BH_NAME_LEN && name[i]; i++)
		s.text[i] = (name[i] >= 0x20 && name[i] < 0x7f && name[i] != '"') ? name[i] : '?';
	s.text[i] = '\0';
	return s;
}

static bool name_valid(const char *name)
{
	return name[0] != '\0' && strnlen(name, BH_NAME_LEN) < BH_NAME_LEN;
}

#define CELL_NAME(c, i) (show_name((c)->cells[i].name).text)

/* [base, base + size) is non-empty and does not wrap past 2^64. */
static bool range_ok(uint64_t base, uint64_t size)
{
	return size != 0 && base + size - 1 >= base;
}

/* Both ranges must already satisfy range_ok. */
static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a <= b + (b_size - 1) && b <= a + (a_size - 1);
}

static bool page_aligned(uint64_t v)
{
	return (v & (BH_PAGE_BYTES - 1)) == 0;
}

/* ---- header and tables ---- */

static bool check_table(struct checker *c, const struct bh_table *t, const char *what,
			uint32_t record_size, uint32_t max_count)
{
	uint64_t end = (uint64_t)t->offset_bytes + (uint64_t)t->count * record_size;

	if (t->record_size_bytes != record_size) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, what,
			"%s table: record size %u, expected %u for ABI version %u",
			what, t->record_size_bytes, record_size, BH_CONFIG_ABI_VERSION);
		return false;
	}
	if (t->count > max_count) {
		problem(c, CONFIG_E_LIMIT, CONFIG_AT_HEADER, 0, what,
			"%s table: %u records, at most %u supported", what, t->count, max_count);
		return false;
	}
	if (t->reserved != 0 || (t->offset_bytes & 7) != 0 ||
	    t->offset_bytes < sizeof(struct bh_config_header) || end > c->size) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, what,
			"%s table: [0x%x, +%u x %u bytes) is not an 8-byte aligned range "
			"after the header and inside the %u-byte blob",
			what, t->offset_bytes, t->count, record_size, c->size);
		return false;
	}
	return true;
}

static bool check_header(struct checker *c, const void *blob, size_t size)
{
	const struct bh_config_header *h = blob;

	if (((uintptr_t)blob & 7) != 0) {
		problem(c, CONFIG_E_ALIGN, CONFIG_AT_HEADER, 0, "magic",
			"config at %p is not 8-byte aligned", blob);
		return false;
	}
	if (size < sizeof(*h)) {
		problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			"config is %zu bytes, shorter than its %zu-byte header",
			size, sizeof(*h));
		return false;
	}
	if (h->magic != BH_CONFIG_MAGIC) {
		problem(c, CONFIG_E_MAGIC, CONFIG_AT_HEADER, 0, "magic",
			"config magic is 0x%08x, expected 0x%08x (\"BHCF\")",
			h->magic, BH_CONFIG_MAGIC);
		return false;
	}
	if (h->abi_version != BH_CONFIG_ABI_VERSION) {
		problem(c, CONFIG_E_VERSION, CONFIG_AT_HEADER, 0, "abi_version",
			"config ABI version is %u, this build understands version %u",
			h->abi_version, BH_CONFIG_ABI_VERSION);
		return false;
	}
	if (h->total_size_bytes < sizeof(*h) || h->total_size_bytes > size) {
		problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
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
		problem(c, CONFIG_E_CRC, CONFIG_AT_HEADER, 0, "crc32",
			"config CRC is 0x%08x, but its contents give 0x%08x: corrupted",
			h->crc32, crc);
		return false;
	}
	if (h->arch != BH_ARCH_ARM64 && h->arch != BH_ARCH_X86_64) {
		problem(c, CONFIG_E_ARCH, CONFIG_AT_HEADER, 0, "arch",
			"config architecture %u is unknown (1 = arm64, 2 = x86_64)", h->arch);
		return false;
	}
	if (c->arch != 0 && h->arch != c->arch) {
		problem(c, CONFIG_E_ARCH, CONFIG_AT_HEADER, 0, "arch",
			"config is for %s, expected %s",
			h->arch == BH_ARCH_ARM64 ? "arm64" : "x86_64",
			c->arch == BH_ARCH_ARM64 ? "arm64" : "x86_64");
		return false;
	}
	c->arch = h->arch;
	if (h->flags != 0) {
		problem(c, CONFIG_E_FLAGS, CONFIG_AT_HEADER, 0, "flags",
			"config flags 0x%x: no flags are defined in version %u",
			h->flags, BH_CONFIG_ABI_VERSION);
		return false;
	}
	if (!name_valid(h->platform)) {
		problem(c, CONFIG_E_NAME, CONFIG_AT_HEADER, 0, "platform",
			"platform name is empty or not NUL-terminated within %u bytes",
			BH_NAME_LEN);
		return false;
	}
	if (!check_table(c, &h->cells, "cells", sizeof(struct bh_cell), CONFIG_MAX_CELLS) ||
	    !check_table(c, &h->regions, "regions", sizeof(struct bh_mem_region),
			 CONFIG_MAX_REGIONS) ||
	    !check_table(c, &h->devices, "devices", sizeof(struct bh_device),
			 CONFIG_MAX_DEVICES) ||
	    !check_table(c, &h->irqs, "irqs", sizeof(struct bh_irq), CONFIG_MAX_IRQS) ||
	    !check_table(c, &h->channels, "channels", sizeof(struct bh_channel),
			 CONFIG_MAX_CHANNELS))
		return false;

	c->hdr = h;
	c->cells = (const void *)(c->blob + h->cells.offset_bytes);
	c->regions = (const void *)(c->blob + h->regions.offset_bytes);
	c->devices = (const void *)(c->blob + h->devices.offset_bytes);
	c->irqs = (const void *)(c->blob + h->irqs.offset_bytes);
	c->channels = (const void *)(c->blob + h->channels.offset_bytes);
	c->cell_count = h->cells.count;
	c->region_count = h->regions.count;
	c->device_count = h->devices.count;
	c->irq_count = h->irqs.count;
	c->channel_count = h->channels.count;
	return true;
}

static void check_machine_ranges(struct checker *c)
{
	const struct bh_config_header *h = c->hdr;

	if (!range_ok(h->hv_memory.base, h->hv_memory.size_bytes))
		problem(c, CONFIG_E_SIZE, CONFIG_AT_HEADER, 0, "hv_memory",
			"hypervisor memory [0x%llx, +0x%llx) is empty or wraps",
			(unsigned long long)h->hv_memory.base,
			(unsigned long long)h->hv_memory.size_bytes);
	else if (!page_aligned(h->hv_memory.base) || !page_aligned(h->hv_memory.size_bytes))
		problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_HEADER, 0, "hv_memory",
			"hypervisor memory [0x%llx, +0x%llx) is not 4 KiB-aligned",
			(unsigned long long)h->hv_memory.base,
			(unsigned long long)h->hv_memory.size_bytes);
	/* A loader area of size 0 means "none" (x86: GRUB places modules). */
	if (h->loader_area.size_bytes != 0 &&
	    !range_ok(h->loader_area.base, h->loader_area.size_bytes))
		problem(c, CONFIG_E_SIZE, CONFIG_AT_HEADER, 0, "loader_area",
			"loader area [0x%llx, +0x%llx) wraps",
			(unsigned long long)h->loader_area.base,
			(unsigned long long)h->loader_area.size_bytes);
	uint32_t kind = h->console.kind;
	if (kind > BH_CONSOLE_8250_PORT ||
	    (kind == BH_CONSOLE_PL011 && c->arch != BH_ARCH_ARM64) ||
	    (kind == BH_CONSOLE_8250_PORT && c->arch != BH_ARCH_X86_64))
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, "console",
			"console kind %u is not valid on this architecture", kind);
}

/* True (and reported) when a host range overlaps hypervisor memory or the loader area. */
static bool hits_hv_memory(struct checker *c, unsigned int table, unsigned int index,
			   const char *field, const char *what, uint64_t base, uint64_t size)
{
	const struct bh_range *hv = &c->hdr->hv_memory;
	const struct bh_range *ld = &c->hdr->loader_area;

	if (range_ok(hv->base, hv->size_bytes) &&
	    ranges_overlap(base, size, hv->base, hv->size_bytes)) {
		problem(c, CONFIG_E_HV_MEMORY, table, index, field,
			"%s [0x%llx, +0x%llx) overlaps hypervisor memory [0x%llx, +0x%llx)",
			what, (unsigned long long)base, (unsigned long long)size,
			(unsigned long long)hv->base, (unsigned long long)hv->size_bytes);
		return true;
	}
	if (ld->size_bytes && range_ok(ld->base, ld->size_bytes) &&
	    ranges_overlap(base, size, ld->base, ld->size_bytes)) {
		problem(c, CONFIG_E_HV_MEMORY, table, index, field,
			"%s [0x%llx, +0x%llx) overlaps the loader area [0x%llx, +0x%llx) "
			"that holds the system image at boot",
			what, (unsigned long long)base, (unsigned long long)size,
			(unsigned long long)ld->base, (unsigned long long)ld->size_bytes);
		return true;
	}
	return false;
}

/* ---- cells ---- */

static bool cell_slice_ok(struct checker *c, uint32_t i, const char *what, uint32_t first,
			  uint32_t count, uint32_t table_count)
{
	if ((uint64_t)first + count > table_count) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_CELL, i, what,
			"cell \"%s\": %s [%u, +%u) lies outside the table of %u",
			CELL_NAME(c, i), what, first, count, table_count);
		return false;
	}
	return true;
}

/* Returns false when the cell tables cannot be walked safely. */
static bool check_cells_structure(struct checker *c)
{
	bool ok = true;

	if (c->cell_count == 0) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, "cells",
			"config has no cells");
		return false;
	}
	for (uint32_t i = 0; i < c->cell_count; i++) {
		const struct bh_cell *cell = &c->cells[i];

		if (!name_valid(cell->name)) {
			problem(c, CONFIG_E_NAME, CONFIG_AT_CELL, i, "name",
				"cell %u: name is empty or not NUL-terminated within %u bytes",
				i, BH_NAME_LEN);
			ok = false;
			continue;
		}
		ok &= cell_slice_ok(c, i, "regions", cell->region_first, cell->region_count,
				    c->region_count);
		ok &= cell_slice_ok(c, i, "devices", cell->device_first, cell->device_count,
				    c->device_count);
		ok &= cell_slice_ok(c, i, "irqs", cell->irq_first, cell->irq_count,
				    c->irq_count);
	}
	return ok;
}

static void check_cell_names(struct checker *c)
{
	for (uint32_t i = 0; i < c->cell_count; i++)
		for (uint32_t j = 0; j < i; j++)
			if (!strncmp(c->cells[i].name, c->cells[j].name, BH_NAME_LEN))
				problem(c, CONFIG_E_NAME, CONFIG_AT_CELL, i, "name",
					"cell %u: name \"%s\" is also the name of cell %u",
					i, CELL_NAME(c, i), j);
}

static bool boot_protocol_ok(uint32_t arch, uint32_t protocol)
{
	return protocol == BH_BOOT_NATIVE ||
	       (protocol == BH_BOOT_LINUX_ARM64 && arch == BH_ARCH_ARM64) ||
	       (protocol == BH_BOOT_LINUX_X86 && arch == BH_ARCH_X86_64);
}

static void check_cell_cpus(struct checker *c, uint32_t i)
{
	const struct bh_cell *cell = &c->cells[i];

	if (cell->cpu_count == 0) {
		problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_count",
			"cell \"%s\" has no CPU, so no boot CPU", CELL_NAME(c, i));
		return;
	}
	if (cell->cpu_count > BH_CELL_MAX_CPUS) {
		problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_count",
			"cell \"%s\" has %u CPUs, at most %u supported",
			CELL_NAME(c, i), cell->cpu_count, BH_CELL_MAX_CPUS);
		return;
	}
	for (uint32_t a = 0; a < cell->cpu_count; a++) {
		uint64_t hwid = cell->cpu_hwid[a];

		for (uint32_t b = 0; b < a; b++)
			if (cell->cpu_hwid[b] == hwid)
				problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_hwid",
					"cell \"%s\" lists CPU 0x%llx twice",
					CELL_NAME(c, i), (unsigned long long)hwid);
		/* Each pair of cells is reported once, from the later cell. */
		for (uint32_t j = 0; j < i; j++) {
			const struct bh_cell *other = &c->cells[j];
			uint32_t n = other->cpu_count > BH_CELL_MAX_CPUS ? 0 : other->cpu_count;

			for (uint32_t b = 0; b < n; b++) {
				if (other->cpu_hwid[b] != hwid)
					continue;
				if ((cell->flags | other->flags) & BH_CELL_REALTIME)
					problem(c, CONFIG_E_REALTIME, CONFIG_AT_CELL, i, "cpu_hwid",
						"cell \"%s\": CPU 0x%llx is also in cell \"%s\"; "
						"a realtime cell's CPUs must be its own",
						CELL_NAME(c, i), (unsigned long long)hwid,
						CELL_NAME(c, j));
				else
					problem(c, CONFIG_E_CPU, CONFIG_AT_CELL, i, "cpu_hwid",
						"cell \"%s\": CPU 0x%llx is also in cell \"%s\"",
						CELL_NAME(c, i), (unsigned long long)hwid,
						CELL_NAME(c, j));
			}
		}
	}
}

/* Index of the cell's RAM region (not device, not channel) holding [addr, +size), or -1. */
static int cell_ram_region_at(struct checker *c, uint32_t i, uint64_t addr, uint64_t size,
			      uint32_t need_flags)
{
	const struct bh_cell *cell = &c->cells[i];

	for (uint32_t r = cell->region_first; r < cell->region_first + cell->region_count; r++) {
		const struct bh_mem_region *reg = &c->regions[r];

		if (reg->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS))
			continue;
		if ((reg->flags & need_flags) != need_flags || !range_ok(reg->guest_phys, reg->size_bytes))
			continue;
		if (addr >= reg->guest_phys && addr - reg->guest_phys < reg->size_bytes &&
		    size <= reg->size_bytes - (addr - reg->guest_phys))
			return (int)(r - cell->region_first);
	}
	return -1;
}

static void check_cell_boot(struct checker *c, uint32_t i)
{
	const struct bh_cell *cell = &c->cells[i];

	if (cell->flags & ~BH_CELL_FLAGS_KNOWN)
		problem(c, CONFIG_E_FLAGS, CONFIG_AT_CELL, i, "flags",
			"cell \"%s\": unknown flags 0x%x", CELL_NAME(c, i),
			cell->flags & ~BH_CELL_FLAGS_KNOWN);
	if (cell->reserved0 || cell->reserved1)
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_CELL, i, "reserved",
			"cell \"%s\": reserved fields must be 0", CELL_NAME(c, i));
	if (!boot_protocol_ok(c->arch, cell->boot_protocol)) {
		problem(c, CONFIG_E_BOOT, CONFIG_AT_CELL, i, "boot_protocol",
			"cell \"%s\": boot protocol %u is not valid on %s",
			CELL_NAME(c, i), cell->boot_protocol,
			c->arch == BH_ARCH_ARM64 ? "arm64" : "x86_64");
		return;
	}
	if (cell->image_item == BH_NONE) {
		problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, "image_item",
			"cell \"%s\" has no image", CELL_NAME(c, i));
	}
	if (cell->boot_protocol == BH_BOOT_LINUX_ARM64 && cell->dtb_item == BH_NONE)
		problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, "dtb_item",
			"cell \"%s\": a linux-arm64 cell needs a device tree item",
			CELL_NAME(c, i));
	if (cell->initrd_item != BH_NONE && cell->dtb_item == BH_NONE &&
	    cell->boot_protocol != BH_BOOT_LINUX_X86)
		problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, "initrd_item",
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
		{ cell->image_item, cell->image_guest_phys, "image_guest_phys",
		  "image load address", 0 },
		{ cell->dtb_item, cell->dtb_guest_phys, "dtb_guest_phys", "DTB load address", 0 },
		{ cell->initrd_item, cell->initrd_guest_phys, "initrd_guest_phys",
		  "initrd load address", 0 },
	};
	for (size_t k = 0; k < ARRAY_SIZE(loads); k++) {
		if (loads[k].item == BH_NONE)
			continue;
		if (loads[k].item >= BH_SYSIMAGE_MAX_ITEMS)
			problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, i, loads[k].field,
				"cell \"%s\": item index %u for the %s is beyond the %u items "
				"a system image may have", CELL_NAME(c, i), loads[k].item,
				loads[k].what, BH_SYSIMAGE_MAX_ITEMS);
		if (cell_ram_region_at(c, i, loads[k].addr, 1, loads[k].flags) < 0)
			problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, loads[k].field,
				"cell \"%s\": %s 0x%llx is not inside one of its own %smemory regions",
				CELL_NAME(c, i), loads[k].what, (unsigned long long)loads[k].addr,
				loads[k].flags & BH_MEM_EXEC ? "executable " : "");
	}
}

/* ---- memory regions ---- */

/*
 * A status region maps the hypervisor's own page read-only: any other right
 * would let a cell write hypervisor memory or run it, and a host address
 * would suggest that some other memory is mapped (it is not).
 */
static bool hv_status_region_ok(struct checker *c, uint32_t r, const char *name, uint32_t local)
{
	const struct bh_mem_region *reg = &c->regions[r];
	uint64_t need = ((uint64_t)sizeof(struct bh_hv_status) + BH_PAGE_BYTES - 1) &
			~(uint64_t)(BH_PAGE_BYTES - 1);

	if (reg->flags != (BH_MEM_READ | BH_MEM_HV_STATUS)) {
		problem(c, CONFIG_E_FLAGS, CONFIG_AT_REGION, r, "flags",
			"cell \"%s\": region %u flags 0x%x: the hypervisor status region must be "
			"read-only (0x%x: read, hv-status; no write, exec, device or channel)",
			name, local, reg->flags, BH_MEM_READ | BH_MEM_HV_STATUS);
		return false;
	}
	if (reg->host_phys != 0) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_REGION, r, "host_phys",
			"cell \"%s\": region %u: host address 0x%llx given for the hypervisor status "
			"region, expected 0 (the hypervisor supplies its own page)",
			name, local, (unsigned long long)reg->host_phys);
		return false;
	}
	if (reg->size_bytes < need) {
		problem(c, CONFIG_E_SIZE, CONFIG_AT_REGION, r, "size_bytes",
			"cell \"%s\": region %u: 0x%llx bytes cannot hold the hypervisor status "
			"(0x%llx bytes)", name, local, (unsigned long long)reg->size_bytes,
			(unsigned long long)need);
		return false;
	}
	return true;
}

static void check_region_shape(struct checker *c, uint32_t r, bool *shape_ok)
{
	const struct bh_mem_region *reg = &c->regions[r];
	uint32_t owner = reg->cell;
	struct shown_name owner_name = show_name(owner < c->cell_count ? c->cells[owner].name : "?");
	const char *name = owner_name.text;
	uint32_t local = owner < c->cell_count ? r - c->cells[owner].region_first : r;

	*shape_ok = false;
	if (owner >= c->cell_count || r < c->cells[owner].region_first ||
	    r >= c->cells[owner].region_first + c->cells[owner].region_count) {
		problem(c, CONFIG_E_OWNER, CONFIG_AT_REGION, r, "cell",
			"region %u names cell %u but is not in that cell's region list", r, owner);
		return;
	}
	if (!range_ok(reg->guest_phys, reg->size_bytes) ||
	    !range_ok(reg->host_phys, reg->size_bytes)) {
		problem(c, CONFIG_E_SIZE, CONFIG_AT_REGION, r, "size_bytes",
			"cell \"%s\": region %u [0x%llx, +0x%llx) is empty or wraps past 2^64",
			name, local, (unsigned long long)reg->host_phys,
			(unsigned long long)reg->size_bytes);
		return;
	}
	if (!page_aligned(reg->guest_phys) || !page_aligned(reg->host_phys) ||
	    !page_aligned(reg->size_bytes)) {
		problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_REGION, r,
			!page_aligned(reg->size_bytes) ? "size_bytes" :
			!page_aligned(reg->host_phys) ? "host_phys" : "guest_phys",
			"cell \"%s\": region %u guest 0x%llx host 0x%llx size 0x%llx: "
			"all three must be multiples of 4 KiB",
			name, local, (unsigned long long)reg->guest_phys,
			(unsigned long long)reg->host_phys, (unsigned long long)reg->size_bytes);
		return;
	}
	if (reg->flags & ~BH_MEM_FLAGS_KNOWN || !(reg->flags & (BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC))) {
		problem(c, CONFIG_E_FLAGS, CONFIG_AT_REGION, r, "flags",
			"cell \"%s\": region %u flags 0x%x: unknown bits or no access at all",
			name, local, reg->flags);
		return;
	}
	if (reg->reserved) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_REGION, r, "reserved",
			"cell \"%s\": region %u: reserved field must be 0", name, local);
		return;
	}
	if ((reg->flags & BH_MEM_HV_STATUS) && !hv_status_region_ok(c, r, name, local))
		return;
	bool comm = reg->flags & BH_MEM_COMM;
	if (comm ? reg->channel >= c->channel_count : reg->channel != BH_NONE) {
		problem(c, CONFIG_E_CHANNEL, CONFIG_AT_REGION, r, "channel",
			"cell \"%s\": region %u: channel index %u %s", name, local, reg->channel,
			comm ? "does not exist" : "given for a region that is not a channel");
		return;
	}
	*shape_ok = true;
}

static void check_regions(struct checker *c)
{
	bool ok[CONFIG_MAX_REGIONS];

	for (uint32_t r = 0; r < c->region_count; r++) {
		check_region_shape(c, r, &ok[r]);
		if (!ok[r])
			continue;
		const struct bh_mem_region *reg = &c->regions[r];
		char what[64];

		/* A status region has no host range of its own (host_phys is 0). */
		if (reg->flags & BH_MEM_HV_STATUS)
			continue;
		format_snprintf(what, sizeof(what), "cell \"%s\": region %u",
				CELL_NAME(c, reg->cell), r - c->cells[reg->cell].region_first);
		hits_hv_memory(c, CONFIG_AT_REGION, r, "host_phys", what,
			       reg->host_phys, reg->size_bytes);
	}
	for (uint32_t a = 0; a < c->region_count; a++) {
		if (!ok[a])
			continue;
		const struct bh_mem_region *ra = &c->regions[a];

		for (uint32_t b = 0; b < a; b++) {
			if (!ok[b])
				continue;
			const struct bh_mem_region *rb = &c->regions[b];
			uint32_t la = a - c->cells[ra->cell].region_first;
			uint32_t lb = b - c->cells[rb->cell].region_first;

			if (ra->cell == rb->cell &&
			    ranges_overlap(ra->guest_phys, ra->size_bytes, rb->guest_phys, rb->size_bytes))
				problem(c, CONFIG_E_OVERLAP, CONFIG_AT_REGION, a, "guest_phys",
					"cell \"%s\": region %u at guest [0x%llx, +0x%llx) overlaps "
					"its region %u at guest [0x%llx, +0x%llx)",
					CELL_NAME(c, ra->cell), la, (unsigned long long)ra->guest_phys,
					(unsigned long long)ra->size_bytes, lb,
					(unsigned long long)rb->guest_phys,
					(unsigned long long)rb->size_bytes);
			bool same_channel = (ra->flags & rb->flags & BH_MEM_COMM) &&
					    ra->channel == rb->channel;
			bool no_host = (ra->flags | rb->flags) & BH_MEM_HV_STATUS;
			if (!same_channel && !no_host &&
			    ranges_overlap(ra->host_phys, ra->size_bytes, rb->host_phys, rb->size_bytes))
				problem(c, CONFIG_E_OVERLAP, CONFIG_AT_REGION, a, "host_phys",
					"cell \"%s\": region %u [0x%llx, +0x%llx) overlaps "
					"cell \"%s\" region %u [0x%llx, +0x%llx)",
					CELL_NAME(c, ra->cell), la, (unsigned long long)ra->host_phys,
					(unsigned long long)ra->size_bytes, CELL_NAME(c, rb->cell), lb,
					(unsigned long long)rb->host_phys,
					(unsigned long long)rb->size_bytes);
		}
	}
}

/* ---- devices and interrupts ---- */

static bool irq_number_ok(uint32_t arch, uint32_t n)
{
	if (arch == BH_ARCH_ARM64)
		return n >= BH_ARM64_FIRST_SPI && n < BH_ARM64_INTID_LIMIT;
	return n < BH_X86_GSI_LIMIT;
}

static void check_devices(struct checker *c)
{
	bool ok[CONFIG_MAX_DEVICES];

	for (uint32_t d = 0; d < c->device_count; d++) {
		const struct bh_device *dev = &c->devices[d];
		uint32_t owner = dev->cell;

		ok[d] = false;
		if (owner >= c->cell_count || d < c->cells[owner].device_first ||
		    d >= c->cells[owner].device_first + c->cells[owner].device_count) {
			problem(c, CONFIG_E_OWNER, CONFIG_AT_DEVICE, d, "cell",
				"device %u names cell %u but is not in that cell's device list",
				d, owner);
			continue;
		}
		struct shown_name owner_name = show_name(c->cells[owner].name);
		const char *cname = owner_name.text;
		if (!name_valid(dev->name)) {
			problem(c, CONFIG_E_NAME, CONFIG_AT_DEVICE, d, "name",
				"cell \"%s\": device %u: name is empty or not NUL-terminated",
				cname, d - c->cells[owner].device_first);
			continue;
		}
		struct shown_name dev_name = show_name(dev->name);
		const char *dname = dev_name.text;
		if (dev->kind != BH_DEVICE_MMIO &&
		    !(dev->kind == BH_DEVICE_PORT && c->arch == BH_ARCH_X86_64)) {
			problem(c, CONFIG_E_LAYOUT, CONFIG_AT_DEVICE, d, "kind",
				"cell \"%s\": device \"%s\": kind %u is not valid on this architecture",
				cname, dname, dev->kind);
			continue;
		}
		uint64_t limit = dev->kind == BH_DEVICE_PORT ? 0x10000 : 0;
		if (!range_ok(dev->base, dev->size_bytes) ||
		    (limit && (dev->base >= limit || dev->size_bytes > limit - dev->base))) {
			problem(c, CONFIG_E_SIZE, CONFIG_AT_DEVICE, d, "size_bytes",
				"cell \"%s\": device \"%s\" [0x%llx, +0x%llx) is empty or out of range",
				cname, dname, (unsigned long long)dev->base,
				(unsigned long long)dev->size_bytes);
			continue;
		}
		if (dev->kind == BH_DEVICE_MMIO &&
		    (!page_aligned(dev->base) || !page_aligned(dev->size_bytes))) {
			problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_DEVICE, d, "base",
				"cell \"%s\": device \"%s\" [0x%llx, +0x%llx) is not 4 KiB-aligned: "
				"stage-2 passes through whole pages",
				cname, dname, (unsigned long long)dev->base,
				(unsigned long long)dev->size_bytes);
			continue;
		}
		if ((uint64_t)dev->irq_first + dev->irq_count > c->irq_count) {
			problem(c, CONFIG_E_LAYOUT, CONFIG_AT_DEVICE, d, "irq_first",
				"cell \"%s\": device \"%s\": irqs [%u, +%u) outside the table of %u",
				cname, dname, dev->irq_first, dev->irq_count, c->irq_count);
			continue;
		}
		ok[d] = true;
		for (uint32_t k = 0; k < d; k++) {
			const struct bh_device *o = &c->devices[k];

			if (!ok[k] || !name_valid(o->name))
				continue;
			if (o->cell == owner && !strncmp(o->name, dev->name, BH_NAME_LEN))
				problem(c, CONFIG_E_NAME, CONFIG_AT_DEVICE, d, "name",
					"cell \"%s\": two devices are named \"%s\"", cname, dname);
			if (o->kind == dev->kind &&
			    ranges_overlap(o->base, o->size_bytes, dev->base, dev->size_bytes))
				problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d, "base",
					"cell \"%s\": device \"%s\" [0x%llx, +0x%llx) overlaps device "
					"\"%s\" of cell \"%s\": a device belongs to one cell",
					cname, dname, (unsigned long long)dev->base,
					(unsigned long long)dev->size_bytes, show_name(o->name).text,
					CELL_NAME(c, o->cell));
		}
		if (dev->kind != BH_DEVICE_MMIO)
			continue;
		char what[80];
		format_snprintf(what, sizeof(what), "cell \"%s\": device \"%s\"", cname, dname);
		hits_hv_memory(c, CONFIG_AT_DEVICE, d, "base", what, dev->base, dev->size_bytes);
		/* Device pages must not alias any cell's memory (host side). */
		for (uint32_t r = 0; r < c->region_count; r++) {
			const struct bh_mem_region *reg = &c->regions[r];

			if (reg->cell >= c->cell_count || !range_ok(reg->host_phys, reg->size_bytes))
				continue;
			if (!(reg->flags & BH_MEM_HV_STATUS) &&
			    ranges_overlap(dev->base, dev->size_bytes, reg->host_phys, reg->size_bytes))
				problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d, "base",
					"%s [0x%llx, +0x%llx) overlaps cell \"%s\" region %u",
					what, (unsigned long long)dev->base,
					(unsigned long long)dev->size_bytes, CELL_NAME(c, reg->cell),
					r - c->cells[reg->cell].region_first);
			/* ...nor, in the owner's guest view, one of its regions. */
			else if (reg->cell == owner &&
				 ranges_overlap(dev->base, dev->size_bytes, reg->guest_phys,
						reg->size_bytes))
				problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d, "base",
					"%s [0x%llx, +0x%llx) overlaps its own region %u at guest 0x%llx",
					what, (unsigned long long)dev->base,
					(unsigned long long)dev->size_bytes,
					r - c->cells[owner].region_first,
					(unsigned long long)reg->guest_phys);
		}
	}
}

static void check_irqs(struct checker *c)
{
	for (uint32_t q = 0; q < c->irq_count; q++) {
		const struct bh_irq *irq = &c->irqs[q];
		uint32_t owner = irq->cell;

		if (owner >= c->cell_count || q < c->cells[owner].irq_first ||
		    q >= c->cells[owner].irq_first + c->cells[owner].irq_count ||
		    irq->device >= c->device_count || c->devices[irq->device].cell != owner ||
		    q < c->devices[irq->device].irq_first ||
		    q - c->devices[irq->device].irq_first >= c->devices[irq->device].irq_count) {
			problem(c, CONFIG_E_OWNER, CONFIG_AT_IRQ, q, "cell",
				"interrupt record %u (number %u) names cell %u and device %u, "
				"which do not list it", q, irq->number, owner, irq->device);
			continue;
		}
		struct shown_name owner_name = show_name(c->cells[owner].name);
		const char *cname = owner_name.text;
		if (irq->flags & ~BH_IRQ_FLAGS_KNOWN) {
			problem(c, CONFIG_E_FLAGS, CONFIG_AT_IRQ, q, "flags",
				"cell \"%s\": interrupt %u: unknown flags 0x%x",
				cname, irq->number, irq->flags);
		}
		if (!irq_number_ok(c->arch, irq->number)) {
			problem(c, CONFIG_E_IRQ, CONFIG_AT_IRQ, q, "number",
				"cell \"%s\": interrupt %u is out of range: expected %s",
				cname, irq->number,
				c->arch == BH_ARCH_ARM64 ? "a GIC SPI, INTID 32..1019" :
							   "an IOAPIC GSI 0..255");
			continue;
		}
		for (uint32_t k = 0; k < q; k++)
			if (c->irqs[k].number == irq->number && c->irqs[k].cell < c->cell_count)
				problem(c, CONFIG_E_IRQ, CONFIG_AT_IRQ, q, "number",
					"cell \"%s\": interrupt %u is also owned by cell \"%s\"",
					cname, irq->number, CELL_NAME(c, c->irqs[k].cell));
	}
}

/* ---- channels ---- */

static void check_channel(struct checker *c, uint32_t ch_index)
{
	const struct bh_channel *ch = &c->channels[ch_index];

	if (!name_valid(ch->name)) {
		problem(c, CONFIG_E_NAME, CONFIG_AT_CHANNEL, ch_index, "name",
			"channel %u: name is empty or not NUL-terminated", ch_index);
		return;
	}
	struct shown_name ch_name = show_name(ch->name);
	const char *name = ch_name.text;
	for (uint32_t k = 0; k < ch_index; k++)
		if (!strncmp(c->channels[k].name, ch->name, BH_NAME_LEN))
			problem(c, CONFIG_E_NAME, CONFIG_AT_CHANNEL, ch_index, "name",
				"channel \"%s\": name used by channel %u too", name, k);
	if (!range_ok(ch->host_phys, ch->size_bytes)) {
		problem(c, CONFIG_E_SIZE, CONFIG_AT_CHANNEL, ch_index, "size_bytes",
			"channel \"%s\" [0x%llx, +0x%llx) is empty or wraps", name,
			(unsigned long long)ch->host_phys, (unsigned long long)ch->size_bytes);
		return;
	}
	if (!page_aligned(ch->host_phys) || !page_aligned(ch->size_bytes)) {
		problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_CHANNEL, ch_index, "host_phys",
			"channel \"%s\" [0x%llx, +0x%llx) is not 4 KiB-aligned", name,
			(unsigned long long)ch->host_phys, (unsigned long long)ch->size_bytes);
		return;
	}
	char what[64];
	format_snprintf(what, sizeof(what), "channel \"%s\"", name);
	hits_hv_memory(c, CONFIG_AT_CHANNEL, ch_index, "host_phys", what, ch->host_phys,
		       ch->size_bytes);
	if (ch->doorbell_irq != BH_NONE &&
	    (c->arch == BH_ARCH_ARM64 ? ch->doorbell_irq >= BH_ARM64_SGI_LIMIT :
	     ch->doorbell_irq < BH_X86_FIRST_VECTOR || ch->doorbell_irq > 255))
		problem(c, CONFIG_E_IRQ, CONFIG_AT_CHANNEL, ch_index, "doorbell_irq",
			"channel \"%s\": doorbell %u is out of range: expected %s", name,
			ch->doorbell_irq, c->arch == BH_ARCH_ARM64 ? "an SGI, INTID 0..15" :
								  "a vector 32..255");
	if (ch->endpoint_count < 2 || ch->endpoint_count > BH_CHANNEL_MAX_ENDPOINTS) {
		problem(c, CONFIG_E_CHANNEL, CONFIG_AT_CHANNEL, ch_index, "endpoint_count",
			"channel \"%s\" has %u endpoints, expected 2..%u", name,
			ch->endpoint_count, BH_CHANNEL_MAX_ENDPOINTS);
		return;
	}
	for (uint32_t e = 0; e < ch->endpoint_count; e++) {
		const struct bh_channel_endpoint *ep = &ch->endpoints[e];

		if (ep->cell >= c->cell_count) {
			problem(c, CONFIG_E_CHANNEL, CONFIG_AT_CHANNEL, ch_index, "endpoints",
				"channel \"%s\": endpoint %u names cell %u, but there are %u cells",
				name, e, ep->cell, c->cell_count);
			continue;
		}
		struct shown_name ep_name = show_name(c->cells[ep->cell].name);
		const char *cname = ep_name.text;
		for (uint32_t k = 0; k < e; k++)
			if (ch->endpoints[k].cell == ep->cell)
				problem(c, CONFIG_E_CHANNEL, CONFIG_AT_CHANNEL, ch_index, "endpoints",
					"channel \"%s\": cell \"%s\" is an endpoint twice", name, cname);
		if (!ep->access || (ep->access & ~(BH_MEM_READ | BH_MEM_WRITE)))
			problem(c, CONFIG_E_FLAGS, CONFIG_AT_CHANNEL, ch_index, "access",
				"channel \"%s\": cell \"%s\" access 0x%x: expected read and/or write",
				name, cname, ep->access);
		if (!page_aligned(ep->guest_phys) || !range_ok(ep->guest_phys, ch->size_bytes))
			problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_CHANNEL, ch_index, "guest_phys",
				"channel \"%s\": cell \"%s\" guest address 0x%llx is not 4 KiB-aligned "
				"or wraps", name, cname, (unsigned long long)ep->guest_phys);
		/* The stage-2 builder walks regions only: each endpoint needs its mapping. */
		const struct bh_cell *cell = &c->cells[ep->cell];
		uint32_t found = 0;
		for (uint32_t r = cell->region_first; r < cell->region_first + cell->region_count; r++) {
			const struct bh_mem_region *reg = &c->regions[r];

			if ((reg->flags & BH_MEM_COMM) && reg->channel == ch_index &&
			    reg->guest_phys == ep->guest_phys && reg->host_phys == ch->host_phys &&
			    reg->size_bytes == ch->size_bytes &&
			    (reg->flags & (BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC)) == ep->access)
				found++;
		}
		if (found != 1)
			problem(c, CONFIG_E_CHANNEL, CONFIG_AT_CHANNEL, ch_index, "endpoints",
				"channel \"%s\": cell \"%s\" has %u matching channel regions, expected 1",
				name, cname, found);
	}
	/* Conversely, every channel region must be a declared endpoint. */
	for (uint32_t r = 0; r < c->region_count; r++) {
		const struct bh_mem_region *reg = &c->regions[r];
		bool listed = false;

		if (!(reg->flags & BH_MEM_COMM) || reg->channel != ch_index)
			continue;
		for (uint32_t e = 0; e < ch->endpoint_count; e++)
			listed |= ch->endpoints[e].cell == reg->cell;
		if (!listed)
			problem(c, CONFIG_E_CHANNEL, CONFIG_AT_REGION, r, "channel",
				"region %u maps channel \"%s\" into cell %u, which is not an endpoint",
				r, name, reg->cell);
	}
}

static int run_config_check(struct checker *c, const void *blob, size_t size)
{
	c->blob = blob;
	c->size = size > 0xffffffffu ? 0xffffffffu : (uint32_t)size;
	if (!check_header(c, blob, size))
		return c->first_error;
	check_machine_ranges(c);
	if (!check_cells_structure(c))
		return c->first_error;
	check_cell_names(c);
	for (uint32_t i = 0; i < c->cell_count; i++) {
		check_cell_cpus(c, i);
		check_cell_boot(c, i);
	}
	check_regions(c);
	check_devices(c);
	check_irqs(c);
	for (uint32_t k = 0; k < c->channel_count; k++)
		check_channel(c, k);
	return c->first_error;
}

int config_check_report(const void *blob, size_t size, uint32_t expected_arch,
			config_report_fn report, void *ctx)
{
	struct checker c;

	memset(&c, 0, sizeof(c));
	c.arch = expected_arch;
	c.report = report;
	c.ctx = ctx;
	return run_config_check(&c, blob, size);
}

struct first_message {
	char *why;
	size_t why_size;
	bool written;
};

static void keep_first_message(void *ctx, const struct config_problem *p)
{
	struct first_message *m = ctx;

	if (m->written || !m->why || !m->why_size)
		return;
	/* By hand: the host C library of bhcfg may lack strlcpy. */
	size_t n = strnlen(p->message, m->why_size - 1);
	memcpy(m->why, p->message, n);
	m->why[n] = '\0';
	m->written = true;
}

int config_check(const void *blob, size_t size, uint32_t expected_arch,
		 char *why, size_t why_size)
{
	struct first_message m = { why, why_size, false };

	if (why && why_size)
		why[0] = '\0';
	return config_check_report(blob, size, expected_arch, keep_first_message, &m);
}

/* ---- system image ---- */

static const struct bh_sysimage_item *image_items(const void *image)
{
	const struct bh_sysimage_header *h = image;

	return (const void *)((const uint8_t *)image + h->item_table_offset_bytes);
}

static const char *item_kind_name(uint32_t kind)
{
	switch (kind) {
	case BH_ITEM_CONFIG: return "config";
	case BH_ITEM_IMAGE: return "image";
	case BH_ITEM_DTB: return "dtb";
	case BH_ITEM_INITRD: return "initrd";
	default: return "unknown";
	}
}

static bool check_image_header(struct checker *c, const uint8_t *image, size_t size)
{
	const struct bh_sysimage_header *h = (const void *)image;

	if (((uintptr_t)image & 7) != 0) {
		problem(c, CONFIG_E_ALIGN, CONFIG_AT_HEADER, 0, "magic",
			"system image at %p is not 8-byte aligned", (const void *)image);
		return false;
	}
	if (size < sizeof(*h)) {
		problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			"system image is %zu bytes, shorter than its %zu-byte header",
			size, sizeof(*h));
		return false;
	}
	if (h->magic != BH_SYSIMAGE_MAGIC) {
		problem(c, CONFIG_E_MAGIC, CONFIG_AT_HEADER, 0, "magic",
			"system image magic is 0x%08x, expected 0x%08x (\"BHSI\")",
			h->magic, BH_SYSIMAGE_MAGIC);
		return false;
	}
	if (h->version != BH_SYSIMAGE_VERSION) {
		problem(c, CONFIG_E_VERSION, CONFIG_AT_HEADER, 0, "version",
			"system image version is %u, this build understands version %u",
			h->version, BH_SYSIMAGE_VERSION);
		return false;
	}
	if (h->total_size_bytes > size || h->total_size_bytes < sizeof(*h)) {
		problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			"system image says it is %u bytes, but %zu bytes are available",
			h->total_size_bytes, size);
		return false;
	}
	uint64_t table_end = (uint64_t)h->item_table_offset_bytes +
			     (uint64_t)h->item_count * sizeof(struct bh_sysimage_item);
	if (h->item_size_bytes != sizeof(struct bh_sysimage_item) || h->item_count == 0 ||
	    h->item_count > BH_SYSIMAGE_MAX_ITEMS || (h->item_table_offset_bytes & 7) ||
	    h->item_table_offset_bytes < sizeof(*h) || table_end > h->total_size_bytes ||
	    h->reserved) {
		problem(c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, "item_count",
			"system image item table: %u items of %u bytes at 0x%x do not fit the "
			"%u-byte image (expected 1..%u items of %zu bytes)",
			h->item_count, h->item_size_bytes, h->item_table_offset_bytes,
			h->total_size_bytes, BH_SYSIMAGE_MAX_ITEMS, sizeof(struct bh_sysimage_item));
		return false;
	}
	struct bh_sysimage_header copy;
	memcpy(&copy, h, sizeof(copy));
	copy.crc32 = 0;
	uint32_t crc = crc32_ieee(&copy, sizeof(copy));
	crc = crc32_ieee_update(crc, image + sizeof(copy), (size_t)table_end - sizeof(copy));
	if (crc != h->crc32) {
		problem(c, CONFIG_E_CRC, CONFIG_AT_HEADER, 0, "crc32",
			"system image header CRC is 0x%08x, but header and item table give "
			"0x%08x: corrupted", h->crc32, crc);
		return false;
	}
	return true;
}

/* Returns the CONFIG item index, or -1 after reporting. */
static int check_image_items(struct checker *c, const uint8_t *image)
{
	const struct bh_sysimage_header *h = (const void *)image;
	const struct bh_sysimage_item *items = image_items(image);
	uint64_t table_end = (uint64_t)h->item_table_offset_bytes +
			     (uint64_t)h->item_count * sizeof(struct bh_sysimage_item);
	int config = -1;
	bool ok = true;

	for (uint32_t i = 0; i < h->item_count; i++) {
		const struct bh_sysimage_item *it = &items[i];
		uint64_t end = (uint64_t)it->offset_bytes + it->size_bytes;
		struct shown_name item_name = show_name(it->name);
		const char *name = item_name.text;

		if (it->kind < BH_ITEM_CONFIG || it->kind > BH_ITEM_INITRD || !name_valid(it->name) ||
		    it->reserved) {
			problem(c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "kind",
				"system image item %u \"%s\": kind %u unknown, or name or "
				"reserved field invalid", i, name, it->kind);
			ok = false;
			continue;
		}
		if ((it->offset_bytes & (BH_SYSIMAGE_ALIGN_BYTES - 1)) || it->offset_bytes < table_end ||
		    end > h->total_size_bytes) {
			problem(c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "offset_bytes",
				"system image item %u \"%s\" [0x%x, +0x%x) is not 4 KiB-aligned, "
				"overlaps the item table or ends past the image's %u bytes",
				i, name, it->offset_bytes, it->size_bytes, h->total_size_bytes);
			ok = false;
			continue;
		}
		for (uint32_t k = 0; k < i; k++) {
			const struct bh_sysimage_item *o = &items[k];

			if (it->size_bytes && o->size_bytes &&
			    ranges_overlap(it->offset_bytes, it->size_bytes, o->offset_bytes,
					   o->size_bytes)) {
				problem(c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "offset_bytes",
					"system image item %u \"%s\" overlaps item %u", i, name, k);
				ok = false;
			}
		}
		uint32_t crc = crc32_ieee(image + it->offset_bytes, it->size_bytes);
		if (crc != it->crc32) {
			problem(c, CONFIG_E_CRC, CONFIG_AT_ITEM, i, "crc32",
				"system image item %u \"%s\": CRC is 0x%08x, but its %u bytes give "
				"0x%08x: corrupted", i, name, it->crc32, it->size_bytes, crc);
			ok = false;
		}
		if (it->kind == BH_ITEM_CONFIG) {
			if (config >= 0) {
				problem(c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "kind",
					"system image has a second config item (%u, first %d)", i,
					config);
				ok = false;
			}
			config = (int)i;
		}
	}
	if (config < 0 && ok) {
		problem(c, CONFIG_E_ITEM, CONFIG_AT_HEADER, 0, "item_count",
			"system image has no config item");
	}
	return ok ? config : -1;
}

static void check_item_reference(struct checker *c, const uint8_t *image, uint32_t cell_index,
				 uint32_t item_index, uint32_t kind, uint64_t guest_phys,
				 const char *field, uint8_t *used)
{
	const struct bh_sysimage_header *h = (const void *)image;
	const struct bh_sysimage_item *items = image_items(image);
	struct shown_name cell_name = show_name(c->cells[cell_index].name);
	const char *cname = cell_name.text;

	if (item_index == BH_NONE)
		return;
	if (item_index >= h->item_count) {
		problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, cell_index, field,
			"cell \"%s\": %s item %u does not exist (the image has %u items)",
			cname, item_kind_name(kind), item_index, h->item_count);
		return;
	}
	const struct bh_sysimage_item *it = &items[item_index];
	if (it->kind != kind || it->cell != cell_index) {
		problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, cell_index, field,
			"cell \"%s\": item %u is a %s item of cell %u, expected a %s item of cell %u",
			cname, item_index, item_kind_name(it->kind), it->cell,
			item_kind_name(kind), cell_index);
		return;
	}
	used[item_index]++;
	uint64_t size = it->size_bytes ? it->size_bytes : 1;
	if (cell_ram_region_at(c, cell_index, guest_phys, size, 0) < 0)
		problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, cell_index, field,
			"cell \"%s\": %s \"%s\" of 0x%x bytes at guest 0x%llx does not fit inside "
			"one of its memory regions", cname, item_kind_name(kind),
			show_name(it->name).text, it->size_bytes, (unsigned long long)guest_phys);
}

int sysimage_check_report(const void *image, size_t size, uint32_t expected_arch,
			  config_report_fn report, void *ctx)
{
	struct checker c;
	const uint8_t *bytes = image;

	memset(&c, 0, sizeof(c));
	c.arch = expected_arch;
	c.report = report;
	c.ctx = ctx;
	if (!check_image_header(&c, bytes, size))
		return c.first_error;
	int config = check_image_items(&c, bytes);
	if (config < 0)
		return c.first_error ? c.first_error : -CONFIG_E_ITEM;

	const struct bh_sysimage_item *cfg = &image_items(image)[config];
	if (run_config_check(&c, bytes + cfg->offset_bytes, cfg->size_bytes))
		return c.first_error;

	const struct bh_sysimage_header *h = image;
	uint8_t used[BH_SYSIMAGE_MAX_ITEMS];
	memset(used, 0, sizeof(used));
	used[config] = 1;
	for (uint32_t i = 0; i < c.cell_count; i++) {
		const struct bh_cell *cell = &c.cells[i];

		check_item_reference(&c, bytes, i, cell->image_item, BH_ITEM_IMAGE,
				     cell->image_guest_phys, "image_item", used);
		check_item_reference(&c, bytes, i, cell->dtb_item, BH_ITEM_DTB,
				     cell->dtb_guest_phys, "dtb_item", used);
		check_item_reference(&c, bytes, i, cell->initrd_item, BH_ITEM_INITRD,
				     cell->initrd_guest_phys, "initrd_item", used);
	}
	for (uint32_t k = 0; k < h->item_count; k++)
		if (used[k] != 1)
			problem(&c, CONFIG_E_ITEM, CONFIG_AT_ITEM, k, "cell",
				"system image item %u \"%s\" is used %u times, expected once",
				k, show_name(image_items(image)[k].name).text, used[k]);
	return c.first_error;
}

int sysimage_check(const void *image, size_t size, uint32_t expected_arch,
		   char *why, size_t why_size)
{
	struct first_message m = { why, why_size, false };

	if (why && why_size)
		why[0] = '\0';
	return sysimage_check_report(image, size, expected_arch, keep_first_message, &m);
}

const void *sysimage_config(const void *image, size_t *config_size)
{
	const struct bh_sysimage_header *h = image;
	const struct bh_sysimage_item *items = image_items(image);

	for (uint32_t i = 0; i < h->item_count; i++)
		if (items[i].kind == BH_ITEM_CONFIG) {
			*config_size = items[i].size_bytes;
			return (const uint8_t *)image + items[i].offset_bytes;
		}
	*config_size = 0;
	return NULL;
}
