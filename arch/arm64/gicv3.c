/*
 * GICv3 distributor/redistributor set-up and ownership (arm64/gicv3.h).
 * Only Group 1 is used (single security state on QEMU virt: GICD_CTLR.DS=1;
 * on boards with EL3 firmware Group 0 belongs to EL3). Every SPI starts
 * disabled and owned by nobody; a cell enables what it owns.
 */
#include <aarch64/sysreg.h>
#include <abi/config_check.h>
#include <arch/arch_cpu.h>
#include <arm64/gicv3.h>
#include <arm64/trap_config.h>
#include <arm64/vgic.h>
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <hv/panic.h>
#include <hv/platform.h>
#include <hv/spinlock.h>
#include <lib/fdt.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_ENABLE_G1 (1u << 1)

#define GICR_WAKER 0x0014
#define GICR_TYPER 0x0008
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_SGI_IGROUPR0 0x0080
#define GICR_SGI_ISENABLER0 0x0100
#define GICR_SGI_ICENABLER0 0x0180
#define GICR_SGI_ICPENDR0 0x0280
#define GICR_SGI_ICACTIVER0 0x0380
#define GICR_SGI_IPRIORITYR 0x0400

#define DEFAULT_PRIORITY 0xa0u
#define DTB_MAX_SIZE (2u << 20)
/* GICD, the redistributor regions, GICC/GICH/GICV, ITSes: QEMU virt has 3. */
#define GIC_MAX_OWNED 12

static uint64_t gicd_base;
static uint64_t gicd_size;
static uint64_t gicr_base, gicr_size; /* the redistributor region of the DTB */
static uint64_t gicr_frame[HV_MAX_CPUS];
static unsigned int spi_limit;
/* Every register frame the device tree gives the GIC: no cell may map them. */
static struct config_owned_range gic_owned[GIC_MAX_OWNED];
static unsigned int gic_owned_count;
/* spi_owner[intid] = cell id + 1, 0 when free. Written at boot only. */
static uint8_t spi_owner[GIC_INTID_LIMIT];

static volatile uint32_t *reg32(uint64_t base, uint64_t offset)
{
	return (volatile uint32_t *)(uintptr_t)(base + offset);
}

static volatile uint64_t *reg64(uint64_t base, uint64_t offset)
{
	return (volatile uint64_t *)(uintptr_t)(base + offset);
}

static void gicd_wait_rwp(void)
{
	while (*reg32(gicd_base, GICD_CTLR) & GICD_CTLR_RWP)
		;
}

