/*
 * TSC calibration against PIT channel 2 in mode 0 (one-shot), gated through
 * port 0x61, and the arch timer built on it. Limits: one 50 ms measurement,
 * so about +-0.1% error; before calibration the clock reads 0.
 */
#include <arch/arch_timer.h>
#include <hv/console.h>
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86_64/pit.h>

#define CALIBRATE_MS 50u
/* A PIT that never raises OUT2 (no PIT emulated): give up after this many polls. */
#define CALIBRATE_MAX_POLLS 100000000ull
#define FALLBACK_TSC_HZ 1000000000ull

static uint64_t tsc_hz;
static uint64_t tsc_base;

uint64_t x86_tsc_calibrate(void)
{
	uint64_t ticks = pit_tsc_ticks_in(CALIBRATE_MS, CALIBRATE_MAX_POLLS);

	if (!ticks) {
		console_print("tsc: PIT channel 2 never expired; assuming %llu Hz\n",
			      (unsigned long long)FALLBACK_TSC_HZ);
		tsc_hz = FALLBACK_TSC_HZ;
	} else {
		tsc_hz = ticks * 1000u / CALIBRATE_MS;
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
