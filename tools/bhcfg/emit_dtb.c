/*
 * A Linux cell's device tree, derived from the platform DTB: only the cell's
 * CPUs, RAM, devices, channels and status page stay; the hypervisor's and
 * other cells' resources are gone. Kept as is: the GIC (the hv filters it), timer, PMU,
 * fixed clocks. PSCI is the platform's binding with method "smc" (see
 * bindings.md). Platform nodes with reg are kept only when all their
 * ranges lie inside one of the cell's MMIO devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include "bhcfg.h"

#define MAX_DELETE 256

struct dtb_builder {
	void *fdt;
	const struct system *sys;
	uint32_t cell;
	int addr_cells, size_cells;
	bool ok;
};

static int root_cells(const void *fdt, const char *name, int fallback)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, 0, name, &len);

	return v && len == 4 ? (int)fdt32_to_cpu(*v) : fallback;
}

static uint64_t read_cells(const fdt32_t *v, int n)
{
	uint64_t x = 0;

	for (int i = 0; i < n; i++)
		x = (x << 32) | fdt32_to_cpu(v[i]);
	return x;
}

static bool inside_own_device(const struct dtb_builder *b, uint64_t base, uint64_t size)
{
	const struct bh_cell *cell = &b->sys->cells[b->cell];

	for (uint32_t d = cell->device_first; d < cell->device_first + cell->device_count; d++) {
		const struct bh_device *dev = &b->sys->devices[d];

		if (dev->kind == BH_DEVICE_MMIO && base >= dev->base &&
		    base - dev->base <= dev->size_bytes &&
		    size <= dev->size_bytes - (base - dev->base))
			return true;
	}
	return false;
}

static bool keep_device_node(const struct dtb_builder *b, int node)
{
	int len, step = b->addr_cells + b->size_cells;
	const fdt32_t *v = fdt_getprop(b->fdt, node, "reg", &len);

	if (!v || step == 0 || len < step * 4)
		return false;
	for (int k = 0; k + step <= len / 4; k += step)
		if (!inside_own_device(b, read_cells(v + k, b->addr_cells),
				       read_cells(v + k + b->addr_cells, b->size_cells)))
			return false;
	return true;
}

static bool cell_has_cpu(const struct bh_cell *cell, uint64_t hwid)
{
	for (uint32_t k = 0; k < cell->cpu_count; k++)
		if (cell->cpu_hwid[k] == hwid)
			return true;
	return false;
}

static void delete_paths(struct dtb_builder *b, char (*paths)[PATH_LEN], int count)
{
	for (int i = 0; i < count; i++) {
		int node = fdt_path_offset(b->fdt, paths[i]);

		if (node >= 0 && fdt_del_node(b->fdt, node) < 0)
			b->ok = false;
	}
}

static void prune_cpus(struct dtb_builder *b)
{
	static char doomed[MAX_DELETE][PATH_LEN];
	int count = 0, node, len;
	int cpus = fdt_path_offset(b->fdt, "/cpus");

	if (cpus < 0)
		return;
	const fdt32_t *ac = fdt_getprop(b->fdt, cpus, "#address-cells", &len);
	int cpu_cells = ac && len == 4 ? (int)fdt32_to_cpu(*ac) : 1;
	fdt_for_each_subnode (node, b->fdt, cpus) {
		const char *type = fdt_getprop(b->fdt, node, "device_type", NULL);
		const fdt32_t *reg = fdt_getprop(b->fdt, node, "reg", &len);
		bool is_cpu = type && !strcmp(type, "cpu");

		/* cpu-map names CPUs by phandle, some of them gone: drop it. */
		if ((!is_cpu || !reg || len < 4 * cpu_cells ||
		     !cell_has_cpu(&b->sys->cells[b->cell], read_cells(reg, cpu_cells))) &&
		    count < MAX_DELETE)
			fdt_get_path(b->fdt, node, doomed[count++], PATH_LEN);
	}
	delete_paths(b, doomed, count);
}

