/*
 * The TSC measured against PIT channel 2 in mode 0 (one-shot), gated through
 * port 0x61: the one clock of known frequency every PC (and Bochs) has.
 * Used by the hypervisor and the bare realtime kernel. Limits: one
 * measurement of `ms` (at most 54 ms), so about +-0.1% at 50 ms.
 */
#ifndef X86_64_PIT_H
#define X86_64_PIT_H

#include <stdint.h>
#include <x86_64/insn.h>
#include <x86_64/io.h>

#define PIT_HZ 1193182u
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PIT_PORT_B 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 OUT */

/* TSC ticks while channel 2 counts `ms`; 0 when OUT2 never rose within
 * `max_polls` reads (no PIT there). */
static inline uint64_t pit_tsc_ticks_in(unsigned ms, uint64_t max_polls)
{
	uint16_t count = (uint16_t)(PIT_HZ * ms / 1000u);
	uint8_t portb = inb(PIT_PORT_B);
	uint64_t polls = 0;

	/* Gate low while programming, so the count starts when we raise it. */
	outb(PIT_PORT_B, portb & ~0x03);
	outb(PIT_MODE, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	outb(PIT_PORT_B, (portb & ~0x02) | 0x01);
	uint64_t start = rdtsc();

	while (!(inb(PIT_PORT_B) & 0x20) && ++polls < max_polls)
		;
	uint64_t end = rdtsc();

	outb(PIT_PORT_B, portb);
	return polls >= max_polls ? 0 : end - start;
}

#endif
