/*
 * Filtering of cells' trapped GIC accesses (gicv3_emulate_access).
 * Distributor: per-interrupt registers act only on SPIs the cell owns (other
 * bits read as 0 and writes to them are dropped); IROUTER of an owned SPI
 * accepts only one of the cell's own CPUs; GICD_CTLR and everything else is
 * read-only or read-as-zero. Redistributor control frame: identification and
 * wake registers read through, every write is dropped (the LPI table
 * registers would let a cell aim the GIC's own memory accesses anywhere).
 * Read-modify-write registers take gic_filter_lock, which virtual cells may take
 * at any time; a direct cell touches GICD at init only, so its steady state never
 * waits for it (docs/design.md, I4 and I5).
 */
#include <arm64/gicv3.h>
#include <bulkhead/config.h>
#include <bulkhead/stats.h>
#include <hv/cpu_map.h>
#include <hv/spinlock.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_PIDR2 0xffe8
#define GICD_TYPER_NO_LPIS ((1u << 17) | (1u << 16)) /* LPIS, MBIS */
#define BITS1_FIRST 0x0080 /* IGROUPR .. ICACTIVER: one bit per interrupt */
#define BITS1_END 0x0400
#define GICD_IPRIORITYR 0x0400
#define GICD_IPRIORITYR_END 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_ICFGR_END 0x0d00
#define GICD_IGRPMODR 0x0d00
#define GICD_IGRPMODR_END 0x0d80
#define GICD_IROUTER 0x6000
#define GICD_IROUTER_END 0x7fe0

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8

static struct spinlock gic_filter_lock = SPINLOCK_INIT;

static bool owns(const struct cell *cell, uint32_t intid)
{
	return gicv3_owner(intid) == (int)cell->id;
}

/* Mask of the interrupts in [first, first + count) that the cell owns, `bits` bits each. */
static uint64_t owned_mask(const struct cell *cell, uint32_t first, unsigned int count,
			   unsigned int bits)
{
	uint64_t mask = 0;

	for (unsigned int i = 0; i < count; i++)
		if (owns(cell, first + i))
			mask |= ((1ull << bits) - 1) << (i * bits);
	return mask;
}

static uint64_t mmio_read(uint64_t pa, unsigned int size)
{
	switch (size) {
	case 1:
		return *(volatile uint8_t *)(uintptr_t)pa;
	case 2:
		return *(volatile uint16_t *)(uintptr_t)pa;
	case 4:
		return *(volatile uint32_t *)(uintptr_t)pa;
	default:
		return *(volatile uint64_t *)(uintptr_t)pa;
	}
}

static void mmio_write(uint64_t pa, unsigned int size, uint64_t value)
{
	switch (size) {
	case 1:
		*(volatile uint8_t *)(uintptr_t)pa = (uint8_t)value;
		break;
	case 2:
		*(volatile uint16_t *)(uintptr_t)pa = (uint16_t)value;
		break;
	case 4:
		*(volatile uint32_t *)(uintptr_t)pa = (uint32_t)value;
		break;
	default:
		*(volatile uint64_t *)(uintptr_t)pa = value;
		break;
	}
}

/* A register with `bits` bits per interrupt, starting at interrupt 0 at `table`. */
static void filter_per_irq(const struct cell *cell, uint64_t pa, uint64_t offset, uint64_t table,
			   unsigned int bits, bool set_clear, bool is_write, unsigned int size,
			   uint64_t *value)
{
	uint32_t first = (uint32_t)((offset - table) * 8 / bits);
	uint64_t mask = owned_mask(cell, first, size * 8 / bits, bits);

	if (!is_write) {
		*value = mmio_read(pa, size) & mask;
		return;
	}
	if (!mask)
		return;
	if (set_clear) {
		/* Write-1-to-set/clear: zeros are harmless, so no read-modify-write. */
		mmio_write(pa, size, *value & mask);
		return;
	}
	spin_lock(&gic_filter_lock);
	mmio_write(pa, size, (mmio_read(pa, size) & ~mask) | (*value & mask));
	spin_unlock(&gic_filter_lock);
}

