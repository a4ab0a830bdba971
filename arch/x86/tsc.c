/*
 * TSC calibration against PIT channel 2 (x86_64/pit.h: 500 ms edge to edge,
 * rounded to the nearest kHz, so every boot of a machine gets the same
 * figure) and the arch timer built on it. Before calibration the clock reads
 * 0.
 */
#include <arch/arch_timer.h>
#include <hv/console.h>
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86_64/pit.h>

/* A PIT whose OUT2 never moves (no PIT emulated): give up after this many polls. */
#define CALIBRATE_MAX_POLLS 100000000ull
#define FALLBACK_TSC_HZ 1000000000ull

static uint64_t tsc_hz;
static uint64_t tsc_base;

uint64_t x86_tsc_calibrate(void)
{
	uint64_t ticks = pit_tsc_ticks_calibrate(CALIBRATE_MAX_POLLS);

	if (!ticks) {
		console_print("tsc: PIT channel 2's output never moved; assuming %llu Hz\n",
			      (unsigned long long)FALLBACK_TSC_HZ);
		tsc_hz = FALLBACK_TSC_HZ;
	} else {
		tsc_hz = pit_tsc_hz(ticks, PIT_CALIBRATE_CLOCKS);
		console_print("tsc: %llu ticks in %llu PIT clocks\n", (unsigned long long)ticks,
			      (unsigned long long)PIT_CALIBRATE_CLOCKS);
	}
	tsc_base = rdtsc();
	return tsc_hz;
}

uint64_t x86_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t arch_timer_now_ns(void)
{
	if (!tsc_hz)
		return 0;
	uint64_t ticks = rdtsc() - tsc_base;

	/* Split so no 128-bit division (no libgcc) and no overflow for years. */
	return ticks / tsc_hz * 1000000000ull + ticks % tsc_hz * 1000000000ull / tsc_hz;
}

void x86_tsc_delay_us(uint64_t us)
{
	uint64_t end = arch_timer_now_ns() + us * 1000u;

	while (arch_timer_now_ns() < end)
		__asm__ volatile("pause");
}
