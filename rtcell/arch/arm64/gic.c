/*
 * GICv3 at EL1 through the system registers: Group 1 only, EOImode=0 (an
 * EOI drops the priority and deactivates), SGI 0 = reschedule, PPI 27 =
 * timer. ICC_DIR_EL1 is never written: the hypervisor traps it for a
 * realtime cell (ICH_HCR_EL2.TDIR: a cell must not deactivate another
 * cell's interrupt), so a threaded line is masked instead while its thread
 * runs: the hard handler masks it and EOIs, the thread's end unmasks it.
 * In a cell the hypervisor owns the distributor and the redistributors'
 * control frames (writes trapped and filtered): the SGI/PPI frame and the
 * CPU interface are touched freely; GICD only for SPIs at init and for a
 * threaded SPI's mask and unmask (two hypervisor entries per device
 * interrupt, none for SGIs and PPIs). Limit: one priority level.
 */
#include <rt/kernel.h>
#include <rtarch/irq.h>
#include <rtarch/timer.h>

#include "arm64.h"

#define GICR_SGI 0x10000ul

#define GICD_CTLR 0x0
#define GICD_IGROUPR 0x80
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_IPRIORITYR 0x400
#define GICD_IROUTER 0x6000
#define GICR_WAKER 0x14
#define GICR_IGROUPR0 0x80
#define GICR_ISENABLER0 0x100
#define GICR_ICENABLER0 0x180
#define GICR_IPRIORITYR 0x400

#define IRQ_PRIORITY 0x80

static inline uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}
static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}
static inline void wr64(uintptr_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}
static inline void wr8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

/* Bare only: in a cell the hypervisor has set up the distributor. */
void rt_arm64_gic_dist_init(void)
{
	uintptr_t gicd = rt_arm64_plat.gicd;

	if (rt_arm64_plat.info)
		return;
	wr32(gicd + GICD_CTLR, 0);
	while (rd32(gicd + GICD_CTLR) & (1u << 31))
		;
	/* ARE and Group 1, as Linux writes it: with one security state (QEMU virt
	 * without EL3) bit 1 enables Group 1 and bit 0 the unused Group 0; seen
	 * from Non-secure with EL3 firmware, bit 1 is EnableGrp1A, bit 0 EnableGrp1. */
	wr32(gicd + GICD_CTLR, (1u << 4) | (1u << 1) | (1u << 0));
}

void rt_arm64_gic_cpu_init(void)
{
	uintptr_t rd = rt_arm64_plat.gicr[rtarch_cpu_id()];

	/* In a cell the hypervisor woke the redistributor (and traps its frame). */
	if (!rt_arm64_plat.info) {
		wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~(1u << 1));
		while (rd32(rd + GICR_WAKER) & (1u << 2))
			;
	}
	wr32(rd + GICR_SGI + GICR_IGROUPR0, 0xffffffffu);
	wr8(rd + GICR_SGI + GICR_IPRIORITYR + RT_ARM64_SGI_RESCHED, IRQ_PRIORITY);
	wr8(rd + GICR_SGI + GICR_IPRIORITYR + RT_ARM64_PPI_VTIMER, IRQ_PRIORITY);
	wr32(rd + GICR_SGI + GICR_ISENABLER0,
	     (1u << RT_ARM64_SGI_RESCHED) | (1u << RT_ARM64_PPI_VTIMER));

	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
	isb();
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, read_sysreg(icc_ctlr_el1) & ~(1u << 1)); /* EOImode 0 */
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

void rt_arm64_gic_send_sgi(unsigned cpu, unsigned sgi)
{
	uint64_t aff = rt_arm64_plat.mpidr[cpu];
	/* Aff3.Aff2.Aff1, range selector (Aff0 / 16) and the target bit (Aff0 % 16). */
	uint64_t v = ((uint64_t)sgi << 24) | (((aff >> 32) & 0xff) << 48) |
		     (((aff >> 16) & 0xff) << 32) | (((aff >> 8) & 0xff) << 16) |
		     ((((aff & 0xff) >> 4) & 0xf) << 44) | (1u << (aff & 0xf));

	__asm__ volatile("dsb ishst" : : : "memory");
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

void rtarch_irq_line_enable(unsigned irq, unsigned cpu)
{
	uintptr_t gicd = rt_arm64_plat.gicd;

	if (irq < 32) {
		uintptr_t rd = rt_arm64_plat.gicr[cpu];

		wr8(rd + GICR_SGI + GICR_IPRIORITYR + irq, IRQ_PRIORITY);
		wr32(rd + GICR_SGI + GICR_ISENABLER0, 1u << irq);
		return;
	}
	wr32(gicd + GICD_IGROUPR + 4 * (irq / 32),
	     rd32(gicd + GICD_IGROUPR + 4 * (irq / 32)) | (1u << (irq % 32)));
	wr8(gicd + GICD_IPRIORITYR + irq, IRQ_PRIORITY);
	wr64(gicd + GICD_IROUTER + 8 * irq, rt_arm64_plat.mpidr[cpu] & 0xff00ffffffull);
	wr32(gicd + GICD_ISENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

/* The line's enable bit: its CPU's own SGI frame for SGIs and PPIs, the distributor for SPIs. */
static uintptr_t enable_register(unsigned irq, uint32_t sgi_frame_offset, uint32_t gicd_offset)
{
	if (irq < 32)
		return rt_arm64_plat.gicr[rtarch_cpu_id()] + GICR_SGI + sgi_frame_offset;
	return rt_arm64_plat.gicd + gicd_offset + 4 * (irq / 32);
}

/* EOImode 0: the EOI also deactivates, so the line is masked first and stays masked until
 * rtarch_irq_deactivate (the handler thread is done). */
void rtarch_irq_priority_drop(unsigned irq)
{
	wr32(enable_register(irq, GICR_ICENABLER0, GICD_ICENABLER), 1u << (irq % 32));
	__asm__ volatile("dsb sy" : : : "memory");
	write_sysreg(icc_eoir1_el1, irq);
}

void rtarch_irq_deactivate(unsigned irq)
{
	wr32(enable_register(irq, GICR_ISENABLER0, GICD_ISENABLER), 1u << (irq % 32));
}

/* The hard handler did all the work: drop and deactivate in one EOI. */
static inline void irq_complete(unsigned irq)
{
	write_sysreg(icc_eoir1_el1, irq);
}

/* IRQ vector: acknowledge everything pending, then maybe switch at exit. The
 * masked span runs from the vector's counter read to just before the frame
 * restore (vectors.S), or to where the thread switched to unmasks. */
void rt_arm64_irq(uint64_t entry_cycles);
void rt_arm64_irq(uint64_t entry_cycles)
{
	rt_csection_irq_entry(RT_CSITE(RT_CSECTION_IRQOFF), entry_cycles);
	rt_irq_enter();
	for (;;) {
		unsigned intid = (unsigned)(read_sysreg(icc_iar1_el1) & 0xffffff);

		if (intid >= 1020)
			break;
		if (intid == RT_ARM64_SGI_RESCHED) {
			irq_complete(intid);
			rt_sched_ipi();
		} else if (intid == RT_ARM64_PPI_VTIMER) {
			rt_arm64_timer_stop();
			irq_complete(intid);
			rt_timer_interrupt();
		} else {
			rt_irq_dispatch(intid);
		}
	}
	rt_irq_exit();
	rt_csection_irq_return();
}
