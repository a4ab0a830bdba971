/*
 * GICv3 for a cell that owns its CPU interface (direct delivery): ICC_*
 * system registers at EL1 plus its own redistributor's SGI/PPI frame, which
 * the hypervisor maps. The distributor and the redistributor's control frame
 * are trapped and filtered: touch them at init only.
 */
#ifndef GUEST_GICV3_H
#define GUEST_GICV3_H

#include <stdint.h>

#define GICR_SGI_FRAME_OFFSET 0x10000u
/* RD (control) frame */
#define GICR_CTLR 0x0000u
#define GICR_PROPBASER 0x0070u
#define GICR_PENDBASER 0x0078u
/* SGI frame */
#define GICR_IGROUPR0 0x0080u
#define GICR_ISENABLER0 0x0100u
#define GICR_ICENABLER0 0x0180u
#define GICR_IPRIORITYR 0x0400u
/* Distributor */
#define GICD_CTLR 0x0000u
#define GICD_ISENABLER 0x0100u
#define GICD_ICENABLER 0x0180u
#define GICD_IPRIORITYR 0x0400u
#define GICD_IROUTER 0x6000u

#define GIC_INTID_SPURIOUS 1023u
#define GIC_INTID_MASK 0xffffffu

/* Enables system-register access and Group 1 delivery at every priority. */
void gic_cpu_interface_enable(void);

/* Makes SGI/PPI `intid` (< 32) Group 1 at `priority` and enables it in `sgi_frame`. */
void gic_local_irq_enable(uint64_t sgi_frame, unsigned int intid, uint8_t priority);

static inline uint32_t gic_acknowledge(void)
{
	uint64_t iar;

	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
	return (uint32_t)iar;
}

static inline void gic_end_of_interrupt(uint32_t iar)
{
	__asm__ volatile("msr icc_eoir1_el1, %0" : : "r"((uint64_t)iar) : "memory");
}

/* ICC_SGI1R_EL1 fields */
#define SGI1R_TARGET_LIST(bits) ((uint64_t)((bits)&0xffff))
#define SGI1R_AFF1(a) ((uint64_t)((a)&0xff) << 16)
#define SGI1R_INTID(id) ((uint64_t)((id)&0xf) << 24)
#define SGI1R_AFF2(a) ((uint64_t)((a)&0xff) << 32)
#define SGI1R_ALL_BUT_SELF (1ull << 40)
#define SGI1R_RANGE_SELECTOR(rs) ((uint64_t)((rs)&0xf) << 44)
#define SGI1R_AFF3(a) ((uint64_t)((a)&0xff) << 48)

/* The ICC_SGI1R_EL1 value that sends SGI `intid` to the one CPU `mpidr`. */
uint64_t gic_sgi1r_for_cpu(uint64_t mpidr, unsigned int intid);

static inline void gic_send_sgi1r(uint64_t sgi1r)
{
	__asm__ volatile("msr icc_sgi1r_el1, %0; isb" : : "r"(sgi1r) : "memory");
}

#endif