static uint64_t gicr_affinity_of_mpidr(uint64_t mpidr)
{
	/* GICR_TYPER.Affinity packs Aff3.Aff2.Aff1.Aff0 into 32 bits (IROUTER does not). */
	return (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
}

static bool find_gic_node(const struct fdt *fdt, struct fdt_node *gic)
{
	struct fdt_node root;
	struct fdt_node node;

	if (fdt_root(fdt, &root))
		return false;
	for (int err = fdt_first_child(fdt, root, &node); !err;
	     err = fdt_next_sibling(fdt, node, &node)) {
		if (fdt_prop_is(fdt, node, "compatible", "arm,gic-v3")) {
			*gic = node;
			return true;
		}
	}
	return false;
}

static void map_redistributors(uint64_t base, uint64_t size, const struct platform *plat)
{
	for (uint64_t frame = base; frame < base + size; frame += GICR_FRAME_BYTES) {
		uint64_t typer = *reg64(frame, GICR_TYPER);
		uint64_t affinity = typer >> 32;

		for (unsigned int cpu = 0; cpu < plat->cpu_count; cpu++)
			if (gicr_affinity_of_mpidr(plat->cpu_hwid[cpu]) == affinity)
				gicr_frame[cpu] = frame;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	for (unsigned int cpu = 0; cpu < plat->cpu_count; cpu++)
		if (!gicr_frame[cpu])
			hv_panic("GICv3: no redistributor for cpu %u (MPIDR 0x%llx)", cpu,
				 (unsigned long long)plat->cpu_hwid[cpu]);
}

static void init_distributor(uint64_t boot_irouter)
{
	uint32_t lines = (*reg32(gicd_base, GICD_TYPER) & 0x1f) + 1;

	spi_limit = lines * 32 > GIC_INTID_LIMIT ? GIC_INTID_LIMIT : lines * 32;
	*reg32(gicd_base, GICD_CTLR) = 0;
	gicd_wait_rwp();
	for (uint32_t intid = GIC_INTID_SPI_FIRST; intid < spi_limit; intid += 32) {
		*reg32(gicd_base, GICD_ICENABLER + intid / 8) = 0xffffffffu;
		*reg32(gicd_base, GICD_ICPENDR + intid / 8) = 0xffffffffu;
		*reg32(gicd_base, GICD_IGROUPR + intid / 8) = 0xffffffffu;
	}
	for (uint32_t intid = GIC_INTID_SPI_FIRST; intid < spi_limit; intid++) {
		*((volatile uint8_t *)(uintptr_t)(gicd_base + GICD_IPRIORITYR + intid)) =
			DEFAULT_PRIORITY;
		*reg64(gicd_base, GICD_IROUTER + 8 * intid) = boot_irouter;
	}
	gicd_wait_rwp();
	*reg32(gicd_base, GICD_CTLR) = GICD_CTLR_ARE;
	gicd_wait_rwp();
	*reg32(gicd_base, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1;
	gicd_wait_rwp();
}

static void own(uint64_t base, uint64_t size, const char *what)
{
	/* Refuse rather than drop: a frame left out would be mappable into a cell. */
	if (gic_owned_count == GIC_MAX_OWNED)
		hv_panic("GICv3: more than %u register ranges in the device tree", GIC_MAX_OWNED);
	gic_owned[gic_owned_count].base = base;
	gic_owned[gic_owned_count].size_bytes = size;
	gic_owned[gic_owned_count].what = what;
	gic_owned_count++;
}

/*
 * Records every reg entry of the GIC node (GICD, then #redistributor-regions
 * redistributor regions, then any GICC/GICH/GICV frames) and of its
 * msi-controller children (the ITSes). The children's addresses are read
 * with the GIC node's cell sizes and taken as root addresses (`ranges;`, as
 * on QEMU virt and every GICv3 binding example).
 */
static void record_owned_frames(const struct fdt *fdt, struct fdt_node gic, const uint8_t *reg,
				uint32_t len)
{
	uint32_t redist = fdt_get_u32(fdt, gic, "#redistributor-regions", 1);
	uint32_t ac = fdt_get_u32(fdt, gic, "#address-cells", 2);
	uint32_t sc = fdt_get_u32(fdt, gic, "#size-cells", 2);
	struct fdt_node child;

	for (uint32_t i = 0; (i + 1) * 16 <= len; i++)
		own(fdt_read_cells(reg + 16 * i, 2), fdt_read_cells(reg + 16 * i + 8, 2),
		    i == 0        ? "the GIC distributor"
		    : i <= redist ? "the GIC redistributor region"
				  : "a GIC CPU interface frame");
	for (int err = fdt_first_child(fdt, gic, &child); !err;
	     err = fdt_next_sibling(fdt, child, &child)) {
		uint32_t child_len;
		const uint8_t *child_reg = fdt_get_prop(fdt, child, "reg", &child_len);
		uint32_t entry = 4 * (ac + sc);

		if (!child_reg || (!fdt_get_prop(fdt, child, "msi-controller", NULL) &&
				   !fdt_prop_is(fdt, child, "compatible", "arm,gic-v3-its")))
			continue;
		/* fdt_read_cells reads 1 or 2 cells; anything else cannot be placed. */
		if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
			hv_panic("GICv3: ITS node with #address-cells/#size-cells %u/%u: expected "
				 "1 or 2",
				 ac, sc);
		for (uint32_t at = 0; at + entry <= child_len; at += entry)
			own(fdt_read_cells(child_reg + at, ac),
			    fdt_read_cells(child_reg + at + 4 * ac, sc), "the GIC ITS");
	}
}

void gicv3_init(const void *dtb, const struct platform *plat)
{
	struct fdt fdt;
	struct fdt_node gic;
	uint32_t len;

	if (fdt_open(&fdt, dtb, DTB_MAX_SIZE) || !find_gic_node(&fdt, &gic))
		hv_panic("GICv3: no \"arm,gic-v3\" node in the device tree");
	const uint8_t *reg = fdt_get_prop(&fdt, gic, "reg", &len);

	if (!reg || len < 32)
		hv_panic("GICv3: interrupt controller node has no GICD and GICR reg entries");
	gicd_base = fdt_read_cells(reg, 2);
	gicd_size = fdt_read_cells(reg + 8, 2);
	gicr_base = fdt_read_cells(reg + 16, 2);
	gicr_size = fdt_read_cells(reg + 24, 2);
	record_owned_frames(&fdt, gic, reg, len);
	map_redistributors(gicr_base, gicr_size, plat);
	init_distributor(gic_irouter_of_mpidr(plat->cpu_hwid[0]));
	gicv3_cpu_init();
}

void gicv3_cpu_init(void)
{
	uint64_t rd = gicr_frame[arch_cpu_this()];
	uint64_t sgi = rd + GICR_SGI_FRAME_OFFSET;

	*reg32(rd, GICR_WAKER) &= ~GICR_WAKER_SLEEP;
	while (*reg32(rd, GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		;
	*reg32(sgi, GICR_SGI_ICENABLER0) = 0xffffffffu;
	*reg32(sgi, GICR_SGI_IGROUPR0) = 0xffffffffu;
	for (unsigned int i = 0; i < 32; i++)
		*((volatile uint8_t *)(uintptr_t)(sgi + GICR_SGI_IPRIORITYR + i)) =
			DEFAULT_PRIORITY;
	/* System register interface for EL2 and EL1; EL1 must not fall back to MMIO. */
	write_sysreg(icc_sre_el2, 0xf); /* SRE, DFB, DIB, Enable */
	isb();
}

uint64_t gicv3_gicd_base(void)
{
	return gicd_base;
}

uint64_t gicv3_gicd_size(void)
{
	return gicd_size;
}

void gicv3_gicr_region(uint64_t *base, uint64_t *size_bytes)
{
	*base = gicr_base;
	*size_bytes = gicr_size;
}

unsigned int gicv3_owned_ranges(const struct config_owned_range **ranges)
{
	*ranges = gic_owned;
	return gic_owned_count;
}

uint64_t gicv3_gicr_of_cpu(unsigned int cpu)
{
	return cpu < HV_MAX_CPUS ? gicr_frame[cpu] : 0;
}

int gicv3_assign_spi(unsigned int cell_id, uint32_t intid, uint64_t route_mpidr)
{
	if (intid < GIC_INTID_SPI_FIRST || intid >= spi_limit)
		return -BH_ERANGE;
	if (spi_owner[intid])
		return -BH_EBUSY;
	spi_owner[intid] = (uint8_t)(cell_id + 1);
	*reg64(gicd_base, GICD_IROUTER + 8 * intid) = gic_irouter_of_mpidr(route_mpidr);
	return 0;
}

void gicv3_reset_spi(uint32_t intid, uint64_t route_mpidr)
{
	uint32_t word = 4 * (intid / 32), bit = 1u << (intid % 32);

	*reg32(gicd_base, GICD_ICENABLER + word) = bit;
	gicd_wait_rwp();
	*reg32(gicd_base, GICD_ICPENDR + word) = bit;
	*reg32(gicd_base, GICD_ICACTIVER + word) = bit;
	*reg64(gicd_base, GICD_IROUTER + 8 * intid) = gic_irouter_of_mpidr(route_mpidr);
}

void gicv3_reset_private(unsigned int cpu)
{
	uint64_t sgi = gicr_frame[cpu] + GICR_SGI_FRAME_OFFSET;
	uint32_t cell_owned = ~(1u << GIC_HV_KICK_SGI | 1u << GIC_MAINTENANCE_PPI);

	*reg32(sgi, GICR_SGI_ICPENDR0) = cell_owned;
	*reg32(sgi, GICR_SGI_ICACTIVER0) = cell_owned;
}

int gicv3_owner(uint32_t intid)
{
	if (intid >= GIC_INTID_LIMIT || !spi_owner[intid])
		return -1;
	return spi_owner[intid] - 1;
}

void gicv3_send_sgi(uint32_t intid, uint64_t mpidr)
{
	/* Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16], target list [15:0]. */
	uint64_t value = ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
			 (uint64_t)(intid & 0xf) << 24 | ((mpidr >> 8) & 0xff) << 16 |
			 (1ull << (mpidr & 0xf));

	__asm__ volatile("dsb ishst" ::: "memory");
	write_sysreg(icc_sgi1r_el1, value);
	isb();
}

/*
 * ICH_HCR_EL2.TDIR (FEAT_GICv3_TDIR, advertised by ICH_VTR_EL2.TDS) traps
 * EL1 writes of ICC_DIR_EL1 whatever IMO says: the one way a direct cell
 * could end the active state of an interrupt that is not its own. En stays 0:
 * the direct cell has no virtual interface.
 */
#define ICH_VTR_TDS (1ull << 19)

void gicv3_trap_direct_deactivation(const char *cell, unsigned int cpu)
{
	if (read_sysreg(ich_vtr_el2) & ICH_VTR_TDS) {
		write_sysreg(ich_hcr_el2, ICH_HCR_DIRECT);
		isb();
		return;
	}
	console_print("hv: cell \"%s\" cpu %u: this GIC cannot trap ICC_DIR_EL1 (no "
		      "ICH_VTR_EL2.TDS): the cell can deactivate any interrupt\n",
		      cell, cpu);
}

void gicv3_take_cpu_interface(void)
{
	uint64_t sgi = gicr_frame[arch_cpu_this()] + GICR_SGI_FRAME_OFFSET;

	write_sysreg(icc_pmr_el1, 0xff); /* let every priority through */
	write_sysreg(icc_igrpen1_el1, 1);
	*reg32(sgi, GICR_SGI_ISENABLER0) = 1u << GIC_HV_KICK_SGI | 1u << 25; /* kick, maintenance */
	isb();
}
