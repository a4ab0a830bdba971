/*
 * x86-64 console port and end of run: COM1 (16550, polled) for the shared
 * console (arch/common/console.c), VMCALL hypercalls, and the end of the run:
 * bare "rtcell: exit code N" and Bochs' shutdown port, in a cell
 * BH_HC_CELL_EXIT.
 */
#include <bulkhead/hypercall.h>
#include <rtarch/platform.h>
#include <x86_64/io.h>

#include "console_port.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define BOCHS_SHUTDOWN_PORT 0x8900

/* VMCALL: RAX = function, RDI RSI RDX = arguments, result in RAX. */
int64_t rtarch_hypercall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t result;

	if (!rt_x86_plat.info)
		return -BH_ENOSYS;
	__asm__ volatile("vmcall" : "=a"(result) : "a"(fn), "D"(a1), "S"(a2), "d"(a3) : "memory");
	return result;
}

static void uart_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

void rt_console_port_uart_write(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

void rt_x86_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_console_vprintf(fmt, ap);
	va_end(ap);
}

/* Bare: the exit code is the run's result line, then Bochs stops. */
static void bare_exit(int code)
{
	static const char shutdown[] = "Shutdown";

	rt_x86_printf("rtcell: exit code %d\n", code);
	for (const char *c = shutdown; *c; c++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
}

void rtarch_exit(int code)
{
	rt_console_flush();
	if (rt_x86_plat.info)
		rtarch_hypercall(BH_HC_CELL_EXIT, (uint64_t)(int64_t)code, 0, 0);
	else
		bare_exit(code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void rt_x86_exit(int code)
{
	rtarch_exit(code);
}
