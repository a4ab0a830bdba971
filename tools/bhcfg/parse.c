/*
 * System description (DTB, see config/bindings.md) -> struct system. Every
 * node and property is either understood or reported: nothing is silently
 * ignored. Checks here are about form (types, sizes, names); rules about
 * the whole system live in abi/check/ and check_platform.c.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#include "bhcfg.h"

struct parser {
	struct system *sys;
	const void *fdt;
	bool ok;
};

/* Error at a node (by offset) and property. */
#define perr(p, node, prop, ...) \
	do { \
		char path_[PATH_LEN]; \
		node_path((p), (node), path_); \
		diag_error((p)->sys->file, path_, (prop), __VA_ARGS__); \
		(p)->ok = false; \
	} while (0)

static void node_path(struct parser *p, int node, char *path)
{
	diag_node_path(p->fdt, node, path);
}

const char *arch_name(uint32_t arch)
{
	return arch == BH_ARCH_ARM64 ? "arm64" : arch == BH_ARCH_X86_64 ? "x86_64" : "unknown";
}

static const struct {
	const char *name;
	uint32_t protocol;
} boot_protocols[] = {
	{ "linux-arm64", BH_BOOT_LINUX_ARM64 },
	{ "linux-x86", BH_BOOT_LINUX_X86 },
	{ "bulkhead", BH_BOOT_NATIVE },
};

const char *boot_protocol_name(uint32_t protocol)
{
	for (size_t i = 0; i < sizeof(boot_protocols) / sizeof(boot_protocols[0]); i++)
		if (boot_protocols[i].protocol == protocol)
			return boot_protocols[i].name;
	return "unknown";
}

/* ---- form checks: known names only ---- */

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static void reject_unknown_properties(struct parser *p, int node, const char *const *known,
				      const char *expected)
{
	int prop;

	fdt_for_each_property_offset (prop, p->fdt, node) {
		const char *name;

		fdt_getprop_by_offset(p->fdt, prop, &name, NULL);
		if (name && !in_list(name, known))
			perr(p, node, name, "unknown property; expected one of: %s", expected);
	}
}

static void reject_subnodes(struct parser *p, int node, const char *const *allowed,
			    const char *expected)
{
	int sub;

	fdt_for_each_subnode (sub, p->fdt, node) {
		const char *name = fdt_get_name(p->fdt, sub, NULL);

		if (!allowed || !in_list(name, allowed))
			perr(p, sub, NULL, "unknown node; %s", expected);
	}
}

/* ---- typed property readers (report and return false on bad form) ---- */

/* Printable text, NUL-terminated, no empty piece: what dtc makes of "a" or "a", "b". */
static bool looks_like_strings(const char *v, int len)
{
	if (len < 2 || v[len - 1] != '\0' || v[0] == '\0')
		return false;
	for (int i = 0; i < len - 1; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == '\0' ? v[i + 1] == '\0' : ch < 0x20 && ch != '\t' && ch != '\n')
			return false;
		if (ch >= 0x7f)
			return false;
	}
	return true;
}

/*
 * What a property holds, said the way it would be written in the .dts. A DTB
 * keeps no types: a value that reads as text is shown as the string(s) it
 * spells, so `cpus = "2 3"` is reported as a string, not as CPU 0x32203300.
 */
static void describe_value(const void *value, int len, char *out, size_t size)
{
	const char *v = value;
	size_t n = 0;

#define ADD(...) \
	do { \
		if (n < size) \
			n += (size_t)snprintf(out + n, size - n, __VA_ARGS__); \
	} while (0)
	if (len <= 0) {
		ADD("no value");
	} else if (len == 1 && v[0] == '\0') {
		ADD("an empty string \"\"");
	} else if (looks_like_strings(v, len)) {
		bool list = strlen(v) != (size_t)len - 1;

		ADD("%s", list ? "the strings " : "the string ");
		for (const char *s = v; s < v + len && n < size; s += strlen(s) + 1)
			ADD("%s\"%.60s%s\"", s == v ? "" : ", ", s, strlen(s) > 60 ? "..." : "");
	} else if (len % 4 == 0) {
		const fdt32_t *cells = value;

		ADD("<");
		for (int i = 0; i < len / 4 && i < 4; i++)
			ADD("%s0x%x", i ? " " : "", fdt32_to_cpu(cells[i]));
		ADD("%s> (%d cell%s)", len / 4 > 4 ? " ..." : "", len / 4, len == 4 ? "" : "s");
	} else {
		ADD("%d bytes", len);
	}
#undef ADD
}

