/*
 * Generic timer: CNTVCT as the clock and the cycle counter, the EL1 virtual
 * timer (PPI 27) as the per-CPU one-shot. Conversions avoid 128-bit math:
 * exact for counter frequencies below 2^34 Hz.
 */
#include <rt/config.h>
#include <rtarch/platform.h>
#include <rtarch/timer.h>

#include "arm64.h"
#include "counter_time.h"

static uint64_t freq_hz;

void rt_arm64_timer_init(void)
{
	freq_hz = read_sysreg(cntfrq_el0);
	write_sysreg(cntv_ctl_el0, 0);
}

uint64_t rtarch_now_ns(void)
{
	uint64_t t = rtarch_cycles();

	return rt_counter_to_ns(t, freq_hz);
}

void rtarch_timer_program(uint64_t deadline_ns)
{
	if (deadline_ns == RT_TIME_NEVER) {
		write_sysreg(cntv_ctl_el0, 0);
		return;
	}
	uint64_t ticks = rt_ns_to_counter_ceil(deadline_ns, freq_hz);

	write_sysreg(cntv_cval_el0, ticks);
	write_sysreg(cntv_ctl_el0, 1); /* enabled, not masked */
	isb();
}

uint64_t rtarch_counter_hz(void)
{
	return freq_hz;
}
