/*
 * Rules that need the platform's device tree: the CPUs, RAM and devices a
 * system description names must exist there, with the interrupts it gives.
 * Platform nodes are read with the root's #address-cells/#size-cells; nested
 * buses are assumed to map 1:1 (true of QEMU virt and our x86 description).
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#include "bhcfg.h"

struct range_list {
	unsigned int count;
	struct bh_range r[64];
};

struct platform_view {
	const void *fdt;
	const char *file;
	int addr_cells, size_cells;
	struct range_list ram;
	uint64_t cpu_hwid[64];
	unsigned int cpu_count;
};

static uint64_t read_cells(const fdt32_t *v, int n)
{
	uint64_t x = 0;

	for (int i = 0; i < n; i++)
		x = (x << 32) | fdt32_to_cpu(v[i]);
	return x;
}

/* The node's `reg` ranges (or, with `ports`, bulkhead,ports <first count> pairs). */
static void node_ranges(const struct platform_view *pv, int node, const char *prop,
			struct range_list *out)
{
	int len;
	const fdt32_t *v = fdt_getprop(pv->fdt, node, prop, &len);
	bool ports = !strcmp(prop, "bulkhead,ports");
	int step = ports ? 2 : pv->addr_cells + pv->size_cells;

	out->count = 0;
	if (!v || step == 0)
		return;
	for (int k = 0; k + step <= len / 4 && out->count < 64; k += step) {
		struct bh_range *r = &out->r[out->count++];

		r->base = ports ? fdt32_to_cpu(v[k]) : read_cells(v + k, pv->addr_cells);
		r->size_bytes = ports ? fdt32_to_cpu(v[k + 1])
				      : read_cells(v + k + pv->addr_cells, pv->size_cells);
	}
}

static bool inside(uint64_t base, uint64_t size, const struct bh_range *r)
{
	return base >= r->base && base - r->base <= r->size_bytes &&
	       size <= r->size_bytes - (base - r->base);
}

static bool touches(uint64_t base, uint64_t size, const struct bh_range *r)
{
	return size && r->size_bytes && base < r->base + r->size_bytes && r->base < base + size;
}

static bool in_ram(const struct platform_view *pv, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < pv->ram.count; i++)
		if (inside(base, size, &pv->ram.r[i]))
			return true;
	return false;
}

static bool touches_ram(const struct platform_view *pv, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < pv->ram.count; i++)
		if (touches(base, size, &pv->ram.r[i]))
			return true;
	return false;
}

static void read_platform(struct platform_view *pv)
{
	const fdt32_t *v;
	int node, len;

	v = fdt_getprop(pv->fdt, 0, "#address-cells", &len);
	pv->addr_cells = v && len == 4 ? (int)fdt32_to_cpu(*v) : 2;
	v = fdt_getprop(pv->fdt, 0, "#size-cells", &len);
	pv->size_cells = v && len == 4 ? (int)fdt32_to_cpu(*v) : 1;

	fdt_for_each_subnode (node, pv->fdt, 0) {
		const char *type = fdt_getprop(pv->fdt, node, "device_type", NULL);
		struct range_list rl;

		if (!type || strcmp(type, "memory"))
			continue;
		node_ranges(pv, node, "reg", &rl);
		for (unsigned int i = 0; i < rl.count && pv->ram.count < 64; i++)
			pv->ram.r[pv->ram.count++] = rl.r[i];
	}
	int cpus = fdt_path_offset(pv->fdt, "/cpus");
	if (cpus < 0)
		return;
	const fdt32_t *ac = fdt_getprop(pv->fdt, cpus, "#address-cells", &len);
	int cpu_cells = ac && len == 4 ? (int)fdt32_to_cpu(*ac) : 1;
	fdt_for_each_subnode (node, pv->fdt, cpus) {
		const char *type = fdt_getprop(pv->fdt, node, "device_type", NULL);

		v = fdt_getprop(pv->fdt, node, "reg", &len);
		if (!type || strcmp(type, "cpu") || !v || len < 4 * cpu_cells ||
		    pv->cpu_count == 64)
			continue;
		pv->cpu_hwid[pv->cpu_count++] = read_cells(v, cpu_cells);
	}
}

static bool is_interrupt_controller(const struct platform_view *pv, int node)
{
	return fdt_getprop(pv->fdt, node, "interrupt-controller", NULL) != NULL;
}

/* Does the platform node list `number` (INTID on arm64, GSI on x86) among its interrupts? */
static bool node_has_interrupt(const struct platform_view *pv, int node, uint32_t arch,
			       uint32_t number)
{
	int len;
	const fdt32_t *v = fdt_getprop(pv->fdt, node, "interrupts", &len);

	if (!v)
		return false;
	if (arch == BH_ARCH_X86_64) {
		for (int k = 0; k < len / 4; k++)
			if (fdt32_to_cpu(v[k]) == number)
				return true;
		return false;
	}
	/* GIC binding: <type number flags>, type 0 = SPI (INTID 32+n), 1 = PPI (16+n). */
	for (int k = 0; k + 3 <= len / 4; k += 3) {
		uint32_t type = fdt32_to_cpu(v[k]), n = fdt32_to_cpu(v[k + 1]);

		if ((type == 0 && n + 32 == number) || (type == 1 && n + 16 == number))
			return true;
	}
	return false;
}

