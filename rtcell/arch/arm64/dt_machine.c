/*
 * Reads the board description the bare kernel needs (dt_machine.h) with the
 * shared FDT walker (lib/fdt.h), which bounds every read by the blob's own
 * header. Only identity `ranges` are supported below the root (see header).
 */
#include <lib/fdt.h>
#include <lib/string.h>

#include "dt_machine.h"

#define PATH_MAX_BYTES 96

/* A NUL-terminated copy of the string property `s` (`len` bytes), up to ':'. */
static bool copy_path(char *path, const char *s, uint32_t len)
{
	uint32_t n = 0;

	if (!s || strnlen(s, len) == len)
		return false;
	for (; s[n] && s[n] != ':' && n < PATH_MAX_BYTES - 1; n++)
		path[n] = s[n];
	path[n] = '\0';
	return s[n] == '\0' || s[n] == ':';
}

struct cells {
	uint32_t addr;
	uint32_t size;
};

static struct cells cells_of(const struct fdt *fdt, struct fdt_node bus)
{
	struct cells c = {
		.addr = fdt_get_u32(fdt, bus, "#address-cells", 2),
		.size = fdt_get_u32(fdt, bus, "#size-cells", 1),
	};

	return c;
}

static bool cells_usable(struct cells c)
{
	return c.addr >= 1 && c.addr <= 2 && c.size >= 1 && c.size <= 2;
}

/* Entry `i` of a node's reg (address, and size when `size` is not NULL). */
static bool reg_entry(const struct fdt *fdt, struct fdt_node node, struct cells c, unsigned i,
		      uint64_t *addr, uint64_t *size)
{
	uint32_t len;
	const uint8_t *reg = fdt_get_prop(fdt, node, "reg", &len);
	uint32_t entry = 4 * (c.addr + c.size);

	if (!cells_usable(c) || !reg || len < entry * (i + 1))
		return false;
	*addr = fdt_read_cells(reg + entry * i, c.addr);
	if (size)
		*size = fdt_read_cells(reg + entry * i + 4 * c.addr, c.size);
	return true;
}

/* The first child of `bus` with `compatible`, and the cells of `bus`. */
static bool compatible_child(const struct fdt *fdt, struct fdt_node bus, const char *compatible,
			     struct fdt_node *found, struct cells *c)
{
	struct fdt_node node;

	for (int err = fdt_first_child(fdt, bus, &node); !err;
	     err = fdt_next_sibling(fdt, node, &node)) {
		if (fdt_prop_is(fdt, node, "compatible", compatible)) {
			*found = node;
			*c = cells_of(fdt, bus);
			return true;
		}
	}
	return false;
}

/* A node with `compatible` at the root, else one level down (a /soc bus). */
static bool find_compatible(const struct fdt *fdt, struct fdt_node root, const char *compatible,
			    struct fdt_node *found, struct cells *c)
{
	struct fdt_node bus;

	if (compatible_child(fdt, root, compatible, found, c))
		return true;
	for (int err = fdt_first_child(fdt, root, &bus); !err;
	     err = fdt_next_sibling(fdt, bus, &bus))
		if (compatible_child(fdt, bus, compatible, found, c))
			return true;
	return false;
}

static void read_gic(const struct fdt *fdt, struct fdt_node gic, struct cells c,
		     struct rt_dt_machine *m)
{
	uint64_t size;
	uint32_t regions = fdt_get_u32(fdt, gic, "#redistributor-regions", 1);

	if (!reg_entry(fdt, gic, c, 0, &m->gicd, &size))
		return;
	if (regions > RT_DT_MAX_GICR_REGIONS)
		regions = RT_DT_MAX_GICR_REGIONS;
	for (unsigned i = 0; i < regions; i++)
		if (reg_entry(fdt, gic, c, 1 + i, &m->gicr_base[m->gicr_regions],
			      &m->gicr_size[m->gicr_regions]))
			m->gicr_regions++;
}

/*
 * The node /chosen stdout-path names: an absolute path or an alias, either
 * with ":options" (baud rate) after it, which a polled UART ignores.
 */
static bool find_stdout(const struct fdt *fdt, struct fdt_node *uart, char *path)
{
	struct fdt_node node;
	uint32_t len = 0;
	const char *s = NULL;

	if (!fdt_find_path(fdt, "/chosen", &node))
		s = fdt_get_prop(fdt, node, "stdout-path", &len);
	if (!copy_path(path, s, len))
		return false;
	if (path[0] != '/') {
		s = NULL;
		if (!fdt_find_path(fdt, "/aliases", &node))
			s = fdt_get_prop(fdt, node, path, &len);
		if (!copy_path(path, s, len))
			return false;
	}
	return fdt_find_path(fdt, path, uart) == 0 &&
	       fdt_prop_is(fdt, *uart, "compatible", "arm,pl011");
}

static void read_uart(const struct fdt *fdt, struct fdt_node root, struct rt_dt_machine *m)
{
	char path[PATH_MAX_BYTES];
	struct fdt_node uart;
	struct fdt_node bus = root;
	struct cells c;

	if (find_stdout(fdt, &uart, path)) {
		/* Its bus is the path's parent. */
		size_t slash = 0;

		for (size_t i = 0; path[i]; i++)
			if (path[i] == '/')
				slash = i;
		path[slash] = '\0';
		if (slash && fdt_find_path(fdt, path, &bus))
			return;
		c = cells_of(fdt, bus);
	} else if (!find_compatible(fdt, root, "arm,pl011", &uart, &c)) {
		return;
	}
	reg_entry(fdt, uart, c, 0, &m->uart, NULL);
}

static void read_psci(const struct fdt *fdt, struct rt_dt_machine *m)
{
	struct fdt_node psci;

	if (fdt_find_path(fdt, "/psci", &psci))
		return;
	if (fdt_prop_is(fdt, psci, "method", "smc"))
		m->psci = RT_DT_PSCI_SMC;
	else if (fdt_prop_is(fdt, psci, "method", "hvc"))
		m->psci = RT_DT_PSCI_HVC;
}

static void read_cpus(const struct fdt *fdt, struct rt_dt_machine *m)
{
	struct fdt_node cpus;
	struct fdt_node cpu;

	if (fdt_find_path(fdt, "/cpus", &cpus))
		return;
	struct cells c = { .addr = fdt_get_u32(fdt, cpus, "#address-cells", 1), .size = 1 };

	for (int err = fdt_first_child(fdt, cpus, &cpu); !err && m->ncpus < RT_DT_MAX_CPUS;
	     err = fdt_next_sibling(fdt, cpu, &cpu)) {
		uint32_t len;
		const void *reg = fdt_get_prop(fdt, cpu, "reg", &len);

		if (fdt_prop_is(fdt, cpu, "device_type", "cpu") && cells_usable(c) && reg &&
		    len >= 4 * c.addr)
			m->mpidr[m->ncpus++] = fdt_read_cells(reg, c.addr);
	}
}

int rt_dt_machine_read(const void *dtb, size_t max_size, struct rt_dt_machine *m)
{
	struct fdt fdt;
	struct fdt_node root;
	struct fdt_node gic;
	struct cells c;

	memset(m, 0, sizeof(*m));
	if (!dtb || fdt_open(&fdt, dtb, max_size) || fdt_root(&fdt, &root))
		return -1;
	if (find_compatible(&fdt, root, "arm,gic-v3", &gic, &c))
		read_gic(&fdt, gic, c, m);
	read_uart(&fdt, root, m);
	read_psci(&fdt, m);
	read_cpus(&fdt, m);
	return m->gicd && m->gicr_regions && m->ncpus ? 0 : -1;
}
