/*
 * COM1 16550 console: 115200 8N1, FIFOs on, interrupts off, polled.
 * putc waits for THRE (room in the FIFO); flush waits for TEMT (shift register
 * empty), which Bochs needs before shutdown or the tail of the log is lost.
 */
#include <arch/arch_console.h>
#include <x86/uart16550.h>
#include <x86_64/io.h>

#define COM1 0x3f8
#define UART_THR 0 /* DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1
#define UART_DLM 1 /* DLAB=1 */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define UART_CLOCK_DIV_115200 1 /* 1.8432 MHz / 16 / 115200 */

void x86_uart_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB */
	outb(COM1 + UART_DLL, UART_CLOCK_DIV_115200);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

void arch_console_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		__asm__ volatile("pause");
	outb(COM1 + UART_THR, (uint8_t)c);
}

void arch_console_flush(void)
{
	while (!(inb(COM1 + UART_LSR) & LSR_TEMT))
		__asm__ volatile("pause");
}

bool arch_console_alternate_write(const char *text, size_t len)
{
	/* No second channel yet (Bochs' port 0xe9 would be one in emulation). */
	(void)text, (void)len;
	return false;
}
