/*
 * GICv3 set-up for a direct cell's CPU (guest/gicv3.h). Only this CPU's
 * own interface and SGI/PPI frame are touched, never the distributor, so
 * the set-up causes no hypervisor entry on a direct cell.
 */
#include <guest/gicv3.h>
#include <guest/sysreg.h>

#define ICC_SRE_SRE (1u << 0)
#define ICC_SRE_DFB (1u << 1)
#define ICC_SRE_DIB (1u << 2)

void gic_cpu_interface_enable(void)
{
	write_sysreg(icc_sre_el1, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB);
	isb();
	/* Lowest mask: every priority gets through (only the implemented bits stick). */
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	/* EOImode 0: one EOIR write drops priority and deactivates. */
	write_sysreg(icc_ctlr_el1, 0);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

void gic_local_irq_enable(uint64_t sgi_frame, unsigned int intid, uint8_t priority)
{
	uint32_t bit = 1u << intid;
	/* Word access: the priority byte of `intid` lives in a 4-byte register. */
	uint64_t priority_reg = sgi_frame + GICR_IPRIORITYR + (intid & ~3u);
	unsigned int shift = (intid & 3u) * 8;
	uint32_t priorities = mmio_read32(priority_reg);

	priorities = (priorities & ~(0xffu << shift)) | ((uint32_t)priority << shift);
	mmio_write32(priority_reg, priorities);
	mmio_write32(sgi_frame + GICR_IGROUPR0, mmio_read32(sgi_frame + GICR_IGROUPR0) | bit);
	mmio_write32(sgi_frame + GICR_ISENABLER0, bit);
	dsb_sy();
}

uint64_t gic_sgi1r_for_cpu(uint64_t mpidr, unsigned int intid)
{
	unsigned int aff0 = mpidr & 0xff;

	/* The target list covers Aff0 0..15 of one range of 16: RS picks the range. */
	return SGI1R_AFF3(mpidr >> 32) | SGI1R_AFF2(mpidr >> 16) | SGI1R_AFF1(mpidr >> 8) |
	       SGI1R_RANGE_SELECTOR(aff0 >> 4) | SGI1R_TARGET_LIST(1u << (aff0 & 0xf)) |
	       SGI1R_INTID(intid);
}
