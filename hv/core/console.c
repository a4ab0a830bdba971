/*
 * Hypervisor console: formats into a line buffer, then writes it under one
 * lock, so lines from different CPUs never interleave. Output longer than the
 * buffer is written in pieces, never dropped.
 */
#include <arch/arch_console.h>
#include <arch/arch_cpu.h>
#include <hv/console.h>
#include <hv/platform.h>
#include <hv/spinlock.h>
#include <lib/format.h>
#include <lib/string.h>

#define CONSOLE_LINE_MAX 256

static struct spinlock console_lock = SPINLOCK_INIT;
static bool uart_owned_by_cell;
static const char *uart_owner; /* the cell's name, while uart_owned_by_cell */

static void console_write(const char *s, size_t n)
{
	if (uart_owned_by_cell) {
		arch_console_alternate_write(s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			arch_console_putc('\r');
		arch_console_putc(s[i]);
	}
}

/* Formats; when the text does not fit, falls back to formatting it twice. */
static void console_emit(const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	va_list again;

	va_copy(again, ap);
	int len = format_vsnprintf(line, sizeof(line), fmt, ap);

	if (len < 0) {
		va_end(again);
		return;
	}
	if ((size_t)len < sizeof(line)) {
		console_write(line, (size_t)len);
	} else {
		/* Too long for the buffer: write through a bigger stack buffer in chunks. */
		char big[CONSOLE_LINE_MAX * 4];
		int full = format_vsnprintf(big, sizeof(big), fmt, again);
		size_t n = (size_t)full < sizeof(big) ? (size_t)full : sizeof(big) - 1;

		console_write(big, n);
		if ((size_t)full >= sizeof(big))
			console_write("...[truncated]\n", 15);
	}
	va_end(again);
}

void console_hand_over_uart(const char *cell_name)
{
	bool alternate = arch_console_alternate_write("", 0);

	console_print("hv: the console UART belongs to cell \"%s\"; hypervisor and cell "
		      "console output continues %s\n",
		      cell_name,
		      alternate ? "on the alternate channel (semihosting)"
				: "nowhere (no alternate channel on this platform)");
	arch_console_flush();
	spin_lock(&console_lock);
	uart_owned_by_cell = true;
	uart_owner = cell_name;
	spin_unlock(&console_lock);
}

void console_cell_stopped(const char *cell_name)
{
	bool taken_back = false;

	spin_lock(&console_lock);
	if (uart_owned_by_cell && strcmp(uart_owner, cell_name) == 0 &&
	    !arch_console_alternate_write("", 0)) {
		uart_owned_by_cell = false;
		taken_back = true;
	}
	spin_unlock(&console_lock);
	if (taken_back)
		console_print("hv: cell \"%s\" has stopped: the console UART is the "
			      "hypervisor's again\n",
			      cell_name);
}

void console_vprint(const char *fmt, va_list ap)
{
	spin_lock(&console_lock);
	console_emit(fmt, ap);
	spin_unlock(&console_lock);
}

void console_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprint(fmt, ap);
	va_end(ap);
}

void console_vprint_unlocked(const char *fmt, va_list ap)
{
	console_emit(fmt, ap);
}

void console_print_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_emit(fmt, ap);
	va_end(ap);
}

struct line_buffer {
	char text[CONSOLE_LINE_MAX];
	size_t len;
};

/* One per CPU: only that CPU appends, so assembling a line takes no lock. */
static struct line_buffer cpu_lines[HV_MAX_CPUS];

static void flush_line(const char *prefix, struct line_buffer *line)
{
	spin_lock(&console_lock);
	console_write("[", 1);
	console_write(prefix, strnlen(prefix, 64));
	console_write("] ", 2);
	console_write(line->text, line->len);
	console_write("\n", 1);
	spin_unlock(&console_lock);
	line->len = 0;
}

void console_write_prefixed(const char *prefix, const char *text, size_t len)
{
	unsigned int cpu = arch_cpu_this();

	if (cpu >= HV_MAX_CPUS)
		return;
	struct line_buffer *line = &cpu_lines[cpu];

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			flush_line(prefix, line);
			continue;
		}
		if (line->len == sizeof(line->text))
			flush_line(prefix, line);
		line->text[line->len++] = text[i];
	}
}