/* Reports "VALUE given; expected ..." for a property of the wrong type or size. */
static void perr_value(struct parser *p, int node, const char *prop, const void *value, int len,
		       const char *expected)
{
	char given[200];

	describe_value(value, len, given, sizeof(given));
	perr(p, node, prop, "%s given; expected %s", given, expected);
}

static uint64_t be_cells(const fdt32_t *cells, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(cells[i]);
	return v;
}

static bool get_u64(struct parser *p, int node, const char *name, uint64_t *value, bool required)
{
	int len;
	const fdt32_t *v = fdt_getprop(p->fdt, node, name, &len);

	if (!v) {
		if (required)
			perr(p, node, name, "missing; expected <hi lo>, a 64-bit value in 2 cells");
		return false;
	}
	if (len != 8 || looks_like_strings((const char *)v, len)) {
		perr_value(p, node, name, v, len, "<hi lo>, a 64-bit value in 2 cells");
		return false;
	}
	*value = be_cells(v, 2);
	return true;
}

static bool get_range(struct parser *p, int node, const char *name, struct bh_range *range,
		      bool required)
{
	int len;
	const fdt32_t *v = fdt_getprop(p->fdt, node, name, &len);

	if (!v) {
		if (required)
			perr(p, node, name, "missing; expected <base-hi base-lo size-hi size-lo>");
		return false;
	}
	if (len != 16 || looks_like_strings((const char *)v, len)) {
		perr_value(p, node, name, v, len, "<base-hi base-lo size-hi size-lo> (4 cells)");
		return false;
	}
	range->base = be_cells(v, 2);
	range->size_bytes = be_cells(v + 2, 2);
	return true;
}

static bool get_u32(struct parser *p, int node, const char *name, uint32_t *value, bool required)
{
	int len;
	const fdt32_t *v = fdt_getprop(p->fdt, node, name, &len);

	if (!v) {
		if (required)
			perr(p, node, name, "missing; expected one 32-bit cell");
		return false;
	}
	if (len != 4 || looks_like_strings((const char *)v, len)) {
		perr_value(p, node, name, v, len, "one 32-bit cell");
		return false;
	}
	*value = fdt32_to_cpu(v[0]);
	return true;
}

static const char *get_string(struct parser *p, int node, const char *name, bool required)
{
	int len;
	const char *s = fdt_getprop(p->fdt, node, name, &len);

	if (!s) {
		if (required)
			perr(p, node, name, "missing; expected a string");
		return NULL;
	}
	if (!looks_like_strings(s, len) || strlen(s) != (size_t)len - 1) {
		perr_value(p, node, name, s, len, "one non-empty string");
		return NULL;
	}
	return s;
}

/*
 * [base, +size) must end below 2^64. Said here, at the property, before any
 * later rule (RAM containment, alignment, overlaps, load addresses) trips
 * over the wrapped end and reports something that is not the mistake.
 */
static void check_wrap(struct parser *p, int node, const char *prop, const char *what,
		       uint64_t base, uint64_t size)
{
	if (size != 0 && base + (size - 1) < base)
		perr(p, node, prop, "%s 0x%llx + size 0x%llx wraps past 2^64", what,
		     (unsigned long long)base, (unsigned long long)size);
}

static bool copy_string(struct parser *p, int node, const char *name, const char *s, char *dst,
			size_t size)
{
	if (strlen(s) >= size) {
		perr(p, node, name, "\"%s\" is longer than %zu characters", s, size - 1);
		return false;
	}
	strcpy(dst, s);
	return true;
}

/* An empty flag property such as `realtime;`: true when present. */
static bool get_flag(struct parser *p, int node, const char *name)
{
	int len;
	const void *v = fdt_getprop(p->fdt, node, name, &len);

	if (!v)
		return false;
	if (len != 0) {
		char given[200];

		describe_value(v, len, given, sizeof(given));
		perr(p, node, name, "a flag property takes no value; %s given (write `%s;`)", given,
		     name);
	}
	return true;
}

