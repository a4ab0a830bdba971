/*
 * Console and end of run. Bare: COM1 (16550, polled) and Bochs' shutdown
 * port. In a cell: one BH_HC_CONSOLE_WRITE per line until a ring is set
 * (start-up and the end), the ring of the telemetry channel in between (no
 * hypervisor entry), BH_HC_CELL_EXIT.
 * Limit: no console thread yet: rtarch_console_buffered(true) answers
 * -RT_EINVAL and every writer writes synchronously, interrupts masked for the
 * text (apps/main.c says so at start). The apps print only before and after
 * the measured run, and in a cell the ring costs no entry.
 */
#include <bulkhead/hypercall.h>
#include <lib/format.h>
#include <rt/errno.h>
#include <rt/kernel.h>
#include <rt/spinlock.h>
#include <rtarch/platform.h>
#include <x86_64/io.h>

#include "x86.h"

#define COM1 0x3f8
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define BOCHS_SHUTDOWN_PORT 0x8900

static struct rt_raw_spinlock console_lock = RT_RAW_SPINLOCK_INIT;
static struct bh_latmon_console *console_ring;
static char line_buf[RT_X86_MAX_CPUS][BH_CONSOLE_WRITE_MAX];
static unsigned line_len[RT_X86_MAX_CPUS];

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

/* Single writer (console_lock): bytes first, then the total, released. */
static void ring_put(struct bh_latmon_console *ring, const char *s)
{
	uint64_t written = ring->written;

	for (; *s; s++, written++)
		ring->data[written % BH_LATMON_CONSOLE_BYTES] = *s;
	__atomic_store_n(&ring->written, written, __ATOMIC_RELEASE);
}

/* The hypervisor prints whole lines per CPU: flush at '\n' or when full. */
static void hv_put(const char *s)
{
	unsigned cpu = rtarch_cpu_id();
	char *buf = line_buf[cpu];

	for (; *s; s++) {
		buf[line_len[cpu]++] = *s;
		if (*s == '\n' || line_len[cpu] == BH_CONSOLE_WRITE_MAX) {
			rtarch_hypercall(BH_HC_CONSOLE_WRITE, (uintptr_t)buf, line_len[cpu], 0);
			line_len[cpu] = 0;
		}
	}
}

static void uart_put(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

void rtarch_console_write(const char *s)
{
	unsigned long flags = rt_raw_lock_irqsave(&console_lock);

	if (!rt_x86_plat.info)
		uart_put(s);
	else if (console_ring)
		ring_put(console_ring, s);
	else
		hv_put(s);
	rt_raw_unlock_irqrestore(&console_lock, flags);
}

void rtarch_console_set_ring(struct bh_latmon_console *ring)
{
	unsigned long flags = rt_raw_lock_irqsave(&console_lock);

	console_ring = ring;
	rt_raw_unlock_irqrestore(&console_lock, flags);
}

int rtarch_console_buffered(bool on)
{
	return on ? -RT_EINVAL : 0;
}

static void console_vprintf(const char *fmt, va_list ap)
{
	char buf[256];

	format_vsnprintf(buf, sizeof(buf), fmt, ap);
	rtarch_console_write(buf);
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void rt_x86_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
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