static void prune_root(struct dtb_builder *b)
{
	static char doomed[MAX_DELETE][PATH_LEN];
	int count = 0, node;

	fdt_for_each_subnode (node, b->fdt, 0) {
		const char *name = fdt_get_name(b->fdt, node, NULL);
		const char *type = fdt_getprop(b->fdt, node, "device_type", NULL);
		bool keep;

		if (!strcmp(name, "cpus") || !strcmp(name, "chosen") || !strcmp(name, "psci") ||
		    !strcmp(name, "timer") || !strcmp(name, "pmu"))
			keep = true;
		else if (type && !strcmp(type, "memory"))
			keep = false; /* replaced by the cell's own RAM below */
		else if (fdt_getprop(b->fdt, node, "interrupt-controller", NULL))
			keep = true;
		else if (!fdt_node_check_compatible(b->fdt, node, "fixed-clock"))
			keep = true;
		else
			keep = keep_device_node(b, node);
		if (!keep && count < MAX_DELETE)
			fdt_get_path(b->fdt, node, doomed[count++], PATH_LEN);
	}
	/* The GIC's children (the ITS) need MSI routing the hv does not offer. */
	fdt_for_each_subnode (node, b->fdt, 0) {
		int child;

		if (!fdt_getprop(b->fdt, node, "interrupt-controller", NULL))
			continue;
		fdt_for_each_subnode (child, b->fdt, node)
			if (count < MAX_DELETE)
				fdt_get_path(b->fdt, child, doomed[count++], PATH_LEN);
	}
	delete_paths(b, doomed, count);
}

/* Appends one (base, size) pair in the root's cell sizes; returns the new count. */
static int append_reg(const struct dtb_builder *b, fdt32_t *cells, int n, uint64_t base,
		      uint64_t size)
{
	if (b->addr_cells == 2)
		cells[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
	cells[n++] = cpu_to_fdt32((uint32_t)base);
	if (b->size_cells == 2)
		cells[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
	cells[n++] = cpu_to_fdt32((uint32_t)size);
	return n;
}

static void set_reg(struct dtb_builder *b, int node, uint64_t base, uint64_t size)
{
	fdt32_t cells[4];
	int n = append_reg(b, cells, 0, base, size);

	if (fdt_setprop(b->fdt, node, "reg", cells, n * 4) < 0)
		b->ok = false;
}

static void add_memory_and_channels(struct dtb_builder *b)
{
	const struct bh_cell *cell = &b->sys->cells[b->cell];
	char name[64];
	int bulkhead = -1;

	for (uint32_t r = cell->region_first; r < cell->region_first + cell->region_count; r++) {
		const struct bh_mem_region *reg = &b->sys->regions[r];

		if (reg->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS))
			continue;
		snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)reg->guest_phys);
		int node = fdt_add_subnode(b->fdt, 0, name);
		if (node < 0 || fdt_setprop_string(b->fdt, node, "device_type", "memory") < 0) {
			b->ok = false;
			continue;
		}
		set_reg(b, node, reg->guest_phys, reg->size_bytes);
	}
	for (uint32_t r = cell->region_first; r < cell->region_first + cell->region_count; r++) {
		const struct bh_mem_region *reg = &b->sys->regions[r];

		if (!(reg->flags & (BH_MEM_COMM | BH_MEM_HV_STATUS)))
			continue;
		if (bulkhead < 0) {
			bulkhead = fdt_add_subnode(b->fdt, 0, "bulkhead");
			if (bulkhead < 0) {
				b->ok = false;
				return;
			}
			fdt_setprop_string(b->fdt, bulkhead, "compatible", "bulkhead,cell");
			fdt_setprop_string(b->fdt, bulkhead, "cell-name", cell->name);
			fdt_setprop_u32(b->fdt, bulkhead, "#address-cells",
					(uint32_t)b->addr_cells);
			fdt_setprop_u32(b->fdt, bulkhead, "#size-cells", (uint32_t)b->size_cells);
		}
		if (reg->flags & BH_MEM_HV_STATUS) {
			/* Not RAM: Linux must not allocate it; bhctl maps it through /dev/mem. */
			snprintf(name, sizeof(name), "hv-status@%llx",
				 (unsigned long long)reg->guest_phys);
			int node = fdt_add_subnode(b->fdt, bulkhead, name);
			if (node < 0) {
				b->ok = false;
				continue;
			}
			fdt_setprop_string(b->fdt, node, "compatible", "bulkhead,hv-status");
			set_reg(b, node, reg->guest_phys, reg->size_bytes);
			fdt_setprop_empty(b->fdt, node, "read-only");
			continue;
		}
		const struct bh_channel *ch = &b->sys->channels[reg->channel];
		snprintf(name, sizeof(name), "channel@%llx", (unsigned long long)reg->guest_phys);
		int node = fdt_add_subnode(b->fdt, bulkhead, name);
		if (node < 0) {
			b->ok = false;
			continue;
		}
		fdt_setprop_string(b->fdt, node, "compatible", "bulkhead,channel");
		fdt_setprop_string(b->fdt, node, "label", ch->name);
		set_reg(b, node, reg->guest_phys, reg->size_bytes);
		if (!(reg->flags & BH_MEM_WRITE))
			fdt_setprop_empty(b->fdt, node, "read-only");
		if (ch->doorbell_irq != BH_NONE)
			fdt_setprop_u32(b->fdt, node, "doorbell", ch->doorbell_irq);
	}
}