/* A string list of access words -> BH_MEM_* bits. */
static bool get_access(struct parser *p, int node, const char *name, uint32_t allowed,
		       uint32_t *flags)
{
	static const struct {
		const char *word;
		uint32_t bit;
	} words[] = {
		{ "read", BH_MEM_READ },           { "write", BH_MEM_WRITE },
		{ "exec", BH_MEM_EXEC },           { "device", BH_MEM_DEVICE },
		{ "hv-status", BH_MEM_HV_STATUS },
	};
	int len;
	const char *s = fdt_getprop(p->fdt, node, name, &len);

	if (!s) {
		perr(p, node, name, "missing; expected a string list such as \"read\", \"write\"");
		return false;
	}
	if (!looks_like_strings(s, len)) {
		perr_value(p, node, name, s, len,
			   allowed & BH_MEM_EXEC
				   ? "a string list such as \"read\", \"write\", \"exec\""
				   : "a string list such as \"read\", \"write\"");
		return false;
	}
	*flags = 0;
	for (const char *end = s + len; s < end; s += strlen(s) + 1) {
		size_t w;

		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (!strcmp(s, words[w].word) && (words[w].bit & allowed))
				break;
		if (w == sizeof(words) / sizeof(words[0])) {
			perr(p, node, name, "\"%s\" is not an access flag here; expected %s", s,
			     allowed & BH_MEM_EXEC
				     ? "\"read\", \"write\", \"exec\", \"device\" or \"hv-status\""
				     : "\"read\" or \"write\"");
			return false;
		}
		*flags |= words[w].bit;
	}
	return true;
}

/* ---- top-level nodes ---- */

static void parse_platform(struct parser *p, int root)
{
	static const char *const known[] = { "platform-name", "arch", "compatible", NULL };
	int node = fdt_subnode_offset(p->fdt, root, "platform");

	if (node < 0) {
		perr(p, root, NULL, "missing node \"platform\" (platform-name, arch, compatible)");
		return;
	}
	reject_unknown_properties(p, node, known, "platform-name, arch, compatible");
	reject_subnodes(p, node, NULL, "\"platform\" has no subnodes");
	const char *name = get_string(p, node, "platform-name", true);
	if (name)
		copy_string(p, node, "platform-name", name, p->sys->hdr.platform, BH_NAME_LEN);
	get_string(p, node, "compatible", true);
	const char *arch = get_string(p, node, "arch", true);
	if (arch && !strcmp(arch, "arm64"))
		p->sys->hdr.arch = BH_ARCH_ARM64;
	else if (arch && !strcmp(arch, "x86_64"))
		p->sys->hdr.arch = BH_ARCH_X86_64;
	else if (arch)
		perr(p, node, "arch",
		     "\"%s\" is not an architecture; expected \"arm64\" or \"x86_64\"", arch);
}

static void parse_hypervisor(struct parser *p, int root)
{
	static const char *const known[] = { "memory", "loader-area", "console", NULL };
	int node = fdt_subnode_offset(p->fdt, root, "hypervisor");

	if (node < 0) {
		perr(p, root, NULL, "missing node \"hypervisor\" (memory, loader-area, console)");
		return;
	}
	reject_unknown_properties(p, node, known, "memory, loader-area, console");
	reject_subnodes(p, node, NULL, "\"hypervisor\" has no subnodes");
	struct bh_range *hv = &p->sys->hdr.hv_memory, *ld = &p->sys->hdr.loader_area;
	if (get_range(p, node, "memory", hv, true))
		check_wrap(p, node, "memory", "base", hv->base, hv->size_bytes);
	if (get_range(p, node, "loader-area", ld, false))
		check_wrap(p, node, "loader-area", "base", ld->base, ld->size_bytes);
	const char *console = get_string(p, node, "console", false);
	if (console)
		copy_string(p, node, "console", console, p->sys->console_node, PATH_LEN);
}

static int cell_index_by_name(const struct system *sys, const char *name)
{
	for (uint32_t i = 0; i < sys->cell_count; i++)
		if (!strncmp(sys->cells[i].name, name, BH_NAME_LEN))
			return (int)i;
	return -1;
}

