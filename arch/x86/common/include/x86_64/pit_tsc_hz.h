/*
 * The TSC's frequency from a count of its ticks over a number of PIT clocks,
 * rounded to the nearest kHz (x86_64/pit.h says why). Pure arithmetic, so the
 * host's unit tests check it (tests/unit/test_pit_tsc_hz.c).
 */
#ifndef X86_64_PIT_TSC_HZ_H
#define X86_64_PIT_TSC_HZ_H

#include <stdint.h>

#define PIT_HZ 1193182u

/* Hz, a multiple of 1000; 0 for no PIT clocks. No overflow while
 * ticks * PIT_HZ fits 64 bits: up to 15 * 10^12 ticks, hours at 1 GHz. */
static inline uint64_t pit_tsc_hz(uint64_t ticks, uint64_t pit_clocks)
{
	if (!pit_clocks)
		return 0;
	uint64_t per_khz = pit_clocks * 1000u;

	return (ticks * PIT_HZ + per_khz / 2) / per_khz * 1000u;
}

#endif
