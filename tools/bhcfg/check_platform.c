/*
 * Rules that need the platform's device tree: the CPUs, RAM and devices a
 * system description names must exist there, with the interrupts it gives,
 * and every device range a cell gets must lie inside one device the
 * platform offers for assignment (config/bindings.md, "Which devices a cell
 * may have").
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
	/* The smallest physical address size of its CPUs, 0 when not known. */
	unsigned int pa_bits;
	const char *pa_cpu; /* the compatible that set pa_bits */
};

/*
 * Physical address sizes (ID_AA64MMFR0_EL1.PARange, from each core's TRM) of
 * the cores a platform DTB may name. The hypervisor sizes stage 2 (input and
 * output) from PARange at boot and refuses ranges beyond it (arch/arm64/
 * stage2.c); knowing it here turns that boot-time panic into a bhcfg error.
 * For a core not listed only the validator's architecture limit applies.
 */
static const struct {
	const char *compatible;
	unsigned int pa_bits;
} cpu_pa_sizes[] = {
	{ "arm,cortex-a53", 40 },
	{ "arm,cortex-a57", 44 },
	{ "arm,cortex-a72", 44 },
};

static void note_cpu_pa_size(struct platform_view *pv, int node)
{
	for (size_t i = 0; i < sizeof(cpu_pa_sizes) / sizeof(cpu_pa_sizes[0]); i++)
		if (fdt_node_check_compatible(pv->fdt, node, cpu_pa_sizes[i].compatible) == 0 &&
		    (!pv->pa_bits || cpu_pa_sizes[i].pa_bits < pv->pa_bits)) {
			pv->pa_bits = cpu_pa_sizes[i].pa_bits;
			pv->pa_cpu = cpu_pa_sizes[i].compatible;
		}
}

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
		note_cpu_pa_size(pv, node);
	}
}

/* Reports [base, +size) when it ends beyond 2^pv->pa_bits. */
static void check_pa_size(const struct system *sys, const struct platform_view *pv,
			  const char *node, const char *property, bool guest, uint64_t base,
			  uint64_t size)
{
	uint64_t last = base + (size - 1);

	/* Empty or wrapping ranges are config_check's to report. */
	if (!size || last < base || (last >> pv->pa_bits) == 0)
		return;
	diag_error(sys->file, node, property,
		   "%s[0x%llx, +0x%llx) lies beyond the %u-bit %s address space of the "
		   "platform's CPUs (%s), which the hypervisor's stage 2 cannot reach",
		   guest ? "guest " : "", (unsigned long long)base, (unsigned long long)size,
		   pv->pa_bits, guest ? "guest-physical" : "physical", pv->pa_cpu);
}

/*
 * With a known PARange, stage 2 has that many bits on both sides: every host
 * and guest range of the description must fit, as the hypervisor will check.
 */
