/*
 * PL011 UART console, polled. Output before pl011_init() or without a UART
 * in the device tree is dropped (the exit code still reports failures).
 */
#include <arch/arch_console.h>
#include <arm64/pl011.h>
#include <arm64/semihosting.h>

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5) /* transmit FIFO full */
#define PL011_FR_BUSY (1u << 3) /* still sending bits */

static volatile uint32_t *uart;

void pl011_init(uintptr_t base)
{
	uart = (volatile uint32_t *)base;
}

void arch_console_putc(char c)
{
	if (!uart)
		return;
	while (uart[PL011_FR / 4] & PL011_FR_TXFF)
		;
	uart[PL011_DR / 4] = (uint8_t)c;
}

bool arch_console_alternate_write(const char *text, size_t len)
{
#if BULKHEAD_SEMIHOSTING
	semihosting_write(text, len);
	return true;
#else
	(void)text, (void)len;
	return false;
#endif
}

void arch_console_flush(void)
{
	if (!uart)
		return;
	while (uart[PL011_FR / 4] & PL011_FR_BUSY)
		;
}