/* Pass 1: cell names and paths, so channels can name cells. */
static void collect_cells(struct parser *p, int cells_node)
{
	int node;

	fdt_for_each_subnode (node, p->fdt, cells_node) {
		struct system *sys = p->sys;
		const char *name = fdt_get_name(p->fdt, node, NULL);

		if (sys->cell_count == CONFIG_MAX_CELLS) {
			perr(p, node, NULL,
			     "more than %u cells: the hypervisor supports at most %u",
			     CONFIG_MAX_CELLS, CONFIG_MAX_CELLS);
			return;
		}
		uint32_t i = sys->cell_count++;
		if (strchr(name, '@'))
			perr(p, node, NULL,
			     "a cell node is named by the cell alone, without a unit "
			     "address (\"%s\")",
			     name);
		if (strlen(name) >= BH_NAME_LEN)
			perr(p, node, NULL, "cell name \"%s\" is longer than %u characters", name,
			     BH_NAME_LEN - 1);
		else
			strcpy(sys->cells[i].name, name);
		node_path(p, node, sys->cell_src[i].path);
	}
	if (p->sys->cell_count == 0)
		perr(p, cells_node, NULL, "no cells: a system needs at least one");
}

static void parse_endpoint(struct parser *p, int node, struct bh_channel *ch, uint32_t ch_index)
{
	static const char *const known[] = { "guest-phys", "access", NULL };
	const char *cell = fdt_get_name(p->fdt, node, NULL);
	int cell_index = cell_index_by_name(p->sys, cell);

	reject_unknown_properties(p, node, known, "guest-phys, access");
	reject_subnodes(p, node, NULL, "an endpoint has no subnodes");
	if (cell_index < 0) {
		perr(p, node, NULL,
		     "channel endpoint names cell \"%s\", but there is no such node "
		     "under /cells",
		     cell);
		return;
	}
	if (ch->endpoint_count == BH_CHANNEL_MAX_ENDPOINTS) {
		perr(p, node, NULL, "more than %u endpoints", BH_CHANNEL_MAX_ENDPOINTS);
		return;
	}
	uint32_t e = ch->endpoint_count++;
	struct bh_channel_endpoint *ep = &ch->endpoints[e];
	ep->cell = (uint32_t)cell_index;
	if (get_u64(p, node, "guest-phys", &ep->guest_phys, true))
		check_wrap(p, node, "guest-phys", "guest-phys", ep->guest_phys, ch->size_bytes);
	get_access(p, node, "access", BH_MEM_READ | BH_MEM_WRITE, &ep->access);
	node_path(p, node, p->sys->endpoint_path[ch_index][e]);
}

static void parse_channels(struct parser *p, int root)
{
	static const char *const known[] = { "host-phys", "size", "doorbell", NULL };
	int channels = fdt_subnode_offset(p->fdt, root, "channels");
	int node;

	if (channels < 0)
		return;
	reject_unknown_properties(p, channels, (const char *const[]){ NULL }, "none");
	fdt_for_each_subnode (node, p->fdt, channels) {
		struct system *sys = p->sys;
		const char *name = fdt_get_name(p->fdt, node, NULL);
		int ep;

		if (sys->channel_count == CONFIG_MAX_CHANNELS) {
			perr(p, node, NULL, "more than %u channels", CONFIG_MAX_CHANNELS);
			return;
		}
		uint32_t k = sys->channel_count++;
		struct bh_channel *ch = &sys->channels[k];
		ch->doorbell_irq = BH_NONE;
		node_path(p, node, sys->channel_path[k]);
		if (strlen(name) >= BH_NAME_LEN)
			perr(p, node, NULL, "channel name \"%s\" is longer than %u characters",
			     name, BH_NAME_LEN - 1);
		else
			strcpy(ch->name, name);
		reject_unknown_properties(p, node, known,
					  "host-phys, size, doorbell (and one subnode per cell)");
		bool has_host = get_u64(p, node, "host-phys", &ch->host_phys, true);
		bool has_size = get_u64(p, node, "size", &ch->size_bytes, true);
		if (has_host && has_size)
			check_wrap(p, node, "size", "host-phys", ch->host_phys, ch->size_bytes);
		get_u32(p, node, "doorbell", &ch->doorbell_irq, false);
		fdt_for_each_subnode (ep, p->fdt, node)
			parse_endpoint(p, ep, ch, k);
		if (ch->endpoint_count < 2)
			perr(p, node, NULL,
			     "channel \"%s\" has %u endpoint(s); expected a subnode for "
			     "each of at least 2 cells",
			     name, ch->endpoint_count);
	}
}

/* ---- cells ---- */

