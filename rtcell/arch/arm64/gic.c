/*
 * GICv3 for the bare kernel on QEMU virt: distributor and this CPU's
 * redistributor, Group 1 only, EOImode=1 (priority drop in the hard handler,
 * deactivate when the work is done), SGI 0 = reschedule, PPI 27 = timer.
 * Limits: fixed QEMU virt addresses (no DTB parsing yet), one priority level.
 */
#include <rt/kernel.h>
#include <rtarch/irq.h>
#include <rtarch/timer.h>

#include "arm64.h"

#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul
#define GICR_STRIDE 0x20000ul
#define GICR_SGI 0x10000ul

#define GICD_CTLR 0x0
#define GICD_IGROUPR 0x80
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400
#define GICD_IROUTER 0x6000
#define GICR_TYPER 0x8
#define GICR_WAKER 0x14
#define GICR_IGROUPR0 0x80
#define GICR_ISENABLER0 0x100
#define GICR_IPRIORITYR 0x400

#define IRQ_PRIORITY 0x80

static inline uint32_t rd32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void wr32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t rd64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void wr64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline void wr8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

static uintptr_t redist_of(unsigned cpu)
{
	uint64_t aff = rt_arm64_mpidr_of(cpu);
	uint32_t want = (uint32_t)(((aff >> 8) & 0xff) << 8 | (aff & 0xff));

	for (uintptr_t rd = GICR_BASE;; rd += GICR_STRIDE) {
		uint64_t typer = rd64(rd + GICR_TYPER);

		if ((uint32_t)(typer >> 32) == want)
			return rd;
		if (typer & (1u << 4))          /* Last */
			break;
	}
	rtarch_panic("gic: no redistributor for this CPU");
}

void rt_arm64_gic_dist_init(void)
{
	wr32(GICD_BASE + GICD_CTLR, 0);
	while (rd32(GICD_BASE + GICD_CTLR) & (1u << 31))
		;
	/* ARE and Group 1 (single security state on QEMU virt without EL3). */
	wr32(GICD_BASE + GICD_CTLR, (1u << 4) | (1u << 1));
}

void rt_arm64_gic_cpu_init(void)
{
	uintptr_t rd = redist_of(rtarch_cpu_id());

	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~(1u << 1));
	while (rd32(rd + GICR_WAKER) & (1u << 2))
		;
	wr32(rd + GICR_SGI + GICR_IGROUPR0, 0xffffffffu);
	wr8(rd + GICR_SGI + GICR_IPRIORITYR + RT_ARM64_SGI_RESCHED, IRQ_PRIORITY);
	wr8(rd + GICR_SGI + GICR_IPRIORITYR + RT_ARM64_PPI_VTIMER, IRQ_PRIORITY);
	wr32(rd + GICR_SGI + GICR_ISENABLER0,
	     (1u << RT_ARM64_SGI_RESCHED) | (1u << RT_ARM64_PPI_VTIMER));

	write_sysreg(S3_0_C12_C12_5, read_sysreg(S3_0_C12_C12_5) | 1);  /* ICC_SRE_EL1.SRE */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xff);                               /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);                                /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, read_sysreg(S3_0_C12_C12_4) | (1u << 1)); /* EOImode */
	write_sysreg(S3_0_C12_C12_7, 1);                                /* ICC_IGRPEN1_EL1 */
	isb();
}

void rt_arm64_gic_send_sgi(unsigned cpu, unsigned sgi)
{
	uint64_t aff = rt_arm64_mpidr_of(cpu);
	uint64_t v = ((uint64_t)sgi << 24) | (((aff >> 8) & 0xff) << 16) | (1u << (aff & 0xf));

	__asm__ volatile("dsb ishst" : : : "memory");
	write_sysreg(S3_0_C12_C11_5, v);                                /* ICC_SGI1R_EL1 */
	isb();
}

void rtarch_irq_line_enable(unsigned irq, unsigned cpu)
{
	if (irq < 32) {
		uintptr_t rd = redist_of(cpu);

		wr8(rd + GICR_SGI + GICR_IPRIORITYR + irq, IRQ_PRIORITY);
		wr32(rd + GICR_SGI + GICR_ISENABLER0, 1u << irq);
		return;
	}
	wr32(GICD_BASE + GICD_IGROUPR + 4 * (irq / 32),
	     rd32(GICD_BASE + GICD_IGROUPR + 4 * (irq / 32)) | (1u << (irq % 32)));
	wr8(GICD_BASE + GICD_IPRIORITYR + irq, IRQ_PRIORITY);
	wr64(GICD_BASE + GICD_IROUTER + 8 * irq, rt_arm64_mpidr_of(cpu));
	wr32(GICD_BASE + GICD_ISENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

void rtarch_irq_priority_drop(unsigned irq)
{
	write_sysreg(S3_0_C12_C12_1, irq);                              /* ICC_EOIR1_EL1 */
}

void rtarch_irq_deactivate(unsigned irq)
{
	write_sysreg(S3_0_C12_C11_1, irq);                              /* ICC_DIR_EL1 */
}

/* IRQ vector: acknowledge everything pending, then maybe switch at exit. */
void rt_arm64_irq(void);
void rt_arm64_irq(void)
{
	rt_irq_enter();
	for (;;) {
		unsigned intid = (unsigned)(read_sysreg(S3_0_C12_C12_0) & 0xffffff); /* IAR1 */

		if (intid >= 1020)
			break;
		if (intid == RT_ARM64_SGI_RESCHED) {
			rtarch_irq_priority_drop(intid);
			rtarch_irq_deactivate(intid);
			rt_sched_ipi();
		} else if (intid == RT_ARM64_PPI_VTIMER) {
			rt_arm64_timer_stop();
			rtarch_irq_priority_drop(intid);
			rtarch_irq_deactivate(intid);
			rt_timer_interrupt();
		} else {
			rt_irq_dispatch(intid);
		}
	}
	rt_irq_exit();
}
