/*
 * The TSC measured against PIT channel 2, gated through port 0x61: the one
 * clock of known frequency every PC (and Bochs) has. Used by the hypervisor
 * and the bare realtime kernel, so both get the same figure.
 *
 * Channel 2 runs in mode 3 (square wave) and the TSC is read at two rising
 * edges of OUT2 `periods` periods apart: both ends sit on a PIT clock edge, so
 * the phase at which the gate rose does not enter. What is left is how late
 * each edge is seen (the poll loop; Bochs advances its PIT in whole emulated
 * microseconds, 50 TSC ticks at ips=50000000), at most a few microseconds in
 * 500 ms, a few ppm. Rounding to the nearest kHz then gives the same figure on
 * every boot of one machine (in Bochs 50000 kHz, where the earlier 50 ms
 * one-shot from the gate gave 49999 to 50001 kHz by boot timing), which the
 * realtime cell's figures and Linux's clock rely on.
 */
#ifndef X86_64_PIT_H
#define X86_64_PIT_H

#include <stdint.h>
#include <x86_64/insn.h>
#include <x86_64/io.h>
#include <x86_64/pit_tsc_hz.h>

#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PIT_PORT_B 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 OUT */
#define PIT_CH2_SQUARE_WAVE 0xb6 /* channel 2, lobyte/hibyte, mode 3, binary */

/* One calibration: PIT_CALIBRATE_PERIODS periods of PIT_CALIBRATE_COUNT clocks
 * (an even count: mode 3's halves are equal), 500 ms. */
#define PIT_CALIBRATE_COUNT 59660u
#define PIT_CALIBRATE_PERIODS 10u
#define PIT_CALIBRATE_CLOCKS ((uint64_t)PIT_CALIBRATE_COUNT * PIT_CALIBRATE_PERIODS)

static inline int pit_out2(void)
{
	return (inb(PIT_PORT_B) & 0x20) != 0;
}

/* Polls until OUT2 reads `level`; false when `*polls_left` ran out first. */
static inline int pit_wait_out2(int level, uint64_t *polls_left)
{
	while (pit_out2() != level)
		if (!--*polls_left)
			return 0;
	return 1;
}

/* Waits for the next rising edge of OUT2 (low, then high). */
static inline int pit_wait_rising_edge(uint64_t *polls_left)
{
	return pit_wait_out2(0, polls_left) && pit_wait_out2(1, polls_left);
}

/* TSC ticks over PIT_CALIBRATE_CLOCKS PIT clocks, edge to edge; 0 when OUT2
 * did not move within `max_polls` reads of port 0x61 (no PIT there). */
static inline uint64_t pit_tsc_ticks_calibrate(uint64_t max_polls)
{
	uint8_t portb = inb(PIT_PORT_B);
	uint64_t polls_left = max_polls;
	uint64_t ticks = 0;

	/* Gate low while programming, so the count starts when we raise it. */
	outb(PIT_PORT_B, portb & ~0x03);
	outb(PIT_MODE, PIT_CH2_SQUARE_WAVE);
	outb(PIT_CH2_DATA, PIT_CALIBRATE_COUNT & 0xff);
	outb(PIT_CH2_DATA, PIT_CALIBRATE_COUNT >> 8);
	outb(PIT_PORT_B, (portb & ~0x02) | 0x01);
	if (pit_wait_rising_edge(&polls_left)) {
		uint64_t start = rdtsc();
		unsigned seen = 0;

		while (seen < PIT_CALIBRATE_PERIODS && pit_wait_rising_edge(&polls_left))
			seen++;
		if (seen == PIT_CALIBRATE_PERIODS)
			ticks = rdtsc() - start;
	}
	outb(PIT_PORT_B, portb);
	return ticks;
}

#endif
