/*
 * struct system -> binary config (bulkhead/config.h), and the bridge that
 * runs abi/check/ on it and names the DTS node and property of
 * each problem. The layout is header then cells, regions, devices, irqs,
 * channels, each table 8-byte aligned; the CRC is computed last.
 */
#include <stdlib.h>
#include <string.h>

#include <lib/crc32.h>
#include <libfdt.h>

#include "bhcfg.h"

static uint32_t place(uint32_t *cursor, struct bh_table *t, uint32_t count, uint32_t size)
{
	t->count = count;
	t->offset_bytes = *cursor;
	t->record_size_bytes = size;
	*cursor += (count * size + 7) & ~7u;
	return t->offset_bytes;
}

void *config_emit(const struct system *sys, size_t *size)
{
	struct bh_config_header h = sys->hdr;
	uint32_t cursor = sizeof(h);

	h.magic = BH_CONFIG_MAGIC;
	h.abi_version = BH_CONFIG_ABI_VERSION;
	h.flags = 0;
	h.crc32 = 0;
	place(&cursor, &h.cells, sys->cell_count, sizeof(struct bh_cell));
	place(&cursor, &h.regions, sys->region_count, sizeof(struct bh_mem_region));
	place(&cursor, &h.devices, sys->device_count, sizeof(struct bh_device));
	place(&cursor, &h.irqs, sys->irq_count, sizeof(struct bh_irq));
	place(&cursor, &h.channels, sys->channel_count, sizeof(struct bh_channel));
	h.total_size_bytes = cursor;

	uint8_t *blob = calloc(1, cursor);
	if (!blob)
		return NULL;
	memcpy(blob + h.cells.offset_bytes, sys->cells, sys->cell_count * sizeof(struct bh_cell));
	memcpy(blob + h.regions.offset_bytes, sys->regions,
	       sys->region_count * sizeof(struct bh_mem_region));
	memcpy(blob + h.devices.offset_bytes, sys->devices,
	       sys->device_count * sizeof(struct bh_device));
	memcpy(blob + h.irqs.offset_bytes, sys->irqs, sys->irq_count * sizeof(struct bh_irq));
	memcpy(blob + h.channels.offset_bytes, sys->channels,
	       sys->channel_count * sizeof(struct bh_channel));
	memcpy(blob, &h, sizeof(h));
	h.crc32 = crc32_ieee(blob, cursor);
	memcpy(blob, &h, sizeof(h));
	*size = cursor;
	return blob;
}

/* ABI field -> the DTS property it came from, per record kind. */
struct field_source {
	unsigned int table;
	const char *field;
	const char *property;
};

static const struct field_source field_sources[] = {
	{ CONFIG_AT_HEADER, "hv_memory", "memory" },
	{ CONFIG_AT_HEADER, "loader_area", "loader-area" },
	{ CONFIG_AT_HEADER, "console", "console" },
	{ CONFIG_AT_HEADER, "arch", "arch" },
	{ CONFIG_AT_HEADER, "platform", "platform-name" },
	{ CONFIG_AT_CELL, "cpu_count", "cpus" },
	{ CONFIG_AT_CELL, "cpu_hwid", "cpus" },
	{ CONFIG_AT_CELL, "flags", "realtime" },
	{ CONFIG_AT_CELL, "boot_protocol", "boot-protocol" },
	{ CONFIG_AT_CELL, "entry_guest_phys", "entry" },
	{ CONFIG_AT_CELL, "image_item", "image" },
	{ CONFIG_AT_CELL, "image_guest_phys", "load-address" },
	{ CONFIG_AT_CELL, "dtb_item", "dtb-address" },
	{ CONFIG_AT_CELL, "dtb_guest_phys", "dtb-address" },
	{ CONFIG_AT_CELL, "initrd_item", "initrd" },
	{ CONFIG_AT_CELL, "initrd_guest_phys", "initrd-address" },
	{ CONFIG_AT_REGION, "guest_phys", "guest-phys" },
	{ CONFIG_AT_REGION, "host_phys", "host-phys" },
	{ CONFIG_AT_REGION, "size_bytes", "size" },
	{ CONFIG_AT_REGION, "flags", "flags" },
	{ CONFIG_AT_DEVICE, "base", "reg" },
	{ CONFIG_AT_DEVICE, "size_bytes", "reg" },
	{ CONFIG_AT_IRQ, "number", "interrupts" },
	{ CONFIG_AT_IRQ, "flags", "interrupts" },
	{ CONFIG_AT_CHANNEL, "host_phys", "host-phys" },
	{ CONFIG_AT_CHANNEL, "size_bytes", "size" },
	{ CONFIG_AT_CHANNEL, "doorbell_irq", "doorbell" },
	{ CONFIG_AT_CHANNEL, "access", "access" },
	{ CONFIG_AT_CHANNEL, "guest_phys", "guest-phys" },
};

/*
 * A channel endpoint becomes a region the user never wrote: its host range
 * and size are the channel's (/channels/NAME host-phys, size), its guest
 * address and access the endpoint's (/channels/NAME/CELL). Returns the
 * channel index when p is about such a region's host range, else BH_NONE.
 */