#define GICV3_REDIST_STRIDE 0x20000ull /* RD + SGI frame, no VLPI frames */
#define MAX_GICR_RUNS 16

/*
 * A GICv3's redistributor range shrunk to the cell's own CPUs' frames, one
 * region per contiguous run. Linux walks every frame of its regions, and the
 * hypervisor answers only for the cell's own (other frames fault). Frames
 * follow /cpus order, as on QEMU virt; a platform whose redistributors are
 * ordered otherwise needs "redistributor-stride" and an explicit map (a
 * known limit).
 */
static void restrict_redistributors(struct dtb_builder *b, const bool *own_cpu, int cpu_total)
{
	int node = fdt_node_offset_by_compatible(b->fdt, -1, "arm,gic-v3");
	int len, step = b->addr_cells + b->size_cells;
	const fdt32_t *reg;

	if (node < 0 || !(reg = fdt_getprop(b->fdt, node, "reg", &len)) || len < 2 * step * 4)
		return;
	uint64_t gicd[2] = { read_cells(reg, b->addr_cells),
			     read_cells(reg + b->addr_cells, b->size_cells) };
	uint64_t gicr_base = read_cells(reg + step, b->addr_cells);
	fdt32_t cells[(1 + MAX_GICR_RUNS) * 4];
	int n = append_reg(b, cells, 0, gicd[0], gicd[1]), runs = 0;

	for (int i = 0; i < cpu_total && runs < MAX_GICR_RUNS; i++) {
		if (!own_cpu[i] || (i > 0 && own_cpu[i - 1]))
			continue;
		int count = 0;

		while (i + count < cpu_total && own_cpu[i + count])
			count++;
		uint64_t base = gicr_base + (uint64_t)i * GICV3_REDIST_STRIDE;
		uint64_t size = (uint64_t)count * GICV3_REDIST_STRIDE;

		n = append_reg(b, cells, n, base, size);
		runs++;
	}
	if (runs == 0 || fdt_setprop(b->fdt, node, "reg", cells, n * 4) < 0 ||
	    fdt_setprop_u32(b->fdt, node, "#redistributor-regions", (uint32_t)runs) < 0)
		b->ok = false;
}

/* Which platform CPUs, in /cpus order, are the cell's (before pruning). */
static int own_cpus_in_order(struct dtb_builder *b, bool *own_cpu, int max)
{
	int cpus = fdt_path_offset(b->fdt, "/cpus"), node, len, total = 0;

	if (cpus < 0)
		return 0;
	const fdt32_t *ac = fdt_getprop(b->fdt, cpus, "#address-cells", &len);
	int cpu_cells = ac && len == 4 ? (int)fdt32_to_cpu(*ac) : 1;

	fdt_for_each_subnode (node, b->fdt, cpus) {
		const char *type = fdt_getprop(b->fdt, node, "device_type", NULL);
		const fdt32_t *reg = fdt_getprop(b->fdt, node, "reg", &len);

		if (!type || strcmp(type, "cpu") || !reg || len < 4 * cpu_cells || total == max)
			continue;
		own_cpu[total++] =
			cell_has_cpu(&b->sys->cells[b->cell], read_cells(reg, cpu_cells));
	}
	return total;
}

