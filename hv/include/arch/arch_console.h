/*
 * The hypervisor console device (PL011 on arm64, 16550 COM1 on x86).
 * Polled output only; the core serialises callers.
 */
#ifndef ARCH_CONSOLE_H
#define ARCH_CONSOLE_H

/* Writes one byte, waiting while the transmitter is full. */
void arch_console_putc(char c);

/* Waits until every byte written has left the device (e.g. LSR.TEMT). */
void arch_console_flush(void);

#endif