static void add_region(struct parser *p, int node, uint32_t cell)
{
	static const char *const known[] = { "guest-phys", "host-phys", "size", "flags", NULL };
	struct system *sys = p->sys;

	if (sys->region_count == CONFIG_MAX_REGIONS) {
		perr(p, node, NULL, "more than %u memory regions", CONFIG_MAX_REGIONS);
		return;
	}
	uint32_t r = sys->region_count++;
	struct bh_mem_region *reg = &sys->regions[r];
	reg->cell = cell;
	reg->channel = BH_NONE;
	node_path(p, node, sys->region_path[r]);
	reject_unknown_properties(p, node, known, "guest-phys, host-phys, size, flags");
	reject_subnodes(p, node, NULL, "a memory region has no subnodes");
	get_access(p, node, "flags",
		   BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC | BH_MEM_DEVICE | BH_MEM_HV_STATUS,
		   &reg->flags);
	/* The status page is the hypervisor's: no host address, a guest address is a must. */
	bool hv_status = reg->flags & BH_MEM_HV_STATUS;
	bool has_host = get_u64(p, node, "host-phys", &reg->host_phys, !hv_status);
	bool has_guest = get_u64(p, node, "guest-phys", &reg->guest_phys, hv_status);
	if (!has_guest)
		reg->guest_phys = reg->host_phys; /* documented default: identity */
	if (get_u64(p, node, "size", &reg->size_bytes, true)) {
		if (has_host)
			check_wrap(p, node, "size", "host-phys", reg->host_phys, reg->size_bytes);
		if (has_guest)
			check_wrap(p, node, "size", "guest-phys", reg->guest_phys, reg->size_bytes);
	}
}

static void add_device_irqs(struct parser *p, int node, uint32_t cell, uint32_t device)
{
	struct system *sys = p->sys;
	int len;
	const fdt32_t *v = fdt_getprop(p->fdt, node, "interrupts", &len);

	sys->devices[device].irq_first = sys->irq_count;
	if (!v)
		return;
	if (len % 4 || looks_like_strings((const char *)v, len)) {
		perr_value(p, node, "interrupts", v, len,
			   "a list of interrupt numbers, one cell each");
		return;
	}
	for (int k = 0; k < len / 4; k++) {
		if (sys->irq_count == CONFIG_MAX_IRQS) {
			perr(p, node, "interrupts", "more than %u interrupts", CONFIG_MAX_IRQS);
			return;
		}
		struct bh_irq *irq = &sys->irqs[sys->irq_count++];
		irq->cell = cell;
		irq->device = device;
		irq->number = fdt32_to_cpu(v[k]);
		irq->flags = BH_IRQ_LEVEL;
		sys->devices[device].irq_count++;
	}
}

/*
 * `dma = "unconfined"`: the only value. Nothing confines a device's DMA (no
 * IOMMU is programmed), so the description can only say that it knows;
 * check_platform.c refuses a DMA-capable device without it.
 */
static void parse_device_dma(struct parser *p, int node, uint32_t d)
{
	const char *dma = get_string(p, node, "dma", false);

	if (!dma)
		return;
	if (strcmp(dma, "unconfined"))
		perr(p, node, "dma",
		     "\"%s\" is unknown; the only value is \"unconfined\" (no IOMMU confines "
		     "a device's DMA: docs/design.md, DMA)",
		     dma);
	else
		p->sys->device_dma_unconfined[d] = true;
}

