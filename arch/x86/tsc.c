/*
 * TSC calibration against PIT channel 2 in mode 0 (one-shot), gated through
 * port 0x61, and the arch timer built on it. Limits: one 50 ms measurement,
 * so about +-0.1% error; before calibration the clock reads 0.
 */
#include <arch/arch_timer.h>
#include <hv/console.h>
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86_64/io.h>

#define PIT_HZ 1193182u
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 OUT */
#define CALIBRATE_MS 50u
/* A PIT that never raises OUT2 (no PIT emulated): give up after this many polls. */
#define CALIBRATE_MAX_POLLS 100000000ull
#define FALLBACK_TSC_HZ 1000000000ull

static uint64_t tsc_hz;
static uint64_t tsc_base;

uint64_t x86_tsc_calibrate(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000u;
	uint8_t portb = inb(PORT_B);
	uint64_t polls = 0;

	/* Gate low while programming, so the count starts when we raise it. */
	outb(PORT_B, portb & ~0x03);
	outb(PIT_MODE, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	outb(PORT_B, (portb & ~0x02) | 0x01);
	uint64_t start = rdtsc();

	while (!(inb(PORT_B) & 0x20) && ++polls < CALIBRATE_MAX_POLLS)
		;
	uint64_t end = rdtsc();

	outb(PORT_B, portb);
	if (polls >= CALIBRATE_MAX_POLLS) {
		console_print("tsc: PIT channel 2 never expired; assuming %llu Hz\n",
			      (unsigned long long)FALLBACK_TSC_HZ);
		tsc_hz = FALLBACK_TSC_HZ;
	} else {
		tsc_hz = (end - start) * 1000u / CALIBRATE_MS;
	}
	tsc_base = rdtsc();
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