static uint32_t channel_region(const struct system *sys, const struct config_problem *p)
{
	if (p->table != CONFIG_AT_REGION || p->index >= sys->region_count)
		return BH_NONE;
	const struct bh_mem_region *reg = &sys->regions[p->index];
	if (!(reg->flags & BH_MEM_COMM) || reg->channel >= sys->channel_count)
		return BH_NONE;
	return reg->channel;
}

static const char *property_of(const struct system *sys, const struct config_problem *p)
{
	if (p->table == CONFIG_AT_CELL && !strcmp(p->field, "entry_guest_phys") &&
	    p->index < sys->cell_count && !sys->cell_src[p->index].has_entry)
		return "load-address";
	if (channel_region(sys, p) != BH_NONE)
		return !strcmp(p->field, "host_phys")    ? "host-phys"
		       : !strcmp(p->field, "size_bytes") ? "size"
		       : !strcmp(p->field, "guest_phys") ? "guest-phys"
		       : !strcmp(p->field, "flags")      ? "access"
							 : NULL;
	if (p->table == CONFIG_AT_DEVICE && p->index < sys->device_count &&
	    sys->devices[p->index].kind == BH_DEVICE_PORT &&
	    (!strcmp(p->field, "base") || !strcmp(p->field, "size_bytes")))
		return "ports";
	for (size_t i = 0; i < sizeof(field_sources) / sizeof(field_sources[0]); i++)
		if (field_sources[i].table == p->table && !strcmp(field_sources[i].field, p->field))
			return field_sources[i].property;
	return NULL;
}

static const char *node_of(const struct system *sys, const struct config_problem *p)
{
	switch (p->table) {
	case CONFIG_AT_HEADER:
		return !strncmp(p->field, "hv_", 3) || !strcmp(p->field, "loader_area") ||
				       !strcmp(p->field, "console")
			       ? "/hypervisor"
		       : !strcmp(p->field, "arch") || !strcmp(p->field, "platform") ? "/platform"
										    : "/";
	case CONFIG_AT_CELL:
		return p->index < sys->cell_count ? sys->cell_src[p->index].path : "/cells";
	case CONFIG_AT_REGION:
		if (channel_region(sys, p) != BH_NONE &&
		    (!strcmp(p->field, "host_phys") || !strcmp(p->field, "size_bytes")))
			return sys->channel_path[channel_region(sys, p)];
		return p->index < sys->region_count ? sys->region_path[p->index] : "/cells";
	case CONFIG_AT_DEVICE:
		return p->index < sys->device_count ? sys->device_path[p->index] : "/cells";
	case CONFIG_AT_IRQ:
		if (p->index < sys->irq_count && sys->irqs[p->index].device < sys->device_count)
			return sys->device_path[sys->irqs[p->index].device];
		return "/cells";
	case CONFIG_AT_CHANNEL:
		if (p->index < sys->channel_count && p->endpoint >= 0 &&
		    (uint32_t)p->endpoint < sys->channels[p->index].endpoint_count &&
		    sys->endpoint_path[p->index][p->endpoint][0])
			return sys->endpoint_path[p->index][p->endpoint];
		return p->index < sys->channel_count ? sys->channel_path[p->index] : "/channels";
	default:
		return NULL;
	}
}

static void report_with_source(void *ctx, const struct config_problem *p)
{
	const struct system *sys = ctx;

	diag_error(sys->file, node_of(sys, p), property_of(sys, p), "%s", p->message);
}

bool config_check_sources(const struct system *sys, const void *blob, size_t size)
{
	return config_check_report(blob, size, sys->hdr.arch, report_with_source, (void *)sys) == 0;
}

/*
 * What the hypervisor maps into a realtime cell itself, read from the
 * platform DTB as the hypervisor reads it at boot: arm64, the GICv3 node's
 * second reg entry (the redistributor region). Size 0: none known.
 */
static void platform_direct_reserved(const struct system *sys, const void *fdt, uint64_t *base,
				     uint64_t *size)
{
	int node, len;
	const fdt32_t *reg;

	*base = *size = 0;
	if (sys->hdr.arch != BH_ARCH_ARM64)
		return;
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node < 0)
		return;
	int parent = fdt_parent_offset(fdt, node);
	int ac = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
	int sc = parent >= 0 ? fdt_size_cells(fdt, parent) : 2;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (int)sizeof(*reg) * 2 * (ac + sc))
		return;
	reg += ac + sc; /* the distributor comes first */
	for (int k = 0; k < ac; k++)
		*base = *base << 32 | fdt32_to_cpu(reg[k]);
	for (int k = 0; k < sc; k++)
		*size = *size << 32 | fdt32_to_cpu(reg[ac + k]);
}

bool config_check_platform_reserved(const struct system *sys, const void *platform_fdt,
				    const void *blob, size_t size)
{
	uint64_t base, bytes;

	platform_direct_reserved(sys, platform_fdt, &base, &bytes);
	return config_check_direct_reserved(blob, size, base, bytes, report_with_source,
					    (void *)sys) == 0;
}