static void check_pa_sizes(const struct system *sys, const struct platform_view *pv)
{
	const struct bh_config_header *h = &sys->hdr;

	check_pa_size(sys, pv, "/hypervisor", "memory", false, h->hv_memory.base,
		      h->hv_memory.size_bytes);
	check_pa_size(sys, pv, "/hypervisor", "loader-area", false, h->loader_area.base,
		      h->loader_area.size_bytes);
	for (uint32_t r = 0; r < sys->region_count; r++) {
		const struct bh_mem_region *reg = &sys->regions[r];

		/* A channel's regions are its endpoints, checked with the channel. */
		if (reg->flags & BH_MEM_COMM)
			continue;
		if (!(reg->flags & BH_MEM_HV_STATUS))
			check_pa_size(sys, pv, sys->region_path[r], "host-phys", false,
				      reg->host_phys, reg->size_bytes);
		check_pa_size(sys, pv, sys->region_path[r], "guest-phys", true, reg->guest_phys,
			      reg->size_bytes);
	}
	for (uint32_t d = 0; d < sys->device_count; d++)
		if (sys->devices[d].kind == BH_DEVICE_MMIO)
			check_pa_size(sys, pv, sys->device_path[d], "reg", false,
				      sys->devices[d].base, sys->devices[d].size_bytes);
	for (uint32_t k = 0; k < sys->channel_count; k++) {
		const struct bh_channel *ch = &sys->channels[k];

		check_pa_size(sys, pv, sys->channel_path[k], "host-phys", false, ch->host_phys,
			      ch->size_bytes);
		for (uint32_t e = 0; e < ch->endpoint_count && e < BH_CHANNEL_MAX_ENDPOINTS; e++)
			check_pa_size(sys, pv, sys->endpoint_path[k][e], "guest-phys", true,
				      ch->endpoints[e].guest_phys, ch->size_bytes);
	}
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

/*
 * Why the platform node (or one of its ancestors) cannot be given to a cell,
 * or NULL if it can. What the hypervisor drives must stay out of every
 * stage 2: a cell that maps the GIC distributor, a redistributor or the ITS
 * programs interrupt routing (and, through the ITS tables, DMA) for the
 * whole machine. The same goes for nodes the platform description marks
 * `bulkhead,hypervisor-owned` (the x86 legacy devices), for QEMU's fw-cfg,
 * which serves the -initrd system image (every cell's images and the
 * config) and writes anywhere through its DMA interface, and for disabled
 * nodes. The hypervisor's console is not on the list: a cell may be given
 * it explicitly, and the hypervisor then stops writing to it.
 */
static const char *not_assignable(const struct platform_view *pv, int node, char owner[PATH_LEN],
				  const char **tail)
{
	const char *status = fdt_getprop(pv->fdt, node, "status", NULL);
	const char *owned;
	int len;

	*tail = "the hypervisor owns it";
	/* The outermost controller: the ITS is an msi-controller inside the GIC's node. */
	int controller = -1;
	for (int n = node; n > 0; n = fdt_parent_offset(pv->fdt, n))
		if (fdt_getprop(pv->fdt, n, "interrupt-controller", NULL) ||
		    fdt_getprop(pv->fdt, n, "msi-controller", NULL))
			controller = n;
	diag_node_path(pv->fdt, node, owner);
	if (controller >= 0)
		return controller == node ? "the interrupt controller"
					  : "part of the interrupt controller";
	owned = fdt_getprop(pv->fdt, node, "bulkhead,hypervisor-owned", &len);
	if (owned)
		return len > 1 && owned[len - 1] == '\0' ? owned : "a device the hypervisor uses";
	if (!fdt_node_check_compatible(pv->fdt, node, "qemu,fw-cfg-mmio")) {
		*tail = "no cell may have it: it serves the system image (every cell's images) and "
			"its DMA interface writes anywhere";
		return "QEMU's firmware configuration device";
	}
	if (status && strcmp(status, "okay") && strcmp(status, "ok")) {
		*tail = "no cell may have it";
		return "a device the platform has disabled";
	}
	return NULL;
}

/*
 * Can the node's `reg` be read with the root's cells? Children of /cpus
 * (CPU ids), of PCI hosts (3-cell bus addresses) and of other buses with
 * their own address cells are not MMIO ranges in the root's address space.
 */
static bool reg_in_root_space(const struct platform_view *pv, int node)
{
	int parent = fdt_parent_offset(pv->fdt, node);
	const char *type = fdt_getprop(pv->fdt, node, "device_type", NULL);

	if (parent < 0 || (type && !strcmp(type, "memory")))
		return false; /* RAM is checked on its own */
	return fdt_address_cells(pv->fdt, parent) == pv->addr_cells &&
	       fdt_size_cells(pv->fdt, parent) == pv->size_cells;
}

#define PAGE_SIZE_4K 0x1000ull

/*
 * Is [base, +size) inside the platform range `r`? For MMIO the range is
 * widened to whole pages first: stage 2 maps 4 KiB pages, so a device
 * smaller than a page (a virtio-mmio transport, 0x200 bytes) can only be
 * given as its page, together with whatever else shares the page (every
 * node touching the range is checked to be assignable too).
 */
static bool inside_device(uint64_t base, uint64_t size, const struct bh_range *r, bool pages)
{
	struct bh_range page = *r;

	if (pages && r->size_bytes) {
		uint64_t first = r->base & ~(PAGE_SIZE_4K - 1);
		uint64_t end = r->base + r->size_bytes;

		if (end < r->base || end > UINT64_MAX - PAGE_SIZE_4K)
			return false;
		end = (end + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
		page.base = first;
		page.size_bytes = end - first;
	}
	return page.size_bytes && inside(base, size, &page);
}

/*
 * A range a cell gets (device `reg`/`ports`, or a memory region flagged
 * "device") must lie inside one `reg` (or `bulkhead,ports`) entry of one
 * platform node the platform offers for assignment, and touch no node the
 * hypervisor keeps. Containment, not overlap: a range that merely overlaps
 * a device would also map whatever lies next to it (another device, a gap
 * where the hypervisor's own hardware may decode). Fills `matches` with the
 * nodes the range touches (for the interrupt check); returns their count,
 * or -1 after reporting an error.
 */
static int check_assignable(const struct system *sys, const struct platform_view *pv,
			    const char *where, const char *sys_prop, bool ports, uint64_t base,
			    uint64_t size, int *matches, int max_matches)
{
	const char *prop = ports ? "bulkhead,ports" : "reg";
	int match_count = 0, node = -1, depth = 0, container = -1;
	char touched[2][PATH_LEN] = { "", "" };
	int touched_count = 0;

	while ((node = fdt_next_node(pv->fdt, node, &depth)) >= 0) {
		struct range_list rl;
		bool touching = false;

		if (!ports && !reg_in_root_space(pv, node))
			continue;
		node_ranges(pv, node, prop, &rl);
		for (unsigned int i = 0; i < rl.count; i++) {
			if (!touches(base, size, &rl.r[i]))
				continue;
			touching = true;
			if (container < 0 && inside_device(base, size, &rl.r[i], !ports))
				container = node;
		}
		if (!touching)
			continue;

		char owner[PATH_LEN];
		const char *tail;
		const char *why = not_assignable(pv, node, owner, &tail);

		if (why) {
			diag_error(sys->file, where, sys_prop, "[0x%llx, +0x%llx) %s %s (%s): %s",
				   (unsigned long long)base, (unsigned long long)size,
				   container == node ? "is" : "overlaps", why, owner, tail);
			return -1;
		}
		if (touched_count < 2)
			diag_node_path(pv->fdt, node, touched[touched_count]);
		touched_count++;
		if (match_count < max_matches)
			matches[match_count++] = node;
	}
	if (container < 0) {
		char detail[2 * PATH_LEN + 32] = "";

		if (touched_count == 1)
			snprintf(detail, sizeof(detail), " (it reaches past %s)", touched[0]);
		else if (touched_count > 1)
			snprintf(detail, sizeof(detail), " (it spans %s and %s%s)", touched[0],
				 touched[1], touched_count > 2 ? ", and more" : "");
		diag_error(sys->file, where, sys_prop,
			   "[0x%llx, +0x%llx) is not inside any device the platform offers for "
			   "assignment%s: it must lie within one %s entry of one platform node",
			   (unsigned long long)base, (unsigned long long)size, detail, prop);
		return -1;
	}
	return match_count;
}

/*
 * Can the platform node master DMA? virtio-mmio transports (their queues
 * live in guest memory the device reads and writes), PCI host bridges (every
 * device behind one can master the bus), DMA engines, devices the platform
 * places behind an IOMMU, and nodes the platform description marks
 * `bulkhead,dma-master` (for a board's own bus masters).
 */
static bool dma_master(const struct platform_view *pv, int node)
{
	const char *type = fdt_getprop(pv->fdt, node, "device_type", NULL);

	return !fdt_node_check_compatible(pv->fdt, node, "virtio,mmio") ||
	       (type && !strcmp(type, "pci")) || fdt_getprop(pv->fdt, node, "#dma-cells", NULL) ||
	       fdt_getprop(pv->fdt, node, "dma-controller", NULL) ||
	       fdt_getprop(pv->fdt, node, "iommus", NULL) ||
	       fdt_getprop(pv->fdt, node, "bulkhead,dma-master", NULL);
}

/*
 * No IOMMU is programmed, so a device that masters DMA reaches every cell's
 * memory and the hypervisor's: its cell is trusted with all of them. The
 * description must say it knows (`dma = "unconfined"`); then it is a warning.
 */
static void check_device_dma(const struct system *sys, const struct platform_view *pv, uint32_t d,
			     const int *matches, int match_count)
{
	char path[PATH_LEN];
	int m = 0;

	while (m < match_count && !dma_master(pv, matches[m]))
		m++;
	if (m == match_count)
		return;
	diag_node_path(pv->fdt, matches[m], path);
	if (!sys->device_dma_unconfined[d])
		diag_error(
			sys->file, sys->device_path[d], "reg",
			"platform device %s can master DMA, and no IOMMU confines it: it can "
			"read and write every cell's memory and the hypervisor's. Give it only to "
			"a cell trusted with all of them, and say so with dma = \"unconfined\" "
			"(docs/design.md, DMA)",
			path);
	else
		diag_warning(sys->file, sys->device_path[d], "dma",
			     "platform device %s masters DMA unconfined: cell \"%s\" is trusted "
			     "with every cell's memory and the hypervisor's",
			     path, sys->cells[sys->devices[d].cell].name);
}

/* A region flagged "device" has no `dma` property: a DMA master must be a device. */
static void check_device_region(const struct system *sys, const struct platform_view *pv,
				uint32_t r)
{
	const struct bh_mem_region *reg = &sys->regions[r];
	int matches[32];
	int count = check_assignable(sys, pv, sys->region_path[r], "host-phys", false,
				     reg->host_phys, reg->size_bytes, matches, 32);
	char path[PATH_LEN];

	for (int m = 0; m < count; m++) {
		if (!dma_master(pv, matches[m]))
			continue;
		diag_node_path(pv->fdt, matches[m], path);
		diag_error(sys->file, sys->region_path[r], "host-phys",
			   "platform device %s can master DMA: give it as a device of the cell "
			   "(devices/NAME, with dma = \"unconfined\"), not as a memory region",
			   path);
		return;
	}
}

static void check_device(const struct system *sys, const struct platform_view *pv, uint32_t d)
{
	const struct bh_device *dev = &sys->devices[d];
	bool ports = dev->kind == BH_DEVICE_PORT;
	const char *where = sys->device_path[d];
	const char *sys_prop = ports ? "ports" : "reg";
	int matches[32], match_count;

	if (!dev->size_bytes)
		return; /* config_check reports it */
	if (!ports && touches_ram(pv, dev->base, dev->size_bytes)) {
		diag_error(sys->file, where, sys_prop, "[0x%llx, +0x%llx) is RAM, not a device",
			   (unsigned long long)dev->base, (unsigned long long)dev->size_bytes);
		return;
	}
	match_count = check_assignable(sys, pv, where, sys_prop, ports, dev->base, dev->size_bytes,
				       matches, 32);
	if (match_count <= 0)
		return;
	check_device_dma(sys, pv, d, matches, match_count);
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
		else if (device) {
			/* A "device" region maps MMIO like a device does: same rule. */
			check_device_region(sys, &pv, r);
		}
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
	if (pv.pa_bits)
		check_pa_sizes(sys, &pv);
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
