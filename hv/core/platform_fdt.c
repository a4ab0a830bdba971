/*
 * Platform discovery from a device tree (see hv/platform_fdt.h).
 * Refuses, rather than truncates, trees with more CPUs or RAM ranges than
 * the hypervisor's tables hold: a CPU we did not count could not be isolated.
 */
#include <bulkhead/errno.h>
#include <hv/platform_fdt.h>
#include <lib/fdt.h>
#include <lib/format.h>
#include <lib/string.h>

static printf_like(4, 5) int fail(char *why, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return err;
}

static bool is_cpu_node(const struct fdt *fdt, struct fdt_node node)
{
	return fdt_prop_is(fdt, node, "device_type", "cpu");
}

static int read_cpus(const struct fdt *fdt, struct platform *plat, char *why, size_t size)
{
	struct fdt_node cpus;
	struct fdt_node cpu;

	if (fdt_find_path(fdt, "/cpus", &cpus))
		return fail(why, size, -BH_EINVAL, "device tree has no %s node", "/cpus");
	uint32_t addr_cells = fdt_get_u32(fdt, cpus, "#address-cells", 1);

	if (addr_cells < 1 || addr_cells > 2)
		return fail(why, size, -BH_EINVAL, "%s: #address-cells must be 1 or 2", "/cpus");
	plat->cpu_count = 0;
	for (int err = fdt_first_child(fdt, cpus, &cpu); !err;
	     err = fdt_next_sibling(fdt, cpu, &cpu)) {
		if (!is_cpu_node(fdt, cpu))
			continue;
		uint32_t len;
		const void *reg = fdt_get_prop(fdt, cpu, "reg", &len);

		if (!reg || len < 4 * addr_cells)
			return fail(why, size, -BH_EINVAL, "/cpus/%s: missing or short reg",
				    fdt_node_name(fdt, cpu));
		if (plat->cpu_count == HV_MAX_CPUS)
			return fail(why, size, -BH_E2BIG,
				    "/cpus: more CPUs than the hypervisor supports (%s)",
				    "raise HV_MAX_CPUS");
		plat->cpu_hwid[plat->cpu_count++] = fdt_read_cells(reg, addr_cells);
	}
	if (plat->cpu_count == 0)
		return fail(why, size, -BH_EINVAL, "%s: no node with device_type \"cpu\"", "/cpus");
	return 0;
}

static int read_memory_node(const struct fdt *fdt, struct fdt_node node, uint32_t addr_cells,
			    uint32_t size_cells, struct platform *plat, char *why, size_t size)
{
	uint32_t len;
	const uint8_t *reg = fdt_get_prop(fdt, node, "reg", &len);
	uint32_t entry = 4 * (addr_cells + size_cells);

	if (!reg || len == 0 || len % entry)
		return fail(why, size, -BH_EINVAL, "/%s: reg is missing or malformed",
			    fdt_node_name(fdt, node));
	for (uint32_t at = 0; at < len; at += entry) {
		if (plat->ram_count == HV_MAX_RAM_RANGES)
			return fail(why, size, -BH_E2BIG,
				    "/%s: more RAM ranges than the hypervisor supports",
				    fdt_node_name(fdt, node));
		struct ram_range *r = &plat->ram[plat->ram_count];

		r->base = fdt_read_cells(reg + at, addr_cells);
		r->size_bytes = fdt_read_cells(reg + at + 4 * addr_cells, size_cells);
		if (r->size_bytes)
			plat->ram_count++;
	}
	return 0;
}

static int read_memory(const struct fdt *fdt, struct platform *plat, char *why, size_t size)
{
	struct fdt_node root;
	struct fdt_node node;

	if (fdt_root(fdt, &root))
		return fail(why, size, -BH_EINVAL, "device tree has no %s node", "root");
	uint32_t addr_cells = fdt_get_u32(fdt, root, "#address-cells", 2);
	uint32_t size_cells = fdt_get_u32(fdt, root, "#size-cells", 1);

	if (addr_cells < 1 || addr_cells > 2 || size_cells < 1 || size_cells > 2)
		return fail(why, size, -BH_EINVAL, "%s: #address-cells/#size-cells not 1 or 2",
			    "/");
	plat->ram_count = 0;
	for (int err = fdt_first_child(fdt, root, &node); !err;
	     err = fdt_next_sibling(fdt, node, &node)) {
		if (!fdt_prop_is(fdt, node, "device_type", "memory"))
			continue;
		int ret = read_memory_node(fdt, node, addr_cells, size_cells, plat, why, size);

		if (ret)
			return ret;
	}
	if (plat->ram_count == 0)
		return fail(why, size, -BH_EINVAL, "device tree has no %s",
			    "memory node with a non-empty reg");
	return 0;
}

static void read_strings(const struct fdt *fdt, struct platform *plat)
{
	struct fdt_node node;
	uint32_t len;
	const char *s;

	plat->model[0] = '\0';
	plat->cmdline[0] = '\0';
	if (!fdt_root(fdt, &node) && (s = fdt_get_prop(fdt, node, "model", &len)) &&
	    strnlen(s, len) < len)
		strlcpy(plat->model, s, sizeof(plat->model));
	if (!fdt_find_path(fdt, "/chosen", &node) &&
	    (s = fdt_get_prop(fdt, node, "bootargs", &len)) && strnlen(s, len) < len)
		strlcpy(plat->cmdline, s, sizeof(plat->cmdline));
}

int platform_from_fdt(const void *dtb, size_t max_size, struct platform *plat, char *why,
		      size_t why_size)
{
	struct fdt fdt;
	int err = fdt_open(&fdt, dtb, max_size);

	if (err)
		return fail(why, why_size, -BH_EINVAL, "%s",
			    "no valid device tree handed over (bad magic, version or sizes)");
	err = read_cpus(&fdt, plat, why, why_size);
	if (!err)
		err = read_memory(&fdt, plat, why, why_size);
	if (!err)
		read_strings(&fdt, plat);
	return err;
}

int platform_fdt_initrd(const void *dtb, size_t max_size, uint64_t *start, uint64_t *end)
{
	struct fdt fdt;
	struct fdt_node chosen;
	uint32_t start_len;
	uint32_t end_len;

	if (fdt_open(&fdt, dtb, max_size) || fdt_find_path(&fdt, "/chosen", &chosen))
		return -BH_ENOENT;
	const void *s = fdt_get_prop(&fdt, chosen, "linux,initrd-start", &start_len);
	const void *e = fdt_get_prop(&fdt, chosen, "linux,initrd-end", &end_len);

	if (!s || !e || (start_len != 4 && start_len != 8) || (end_len != 4 && end_len != 8))
		return -BH_ENOENT;
	*start = fdt_read_cells(s, start_len / 4);
	*end = fdt_read_cells(e, end_len / 4);
	return 0;
}

uint32_t platform_fdt_take_rng_seed(void *dtb, size_t max_size, uint8_t *seed, uint32_t size)
{
	struct fdt fdt;
	struct fdt_node chosen;
	uint32_t len;
	const void *value;

	if (fdt_open(&fdt, dtb, max_size) || fdt_find_path(&fdt, "/chosen", &chosen) ||
	    !(value = fdt_get_prop(&fdt, chosen, "rng-seed", &len)))
		return 0;
	uint32_t taken = len < size ? len : size;

	memcpy(seed, value, taken);
	fdt_remove_prop_in_place(value, len);
	return taken;
}
