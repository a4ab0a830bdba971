/*
 * The EL1 physical generic timer (CNTP_*), one-shot by compare value. The
 * hypervisor must let EL1 use it (CNTHCTL_EL2.EL1PCEN/EL1PCTEN) or every
 * access here traps. Its interrupt is PPI 14 = INTID 30.
 */
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H

#include <guest/sysreg.h>

#define TIMER_EL1_PHYS_INTID 30
#define CNTP_CTL_ENABLE (1u << 0)
#define CNTP_CTL_IMASK (1u << 1)
#define CNTP_CTL_ISTATUS (1u << 2)

static inline uint64_t timer_frequency_hz(void)
{
	return read_sysreg(cntfrq_el0) & 0xffffffffu;
}

/* The isb keeps the read from being taken early (before earlier instructions). */
static inline uint64_t timer_now_ticks(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

static inline void timer_arm_at(uint64_t deadline_ticks)
{
	write_sysreg(cntp_cval_el0, deadline_ticks);
	write_sysreg(cntp_ctl_el0, CNTP_CTL_ENABLE);
	isb();
}

static inline uint64_t timer_deadline_ticks(void)
{
	return read_sysreg(cntp_cval_el0);
}

static inline void timer_stop(void)
{
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}

#endif
