/*
 * The hypervisor console device (PL011 on arm64, 16550 COM1 on x86).
 * Polled output only; the core serialises callers.
 */
#ifndef ARCH_CONSOLE_H
#define ARCH_CONSOLE_H

#include <lib/types.h>

/* Writes one byte, waiting while the transmitter is full. */
void arch_console_putc(char c);

/* Waits until every byte written has left the device (e.g. LSR.TEMT). */
void arch_console_flush(void);

/*
 * A second output channel that touches no device a cell may own (semihosting
 * in emulation). Returns false when the platform has none.
 */
bool arch_console_alternate_write(const char *text, size_t len);

#endif