static void add_device(struct parser *p, int node, uint32_t cell)
{
	static const char *const known[] = { "reg", "ports", "interrupts", "dma", NULL };
	struct system *sys = p->sys;
	const char *name = fdt_get_name(p->fdt, node, NULL);

	if (sys->device_count == CONFIG_MAX_DEVICES) {
		perr(p, node, NULL, "more than %u devices", CONFIG_MAX_DEVICES);
		return;
	}
	uint32_t d = sys->device_count++;
	struct bh_device *dev = &sys->devices[d];
	dev->cell = cell;
	node_path(p, node, sys->device_path[d]);
	reject_unknown_properties(p, node, known, "reg, ports, interrupts, dma");
	reject_subnodes(p, node, NULL, "a device has no subnodes");
	if (strlen(name) >= BH_NAME_LEN)
		perr(p, node, NULL, "device name \"%s\" is longer than %u characters", name,
		     BH_NAME_LEN - 1);
	else
		strcpy(dev->name, name);

	bool has_reg = fdt_getprop(p->fdt, node, "reg", NULL) != NULL;
	bool has_ports = fdt_getprop(p->fdt, node, "ports", NULL) != NULL;
	if (has_reg == has_ports) {
		perr(p, node, has_reg ? "ports" : "reg",
		     "a device needs exactly one of reg (MMIO) and ports (x86 I/O ports)");
	} else if (has_reg) {
		struct bh_range r;

		dev->kind = BH_DEVICE_MMIO;
		if (get_range(p, node, "reg", &r, true)) {
			dev->base = r.base;
			dev->size_bytes = r.size_bytes;
			check_wrap(p, node, "reg", "base", r.base, r.size_bytes);
		}
	} else {
		uint32_t ports[2];
		int len;
		const fdt32_t *v = fdt_getprop(p->fdt, node, "ports", &len);

		dev->kind = BH_DEVICE_PORT;
		if (sys->hdr.arch != BH_ARCH_X86_64)
			perr(p, node, "ports", "I/O ports exist only on x86_64");
		if (len != 8 || looks_like_strings((const char *)v, len)) {
			perr_value(p, node, "ports", v, len, "<first-port count>");
		} else {
			ports[0] = fdt32_to_cpu(v[0]);
			ports[1] = fdt32_to_cpu(v[1]);
			dev->base = ports[0];
			dev->size_bytes = ports[1];
		}
	}
	add_device_irqs(p, node, cell, d);
	parse_device_dma(p, node, d);
}

static void parse_boot(struct parser *p, int node, uint32_t i)
{
	struct system *sys = p->sys;
	struct bh_cell *cell = &sys->cells[i];
	struct cell_source *src = &sys->cell_src[i];
	const char *protocol = get_string(p, node, "boot-protocol", true);

	if (protocol) {
		for (size_t k = 0; k < sizeof(boot_protocols) / sizeof(boot_protocols[0]); k++)
			if (!strcmp(protocol, boot_protocols[k].name))
				cell->boot_protocol = boot_protocols[k].protocol;
		if (!cell->boot_protocol)
			perr(p, node, "boot-protocol",
			     "\"%s\" is unknown; expected \"linux-arm64\", "
			     "\"linux-x86\" or \"bulkhead\"",
			     protocol);
		else if ((cell->boot_protocol == BH_BOOT_LINUX_ARM64 &&
			  sys->hdr.arch != BH_ARCH_ARM64) ||
			 (cell->boot_protocol == BH_BOOT_LINUX_X86 &&
			  sys->hdr.arch != BH_ARCH_X86_64))
			perr(p, node, "boot-protocol", "\"%s\" cannot boot on platform arch %s",
			     protocol, arch_name(sys->hdr.arch));
	}
	bool linux_arm64 = cell->boot_protocol == BH_BOOT_LINUX_ARM64;
	bool linux_x86 = cell->boot_protocol == BH_BOOT_LINUX_X86;

	const char *image = get_string(p, node, "image", false);
	if (image)
		copy_string(p, node, "image", image, src->image, PATH_LEN);
	get_u64(p, node, "load-address", &cell->image_guest_phys, true);
	src->has_entry = get_u64(p, node, "entry", &cell->entry_guest_phys, false);
	if (!src->has_entry)
		cell->entry_guest_phys = cell->image_guest_phys;

	const char *bootargs = get_string(p, node, "bootargs", false);
	const char *initrd = get_string(p, node, "initrd", false);
	bool has_dtb_addr = get_u64(p, node, "dtb-address", &cell->dtb_guest_phys, linux_arm64);
	/* linux-x86: the generated boot parameters take the DTB's place (emit_x86_boot.c). */
	bool has_params_addr =
		get_u64(p, node, "boot-params-address", &cell->dtb_guest_phys, linux_x86);
	bool has_initrd_addr =
		get_u64(p, node, "initrd-address", &cell->initrd_guest_phys, initrd != NULL);
	if (!linux_arm64 && !linux_x86) {
		/* Only bhcfg-made Linux device trees and boot parameters carry these. */
		if (bootargs)
			perr(p, node, "bootargs",
			     "only a Linux cell takes bootargs (in its generated device tree "
			     "or boot parameters)");
		if (initrd)
			perr(p, node, "initrd", "only a Linux cell takes an initrd here");
	}
	if (has_dtb_addr && !linux_arm64)
		perr(p, node, "dtb-address", "only a linux-arm64 cell gets a device tree");
	if (has_params_addr && !linux_x86)
		perr(p, node, "boot-params-address",
		     "only a linux-x86 cell gets Linux x86 boot parameters");
	if (has_initrd_addr && !initrd)
		perr(p, node, "initrd-address", "given without initrd");
	if (bootargs)
		copy_string(p, node, "bootargs", bootargs, src->bootargs, BOOTARGS_LEN);
	if (initrd)
		copy_string(p, node, "initrd", initrd, src->initrd, PATH_LEN);

	/* Item indexes follow the image layout emit_image.c writes: config first. */
	cell->image_item = sys->item_count++;
	cell->dtb_item = linux_arm64 || linux_x86 ? sys->item_count++ : BH_NONE;
	cell->initrd_item = initrd && (linux_arm64 || linux_x86) ? sys->item_count++ : BH_NONE;
}