/* What Linux credits as 256 bits of entropy, and the hypervisor's boot seed size. */
#define RNG_SEED_BYTES 32

static void rewrite_chosen(struct dtb_builder *b, uint64_t initrd_size)
{
	const struct bh_cell *cell = &b->sys->cells[b->cell];
	int chosen = fdt_path_offset(b->fdt, "/chosen");

	if (chosen < 0)
		chosen = fdt_add_subnode(b->fdt, 0, "chosen");
	if (chosen < 0) {
		b->ok = false;
		return;
	}
	/*
	 * Cells must not share the platform's seeds. The zero-filled rng-seed is
	 * a placeholder: the hypervisor writes the cell's own seed into it at
	 * load, or removes it when the boot loader gave none (hv/cell_seed.h).
	 */
	static const uint8_t rng_seed_placeholder[RNG_SEED_BYTES];

	fdt_delprop(b->fdt, chosen, "kaslr-seed");
	if (fdt_setprop(b->fdt, chosen, "rng-seed", rng_seed_placeholder,
			sizeof(rng_seed_placeholder)) < 0)
		b->ok = false;
	fdt_delprop(b->fdt, chosen, "linux,initrd-start");
	fdt_delprop(b->fdt, chosen, "linux,initrd-end");
	const char *stdout_path = fdt_getprop(b->fdt, chosen, "stdout-path", NULL);
	if (stdout_path) {
		char target[PATH_LEN];

		snprintf(target, sizeof(target), "%s", stdout_path);
		char *colon = strchr(target, ':');
		if (colon)
			*colon = '\0';
		if (fdt_path_offset(b->fdt, target) < 0)
			fdt_delprop(b->fdt, chosen, "stdout-path");
	}
	if (fdt_setprop_string(b->fdt, chosen, "bootargs", b->sys->cell_src[b->cell].bootargs) < 0)
		b->ok = false;
	if (cell->initrd_item != BH_NONE) {
		if (fdt_setprop_u64(b->fdt, chosen, "linux,initrd-start", cell->initrd_guest_phys) <
			    0 ||
		    fdt_setprop_u64(b->fdt, chosen, "linux,initrd-end",
				    cell->initrd_guest_phys + initrd_size) < 0)
			b->ok = false;
	}
}

void *linux_dtb_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
		     uint64_t initrd_size, size_t *size)
{
	int cap = (int)fdt_totalsize(platform_fdt) + 65536;
	struct dtb_builder b = { .sys = sys, .cell = cell, .ok = true };

	b.fdt = malloc((size_t)cap);
	if (!b.fdt || fdt_open_into(platform_fdt, b.fdt, cap) < 0) {
		diag_error(sys->file, sys->cell_src[cell].path, NULL,
			   "cannot open the platform DTB for editing");
		free(b.fdt);
		return NULL;
	}
	b.addr_cells = root_cells(b.fdt, "#address-cells", 2);
	b.size_cells = root_cells(b.fdt, "#size-cells", 1);
	bool own_cpu[256];
	int cpu_total = own_cpus_in_order(&b, own_cpu, 256);

	prune_root(&b);
	prune_cpus(&b);
	restrict_redistributors(&b, own_cpu, cpu_total);
	int psci = fdt_path_offset(b.fdt, "/psci");
	if (psci >= 0 && fdt_setprop_string(b.fdt, psci, "method", "smc") < 0)
		b.ok = false;
	add_memory_and_channels(&b);
	rewrite_chosen(&b, initrd_size);
	if (!b.ok || fdt_pack(b.fdt) < 0) {
		diag_error(sys->file, sys->cell_src[cell].path, NULL,
			   "could not build the cell's device tree (libfdt)");
		free(b.fdt);
		return NULL;
	}
	*size = fdt_totalsize(b.fdt);
	return b.fdt;
}