static void check_device(const struct system *sys, const struct platform_view *pv, uint32_t d)
{
	const struct bh_device *dev = &sys->devices[d];
	const char *prop = dev->kind == BH_DEVICE_PORT ? "bulkhead,ports" : "reg";
	const char *where = sys->device_path[d];
	const char *sys_prop = dev->kind == BH_DEVICE_PORT ? "ports" : "reg";
	int matches[32], match_count = 0, node = -1, depth = 0;

	if (!dev->size_bytes)
		return; /* config_check reports it */
	if (dev->kind == BH_DEVICE_MMIO && touches_ram(pv, dev->base, dev->size_bytes)) {
		diag_error(sys->file, where, sys_prop, "[0x%llx, +0x%llx) is RAM, not a device",
			   (unsigned long long)dev->base, (unsigned long long)dev->size_bytes);
		return;
	}
	while ((node = fdt_next_node(pv->fdt, node, &depth)) >= 0) {
		struct range_list rl;

		node_ranges(pv, node, prop, &rl);
		for (unsigned int i = 0; i < rl.count; i++) {
			if (!touches(dev->base, dev->size_bytes, &rl.r[i]))
				continue;
			if (is_interrupt_controller(pv, node)) {
				char path[PATH_LEN];

				diag_node_path(pv->fdt, node, path);
				diag_error(
					sys->file, where, sys_prop,
					"[0x%llx, +0x%llx) overlaps the interrupt controller %s, "
					"which only the hypervisor may map",
					(unsigned long long)dev->base,
					(unsigned long long)dev->size_bytes, path);
				return;
			}
			if (match_count < 32)
				matches[match_count++] = node;
			break;
		}
	}
	if (match_count == 0) {
		diag_error(
			sys->file, where, sys_prop,
			"[0x%llx, +0x%llx) is not a device of the platform: no platform node's %s "
			"overlaps it",
			(unsigned long long)dev->base, (unsigned long long)dev->size_bytes, prop);
		return;
	}
	for (uint32_t q = dev->irq_first; q < dev->irq_first + dev->irq_count; q++) {
		uint32_t number = sys->irqs[q].number;
		bool found = false;

		for (int m = 0; m < match_count && !found; m++)
			found = node_has_interrupt(pv, matches[m], sys->hdr.arch, number);
		if (!found) {
			char path[PATH_LEN];

			diag_node_path(pv->fdt, matches[0], path);
			diag_error(sys->file, where, "interrupts",
				   "interrupt %u is not an interrupt of platform device %s%s",
				   number, path,
				   sys->hdr.arch == BH_ARCH_ARM64
					   ? " (give GIC INTIDs: SPI n is 32+n)"
					   : "");
		}
	}
}

static void check_console(const struct system *sys, const struct platform_view *pv)
{
	if (!sys->console_node[0])
		return;
	int node = fdt_path_offset(pv->fdt, sys->console_node);
	if (node < 0)
		diag_error(sys->file, "/hypervisor", "console",
			   "\"%s\" is not a node of the platform %s", sys->console_node, pv->file);
}

static void check_compatible(const struct system *sys, const struct platform_view *pv,
			     const void *system_fdt)
{
	const char *want = fdt_getprop(system_fdt, fdt_path_offset(system_fdt, "/platform"),
				       "compatible", NULL);

	if (want && fdt_node_check_compatible(pv->fdt, 0, want) != 0) {
		const char *have = fdt_getprop(pv->fdt, 0, "compatible", NULL);

		diag_error(sys->file, "/platform", "compatible",
			   "\"%s\" does not match the platform %s, whose root is compatible with "
			   "\"%s\"",
			   want, pv->file, have ? have : "(nothing)");
	}
}