static void parse_cpus(struct parser *p, int node, uint32_t i)
{
	struct bh_cell *cell = &p->sys->cells[i];
	int len;
	const fdt32_t *v = fdt_getprop(p->fdt, node, "cpus", &len);

	if (!v) {
		perr(p, node, "cpus",
		     "missing; expected the hardware ids (MPIDR or APIC id) of "
		     "the cell's CPUs, one cell each");
		return;
	}
	if (len == 0 || len % 4 || looks_like_strings((const char *)v, len)) {
		perr_value(p, node, "cpus", v, len,
			   "a non-empty list of CPU hardware ids, one cell each, e.g. <2 3>");
		return;
	}
	if (len / 4 > BH_CELL_MAX_CPUS) {
		perr(p, node, "cpus", "%d CPUs; a cell has at most %u", len / 4, BH_CELL_MAX_CPUS);
		return;
	}
	cell->cpu_count = (uint32_t)len / 4;
	for (uint32_t k = 0; k < cell->cpu_count; k++)
		cell->cpu_hwid[k] = fdt32_to_cpu(v[k]);

	uint32_t boot;
	if (get_u32(p, node, "boot-cpu", &boot, false)) {
		uint32_t k;

		for (k = 0; k < cell->cpu_count && cell->cpu_hwid[k] != boot; k++)
			;
		if (k == cell->cpu_count) {
			perr(p, node, "boot-cpu", "CPU %u is not one of the cell's cpus", boot);
			return;
		}
		/* The ABI's boot CPU is cpu_hwid[0]. */
		cell->cpu_hwid[k] = cell->cpu_hwid[0];
		cell->cpu_hwid[0] = boot;
	}
}

static void parse_cell(struct parser *p, int node, uint32_t i)
{
	static const char *const known[] = {
		"cpus",
		"boot-cpu",
		"boot-protocol",
		"image",
		"load-address",
		"entry",
		"dtb-address",
		"bootargs",
		"boot-params-address",
		"initrd",
		"initrd-address",
		"realtime",
		"stops-system",
		"stop-on-fault",
		"restart-on-reset",
		"manager",
		NULL,
	};
	static const char *const subnodes[] = { "memory", "devices", NULL };
	struct system *sys = p->sys;
	struct bh_cell *cell = &sys->cells[i];
	int sub;

	reject_unknown_properties(
		p, node, known,
		"cpus, boot-cpu, boot-protocol, image, load-address, entry, "
		"dtb-address, bootargs, boot-params-address, initrd, initrd-address, realtime, "
		"stops-system, "
		"stop-on-fault, restart-on-reset, manager");
	reject_subnodes(p, node, subnodes, "a cell has only \"memory\" and \"devices\" subnodes");

	if (get_flag(p, node, "realtime"))
		cell->flags |= BH_CELL_REALTIME;
	if (get_flag(p, node, "stops-system"))
		cell->flags |= BH_CELL_STOPS_SYSTEM;
	if (get_flag(p, node, "stop-on-fault"))
		cell->flags |= BH_CELL_STOP_ON_FAULT;
	if (get_flag(p, node, "restart-on-reset"))
		cell->flags |= BH_CELL_RESTART_ON_RESET;
	if (get_flag(p, node, "manager"))
		cell->flags |= BH_CELL_MANAGER;
	parse_cpus(p, node, i);
	parse_boot(p, node, i);

	cell->region_first = sys->region_count;
	int memory = fdt_subnode_offset(p->fdt, node, "memory");
	if (memory < 0) {
		perr(p, node, NULL, "missing node \"memory\" with the cell's memory regions");
	} else {
		reject_unknown_properties(p, memory, (const char *const[]){ NULL }, "none");
		fdt_for_each_subnode (sub, p->fdt, memory)
			add_region(p, sub, i);
	}
	/* Channel mappings are regions of the cell too: the stage-2 builder walks regions. */
	for (uint32_t k = 0; k < sys->channel_count; k++) {
		const struct bh_channel *ch = &sys->channels[k];

		for (uint32_t e = 0; e < ch->endpoint_count; e++) {
			if (ch->endpoints[e].cell != i)
				continue;
			if (sys->region_count == CONFIG_MAX_REGIONS) {
				perr(p, node, NULL, "more than %u memory regions",
				     CONFIG_MAX_REGIONS);
				break;
			}
			uint32_t r = sys->region_count++;
			struct bh_mem_region *reg = &sys->regions[r];
			reg->guest_phys = ch->endpoints[e].guest_phys;
			reg->host_phys = ch->host_phys;
			reg->size_bytes = ch->size_bytes;
			reg->cell = i;
			reg->flags = ch->endpoints[e].access | BH_MEM_COMM;
			reg->channel = k;
			strcpy(sys->region_path[r], sys->endpoint_path[k][e]);
		}
	}
	cell->region_count = sys->region_count - cell->region_first;

	cell->device_first = sys->device_count;
	cell->irq_first = sys->irq_count;
	int devices = fdt_subnode_offset(p->fdt, node, "devices");
	if (devices >= 0) {
		reject_unknown_properties(p, devices, (const char *const[]){ NULL }, "none");
		fdt_for_each_subnode (sub, p->fdt, devices)
			add_device(p, sub, i);
	}
	cell->device_count = sys->device_count - cell->device_first;
	cell->irq_count = sys->irq_count - cell->irq_first;
}

