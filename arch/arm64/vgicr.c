/*
 * Emulated redistributors for virtual-mode cells (vgic_emulate_gicr). The cell
 * sees only its own CPUs' frames, in address order, the last one flagged
 * Last, with no LPI support. Enables of PPIs are applied to the physical
 * redistributor (they are hardware-linked); SGIs are purely virtual; the
 * hypervisor's own PPIs (maintenance) and SGI (kick) stay on whatever the cell
 * writes. Everything else reads as the hardware says or as zero; writes that
 * could matter (LPI tables, groups, sleep) are dropped.
 */
#include <arm64/gicv3.h>
#include <arm64/vgic.h>
#include <hv/cpu_map.h>
#include <hv/platform.h>

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_TYPER_HIGH 0x000c
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_TYPER_PLPIS (1ull << 0)
#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_DIRECTLPI (1ull << 3)
#define GICR_TYPER_LAST (1ull << 4)

#define SGI_IGROUPR0 0x0080
#define SGI_ISENABLER0 0x0100
#define SGI_ICENABLER0 0x0180
#define SGI_IPRIORITYR 0x0400
#define SGI_IPRIORITYR_END 0x0420
#define SGI_ICFGR0 0x0c00
#define SGI_ICFGR1 0x0c04

#define HV_OWNED_PRIVATE ((1u << GIC_HV_KICK_SGI) | (1u << GIC_MAINTENANCE_PPI))
#define PPI_MASK 0xffff0000u

struct vgicr_cpu {
	uint32_t enabled; /* the cell's view of ISENABLER0 */
	uint8_t priority[32]; /* the cell's view of IPRIORITYR0-7 */
};

static struct vgicr_cpu vgicr_cpus[HV_MAX_CPUS];

static volatile uint32_t *phys32(uint64_t pa)
{
	return (volatile uint32_t *)(uintptr_t)pa;
}

/* Whether no other CPU of the cell has its frame above this one. */
static bool is_last_frame(const struct cell *cell, uint64_t rd)
{
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);

		if (cpu >= 0 && gicv3_gicr_of_cpu((unsigned int)cpu) > rd)
			return false;
	}
	return true;
}

static uint64_t read_rd(const struct cell *cell, uint64_t rd, uint64_t offset, unsigned int size)
{
	uint64_t typer;

	switch (offset) {
	case GICR_IIDR:
		return *phys32(rd + offset);
	case GICR_PIDR2:
		return *phys32(rd + offset);
	case GICR_TYPER:
	case GICR_TYPER_HIGH:
		typer = *(volatile uint64_t *)(uintptr_t)(rd + GICR_TYPER);
		typer &= ~(GICR_TYPER_PLPIS | GICR_TYPER_VLPIS | GICR_TYPER_DIRECTLPI |
			   GICR_TYPER_LAST);
		if (is_last_frame(cell, rd))
			typer |= GICR_TYPER_LAST;
		if (offset == GICR_TYPER_HIGH)
			return typer >> 32;
		return size == 8 ? typer : (uint32_t)typer;
	default:
		return 0; /* CTLR, WAKER (awake), LPI registers: zero */
	}
}

static void write_enables(unsigned int cpu, uint64_t sgi_frame, uint32_t bits, bool set)
{
	struct vgicr_cpu *v = &vgicr_cpus[cpu];
	uint32_t physical = bits & PPI_MASK & ~HV_OWNED_PRIVATE;

	if (set) {
		v->enabled |= bits;
		if (physical)
			*phys32(sgi_frame + SGI_ISENABLER0) = physical;
	} else {
		v->enabled &= ~bits;
		if (physical)
			*phys32(sgi_frame + SGI_ICENABLER0) = physical;
	}
}

static uint64_t access_sgi_frame(unsigned int cpu, uint64_t sgi_frame, uint64_t offset,
				 bool is_write, unsigned int size, uint64_t value)
{
	struct vgicr_cpu *v = &vgicr_cpus[cpu];

	if (offset >= SGI_IPRIORITYR && offset < SGI_IPRIORITYR_END) {
		unsigned int first = (unsigned int)(offset - SGI_IPRIORITYR);
		uint64_t result = 0;

		for (unsigned int i = 0; i < size && first + i < 32; i++) {
			if (is_write)
				v->priority[first + i] = (uint8_t)(value >> (8 * i));
			else
				result |= (uint64_t)v->priority[first + i] << (8 * i);
		}
		return result;
	}
	switch (offset) {
	case SGI_IGROUPR0:
		return is_write ? 0 : 0xffffffffu; /* everything is Group 1 */
	case SGI_ISENABLER0:
	case SGI_ICENABLER0:
		if (is_write)
			write_enables(cpu, sgi_frame, (uint32_t)value, offset == SGI_ISENABLER0);
		return v->enabled;
	case SGI_ICFGR0:
	case SGI_ICFGR1:
		return is_write ? 0 : *phys32(sgi_frame + offset);
	default:
		return 0;
	}
}

bool vgic_emulate_gicr(const struct cell *cell, uint64_t pa, bool is_write, unsigned int size_bytes,
		       uint64_t *value)
{
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);
		uint64_t rd = cpu < 0 ? 0 : gicv3_gicr_of_cpu((unsigned int)cpu);

		if (!rd || pa < rd || pa >= rd + GICR_FRAME_BYTES)
			continue;
		uint64_t offset = pa - rd;

		if (offset < GICR_SGI_FRAME_OFFSET) {
			if (!is_write)
				*value = read_rd(cell, rd, offset, size_bytes);
		} else {
			uint64_t result = access_sgi_frame(
				(unsigned int)cpu, rd + GICR_SGI_FRAME_OFFSET,
				offset - GICR_SGI_FRAME_OFFSET, is_write, size_bytes, *value);

			if (!is_write)
				*value = result;
		}
		return true;
	}
	return false;
}
