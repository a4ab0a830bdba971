/* Monotonic time from the generic timer's physical counter (hv/arch_timer.h). */
#include <aarch64/sysreg.h>
#include <arch/arch_timer.h>

uint64_t arch_timer_now_ns(void)
{
	isb();
	uint64_t ticks = read_sysreg(cntpct_el0);
	uint64_t freq = read_sysreg(cntfrq_el0);

	if (!freq)
		return 0;
	/* Split so that ticks * 1e9 cannot overflow (it would after ~5 minutes at 62.5 MHz). */
	return ticks / freq * 1000000000u + ticks % freq * 1000000000u / freq;
}