bool system_parse(struct system *sys, const void *fdt)
{
	static const char *const root_known[] = {
		"compatible", "#address-cells", "#size-cells", "model", NULL,
	};
	static const char *const root_nodes[] = {
		"platform", "hypervisor", "cells", "channels", NULL,
	};
	struct parser p = { .sys = sys, .fdt = fdt, .ok = true };
	int root = fdt_path_offset(fdt, "/");
	uint32_t cells_value;

	sys->hdr.console.kind = BH_CONSOLE_NONE;
	sys->hdr.console.irq = BH_NONE;
	sys->item_count = 1; /* item 0 is the config */
	reject_unknown_properties(&p, root, root_known,
				  "compatible, #address-cells, "
				  "#size-cells, model");
	reject_subnodes(&p, root, root_nodes, "expected platform, hypervisor, cells and channels");
	const char *compatible = get_string(&p, root, "compatible", true);
	if (compatible && strcmp(compatible, "bulkhead,system"))
		perr(&p, root, "compatible", "\"%s\"; expected \"bulkhead,system\"", compatible);
	if (get_u32(&p, root, "#address-cells", &cells_value, true) && cells_value != 2)
		perr(&p, root, "#address-cells", "%u; expected 2 (all addresses are 64-bit)",
		     cells_value);
	if (get_u32(&p, root, "#size-cells", &cells_value, true) && cells_value != 2)
		perr(&p, root, "#size-cells", "%u; expected 2 (all sizes are 64-bit)", cells_value);

	parse_platform(&p, root);
	parse_hypervisor(&p, root);
	int cells = fdt_subnode_offset(fdt, root, "cells");
	if (cells < 0) {
		perr(&p, root, NULL, "missing node \"cells\"");
		return false;
	}
	reject_unknown_properties(&p, cells, (const char *const[]){ NULL }, "none");
	collect_cells(&p, cells);
	/* Duplicate node names cannot come from dtc, but a hand-made DTB may have them. */
	for (uint32_t i = 0; i < sys->cell_count; i++)
		for (uint32_t j = 0; j < i; j++)
			if (sys->cells[i].name[0] &&
			    !strcmp(sys->cells[i].name, sys->cells[j].name))
				perr(&p, fdt_path_offset(fdt, sys->cell_src[i].path), NULL,
				     "cell name \"%s\" is used twice", sys->cells[i].name);
	parse_channels(&p, root);

	uint32_t i = 0;
	int node;
	fdt_for_each_subnode (node, fdt, cells) {
		if (i >= sys->cell_count)
			break;
		parse_cell(&p, node, i++);
	}
	return p.ok;
}
