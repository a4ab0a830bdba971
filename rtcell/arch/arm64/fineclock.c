/*
 * A fine clock for benchmarks: the PMU cycle counter (PMCCNTR_EL0). QEMU
 * drives it from its virtual clock at 1 GHz, so under -icount shift=0 one
 * count is one instruction. Its offset to the generic timer is calibrated
 * here, so a timer's due time can be expressed on it exactly. Limits:
 * meaningful as instruction counts only under icount (on hardware it counts
 * cycles and the calibration does not apply); the PMU must not be trapped
 * (the hypervisor leaves MDCR_EL2 at its reset value).
 */
#include <rt/kernel.h>
#include <rtarch/fineclock.h>
#include <rtarch/platform.h>

#include "arm64.h"

#define PMCR_E (1u << 0)
#define PMCR_C (1u << 2) /* reset the cycle counter */
#define PMCR_LC (1u << 6) /* 64-bit cycle counter */
#define PMCNTEN_C (1u << 31)
#define PMCCFILTR_NSH (1u << 27) /* count at EL2 too (entries are part of a path) */
#define CALIBRATION_SAMPLES 4096

static int64_t offset_ns; /* virtual ns at a fine-clock read = value + offset_ns */
static uint64_t tick_ns;

static inline uint64_t pmccntr(void)
{
	return read_sysreg(pmccntr_el0);
}

/*
 * Counter value V read one instruction after fine value P satisfies
 * V = floor((P + offset + 1) / tick): each sample bounds the offset to a
 * window of `tick` values; samples at every phase narrow it to one.
 */
static int64_t calibrate(void)
{
	int64_t lo = INT64_MIN, hi = INT64_MAX;

	for (unsigned i = 0; i < CALIBRATION_SAMPLES && lo != hi; i++) {
		uint64_t p, v;

		__asm__ volatile("isb\n\tmrs %0, pmccntr_el0\n\tmrs %1, cntvct_el0"
				 : "=&r"(p), "=&r"(v)
				 :
				 : "memory");
		int64_t low = (int64_t)(v * tick_ns) - (int64_t)p - 1;

		if (low > lo)
			lo = low;
		if (low + (int64_t)tick_ns - 1 < hi)
			hi = low + (int64_t)tick_ns - 1;
		/* Shift the phase of the next sample by a few instructions. */
		for (unsigned k = 0; k < (i % 7); k++)
			__asm__ volatile("nop");
	}
	return lo == hi ? lo : INT64_MIN;
}

int rtarch_fine_clock_init(void)
{
	uint64_t hz = rtarch_counter_hz();

	if (!hz || 1000000000ull % hz)
		return -RT_EINVAL;
	tick_ns = 1000000000ull / hz;
	write_sysreg(pmccfiltr_el0, PMCCFILTR_NSH);
	write_sysreg(pmcntenset_el0, PMCNTEN_C);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E | PMCR_C | PMCR_LC);
	isb();
	offset_ns = calibrate();
	return offset_ns == INT64_MIN ? -RT_EAGAIN : 0;
}

uint64_t rtarch_fine_clock(void)
{
	isb();
	return pmccntr();
}

uint64_t rtarch_fine_clock_of_deadline(uint64_t deadline_ns)
{
	/* The timer fires at the first counter tick at or after the deadline
	 * (timer.c rounds up), i.e. at virtual time ticks * tick_ns. */
	uint64_t ticks = (deadline_ns + tick_ns - 1) / tick_ns;

	return (uint64_t)((int64_t)(ticks * tick_ns) - offset_ns);
}