bool system_check_platform(const struct system *sys, const void *platform_fdt,
			   const char *platform_file, const void *system_fdt)
{
	static struct platform_view pv;
	unsigned int before = diag_errors;

	memset(&pv, 0, sizeof(pv));
	pv.fdt = platform_fdt;
	pv.file = platform_file;
	read_platform(&pv);
	if (system_fdt)
		check_compatible(sys, &pv, system_fdt);
	check_console(sys, &pv);

	const struct bh_range *hv = &sys->hdr.hv_memory;
	if (hv->size_bytes && !in_ram(&pv, hv->base, hv->size_bytes))
		diag_error(sys->file, "/hypervisor", "memory",
			   "[0x%llx, +0x%llx) is not inside the platform's RAM",
			   (unsigned long long)hv->base, (unsigned long long)hv->size_bytes);
	const struct bh_range *ld = &sys->hdr.loader_area;
	if (ld->size_bytes && !in_ram(&pv, ld->base, ld->size_bytes))
		diag_error(sys->file, "/hypervisor", "loader-area",
			   "[0x%llx, +0x%llx) is not inside the platform's RAM",
			   (unsigned long long)ld->base, (unsigned long long)ld->size_bytes);

	bool boot_cpu_used = false;
	unsigned int realtime_cells = 0;
	for (uint32_t i = 0; i < sys->cell_count; i++) {
		const struct bh_cell *cell = &sys->cells[i];

		realtime_cells += !!(cell->flags & BH_CELL_REALTIME);
		for (uint32_t k = 0; k < cell->cpu_count && k < BH_CELL_MAX_CPUS; k++) {
			unsigned int n;

			for (n = 0; n < pv.cpu_count && pv.cpu_hwid[n] != cell->cpu_hwid[k]; n++)
				;
			if (n == pv.cpu_count)
				diag_error(sys->file, sys->cell_src[i].path, "cpus",
					   "CPU %llu is not a CPU of the platform %s (it has %u)",
					   (unsigned long long)cell->cpu_hwid[k], pv.file,
					   pv.cpu_count);
			else if (n == 0)
				boot_cpu_used = true;
		}
	}
	if (pv.cpu_count && !boot_cpu_used)
		diag_warning(sys->file, "/cells", "cpus",
			     "no cell has the platform's boot CPU %llu: it will idle",
			     (unsigned long long)pv.cpu_hwid[0]);
	if (realtime_cells > 1 && sys->hdr.arch == BH_ARCH_ARM64)
		diag_warning(sys->file, "/cells", "realtime",
			     "%u realtime cells: SGIs between direct cells cannot be filtered "
			     "(docs/design.md, I3); each realtime kernel must enable only the SGIs "
			     "it uses",
			     realtime_cells);

	for (uint32_t r = 0; r < sys->region_count; r++) {
		const struct bh_mem_region *reg = &sys->regions[r];
		bool device = reg->flags & BH_MEM_DEVICE;

		/*
		 * The status page is hypervisor memory; host_phys is a placeholder.
		 * A channel's host range is checked once below, at the channel.
		 */
		if (!reg->size_bytes || (reg->flags & (BH_MEM_HV_STATUS | BH_MEM_COMM)))
			continue;
		if (!device && !in_ram(&pv, reg->host_phys, reg->size_bytes))
			diag_error(sys->file, sys->region_path[r], "host-phys",
				   "[0x%llx, +0x%llx) is not inside the platform's RAM",
				   (unsigned long long)reg->host_phys,
				   (unsigned long long)reg->size_bytes);
		if (device && touches_ram(&pv, reg->host_phys, reg->size_bytes))
			diag_error(sys->file, sys->region_path[r], "host-phys",
				   "[0x%llx, +0x%llx) is flagged \"device\" but is RAM",
				   (unsigned long long)reg->host_phys,
				   (unsigned long long)reg->size_bytes);
	}
	for (uint32_t k = 0; k < sys->channel_count; k++) {
		const struct bh_channel *ch = &sys->channels[k];

		if (ch->size_bytes && !in_ram(&pv, ch->host_phys, ch->size_bytes))
			diag_error(
				sys->file, sys->channel_path[k], "host-phys",
				"channel \"%s\" [0x%llx, +0x%llx) is not inside the platform's RAM",
				ch->name, (unsigned long long)ch->host_phys,
				(unsigned long long)ch->size_bytes);
	}
	for (uint32_t d = 0; d < sys->device_count; d++)
		check_device(sys, &pv, d);
	return diag_errors == before;
}

void platform_fill_console(struct system *sys, const void *platform_fdt)
{
	struct platform_view pv = { .fdt = platform_fdt };
	struct range_list rl;
	int len;

	if (!sys->console_node[0])
		return;
	int node = fdt_path_offset(platform_fdt, sys->console_node);
	if (node < 0)
		return; /* system_check_platform reports it */
	read_platform(&pv);
	struct bh_console *con = &sys->hdr.console;
	if (!fdt_node_check_compatible(platform_fdt, node, "arm,pl011")) {
		con->kind = BH_CONSOLE_PL011;
		node_ranges(&pv, node, "reg", &rl);
	} else if (!fdt_node_check_compatible(platform_fdt, node, "ns16550a")) {
		con->kind = BH_CONSOLE_8250_PORT;
		node_ranges(&pv, node, "bulkhead,ports", &rl);
	} else {
		diag_error(
			sys->file, "/hypervisor", "console",
			"platform node %s is neither an arm,pl011 nor an ns16550a (I/O port) UART",
			sys->console_node);
		return;
	}
	if (rl.count) {
		con->base = rl.r[0].base;
		con->size_bytes = rl.r[0].size_bytes;
	}
	const fdt32_t *v = fdt_getprop(platform_fdt, node, "interrupts", &len);
	if (v && con->kind == BH_CONSOLE_PL011 && len >= 12)
		con->irq = fdt32_to_cpu(v[1]) + (fdt32_to_cpu(v[0]) == 0 ? 32 : 16);
	else if (v && len >= 4)
		con->irq = fdt32_to_cpu(v[0]);
}