/*
 * An IROUTER value a cell may write for its own SPI: one of its own CPUs,
 * compared on all 64 bits, so IRM ("1 of N", bit 31), Aff3 (39:32) and the
 * reserved bits must match that CPU exactly.
 */
static bool routes_to_own_cpu(const struct cell *cell, uint64_t irouter)
{
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++)
		if (gic_irouter_of_mpidr(cell->desc->cpu_hwid[i]) == irouter)
			return true;
	return false;
}

static void filter_gicd(const struct cell *cell, uint64_t pa, uint64_t offset, bool is_write,
			unsigned int size, uint64_t *value)
{
	if (offset >= BITS1_FIRST && offset < BITS1_END) {
		/* Banks of 0x80 bytes: IGROUPR, then ISENABLER .. ICACTIVER (set/clear pairs). */
		uint64_t bank = offset & ~0x7full;

		filter_per_irq(cell, pa, offset, bank, 1, bank >= 0x100, is_write, size, value);
	} else if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR_END) {
		filter_per_irq(cell, pa, offset, GICD_IPRIORITYR, 8, false, is_write, size, value);
	} else if (offset >= GICD_ICFGR && offset < GICD_ICFGR_END) {
		filter_per_irq(cell, pa, offset, GICD_ICFGR, 2, false, is_write, size, value);
	} else if (offset >= GICD_IGRPMODR && offset < GICD_IGRPMODR_END) {
		filter_per_irq(cell, pa, offset, GICD_IGRPMODR, 1, false, is_write, size, value);
	} else if (offset >= GICD_IROUTER && offset < GICD_IROUTER_END && size == 8) {
		uint32_t intid = (uint32_t)((offset - GICD_IROUTER) / 8);

		if (!owns(cell, intid))
			*value = is_write ? *value : 0;
		else if (!is_write)
			*value = mmio_read(pa, 8);
		else if (routes_to_own_cpu(cell, *value))
			mmio_write(pa, 8, *value);
	} else if (!is_write && offset == GICD_TYPER) {
		*value = mmio_read(pa, size) & ~GICD_TYPER_NO_LPIS; /* no cell gets LPIs */
	} else if (!is_write && (offset == GICD_CTLR || offset == GICD_IIDR ||
				 offset == GICD_TYPER2 || offset == GICD_PIDR2)) {
		*value = mmio_read(pa, size);
	} else if (!is_write) {
		*value = 0;
	}
}

static void filter_gicr(uint64_t pa, uint64_t offset, bool is_write, unsigned int size,
			uint64_t *value)
{
	if (is_write)
		return;
	if (offset == GICR_CTLR || offset == GICR_IIDR || offset == GICR_TYPER ||
	    offset == GICR_TYPER + 4 || offset == GICR_WAKER || offset == GICR_PIDR2)
		*value = mmio_read(pa, size);
	else
		*value = 0;
}

bool gicv3_emulate_access(const struct cell *cell, uint64_t pa, bool is_write,
			  unsigned int size_bytes, uint64_t *value, unsigned int *entry_reason)
{
	uint64_t gicd = gicv3_gicd_base();

	if (size_bytes != 1 && size_bytes != 2 && size_bytes != 4 && size_bytes != 8)
		return false;
	if (pa & (size_bytes - 1))
		return false; /* unaligned GIC access: not emulated, the cell gets an abort */
	if (pa >= gicd && pa < gicd + gicv3_gicd_size()) {
		*entry_reason = BH_ENTRY_GICD;
		filter_gicd(cell, pa, pa - gicd, is_write, size_bytes, value);
		return true;
	}
	/* Virtual-mode cells get emulated redistributors instead (vgicr.c). */
	if (!(cell->desc->flags & BH_CELL_REALTIME))
		return false;
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);
		uint64_t rd = cpu < 0 ? 0 : gicv3_gicr_of_cpu((unsigned int)cpu);

		if (rd && pa >= rd && pa < rd + GICR_SGI_FRAME_OFFSET) {
			*entry_reason = BH_ENTRY_GICR;
			filter_gicr(pa, pa - rd, is_write, size_bytes, value);
			return true;
		}
	}
	return false;
}
